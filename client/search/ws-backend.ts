/**
 * The search's prover environment over the leanenv WebSocket API (client SDK only): one
 * session per statement, `proof.expand` with all candidates of a state in one call, the
 * server's dedup and tactic cache, `proof.verify` for the verdict. A request answered with a
 * worker error (the worker died or timed out) is sent again: the server rebuilds the states by
 * replay. A batch that ends a worker is retried one tactic at a time, so that a tactic that
 * ends the worker on every try is marked failed instead of stopping the search.
 */
import { LeanEnvClient, RpcError, type ResponseListener } from '../sdk.js';
import type { SearchTraceRecord, TacticMeta } from '../../protocol/traces.js';
import { emptyStats, type BackendStats, type Outcome, type ProofBackend, type ProofSession, type SearchTarget, type StateInfo, type Verdict } from './backend.js';

/** Errors after which the same request may be sent again. */
const WORKER_ERRORS = new Set(['worker_unavailable', 'worker_timeout']);
const BUSY_ERRORS = new Set(['overloaded', 'rate_limited']);

/** Retry settings. */
export interface RetryOptions {
  /** How long to keep sending a request again after worker errors (ms). */
  retryWindowMs: number;
  /** First wait before a retry (ms); doubles up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Tries of one tactic alone before it is marked failed as ending the worker. */
  triesPerTactic: number;
}

export const DEFAULT_RETRY: RetryOptions = { retryWindowMs: 300_000, baseDelayMs: 500, maxDelayMs: 10_000, triesPerTactic: 2 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `data.code` of an API error, if it is one. */
export function apiErrorCode(e: unknown): string | undefined {
  return e instanceof RpcError ? e.data?.code : undefined;
}

/** True for errors the server recovers from by replay (a worker died or ran out of time). */
export function isWorkerError(e: unknown): boolean {
  return WORKER_ERRORS.has(apiErrorCode(e) ?? '');
}

class WsProofSession implements ProofSession {
  private readonly counters = emptyStats();

  constructor(
    private readonly client: LeanEnvClient,
    private readonly sessionId: string,
    readonly root: StateInfo & { proofId?: string },
    readonly statement: string | undefined,
    private readonly retry: RetryOptions,
  ) {}

  /** Send a request, again after worker errors (within the retry window) and busy answers. */
  private async withRetry<T>(f: () => Promise<T>, o: { maxWorkerErrors?: number } = {}): Promise<T> {
    const t0 = Date.now();
    let delay = this.retry.baseDelayMs;
    let workerErrors = 0;
    for (;;) {
      try {
        return await f();
      } catch (e) {
        const code = apiErrorCode(e);
        if (code && WORKER_ERRORS.has(code)) {
          this.counters.workerErrors++;
          workerErrors++;
          if (workerErrors >= (o.maxWorkerErrors ?? Infinity) || Date.now() - t0 > this.retry.retryWindowMs) throw e;
        } else if (code && BUSY_ERRORS.has(code)) {
          const after = (e as RpcError).data?.retryAfterMs;
          if (Date.now() - t0 > this.retry.retryWindowMs) throw e;
          if (typeof after === 'number') delay = Math.max(delay, after);
        } else throw e;
        this.counters.retries++;
        await sleep(delay);
        delay = Math.min(2 * delay, this.retry.maxDelayMs);
      }
    }
  }

  async expand(stateId: string, tactics: string[], meta?: TacticMeta[]): Promise<Outcome[]> {
    try {
      return (await this.withRetry(() => this.client.expand(stateId, tactics, meta), { maxWorkerErrors: 1 })).outcomes;
    } catch (e) {
      if (!isWorkerError(e)) throw e;
      if (tactics.length === 1) return (await this.expandAlone(stateId, tactics[0]!, 1, meta?.[0])).outcome;
    }
    // The batch ended a worker: one tactic at a time. Outcomes recorded before the crash come
    // from the server's cache; the first tactic that does not was running when the worker died,
    // so that crash counts as its first try.
    const outcomes: Outcome[] = [];
    let suspect = true;
    for (const t of tactics) {
      const { outcome, crashes } = await this.expandAlone(stateId, t, suspect ? 1 : 0, meta?.[tactics.indexOf(t)]);
      if (crashes > 0 || !outcome[0]!.cached) suspect = false;
      outcomes.push(...outcome);
    }
    return outcomes;
  }

  /** One tactic, tried until it has ended the worker `triesPerTactic` times (counting `crashesBefore`). */
  private async expandAlone(stateId: string, tactic: string, crashesBefore: number, meta?: TacticMeta): Promise<{ outcome: Outcome[]; crashes: number }> {
    const tries = Math.max(1, this.retry.triesPerTactic - crashesBefore);
    const before = this.counters.workerErrors;
    try {
      const r = await this.withRetry(() => this.client.expand(stateId, [tactic], meta && [meta]), { maxWorkerErrors: tries });
      return { outcome: r.outcomes, crashes: this.counters.workerErrors - before };
    } catch (e) {
      if (!isWorkerError(e)) throw e;
      this.counters.crashingTactics.push(tactic);
      const error = `the tactic ended the Lean worker ${crashesBefore + tries} times (${(e as Error).message})`;
      return { outcome: [{ tactic, status: 'failed', error, cached: false }], crashes: tries };
    }
  }

  /** The verdict; a verification that ends the worker `triesPerTactic` times is a refusal (only a verified proof counts). */
  async verify(stateId: string): Promise<Verdict> {
    try {
      return await this.withRetry(() => this.client.verify(stateId), { maxWorkerErrors: this.retry.triesPerTactic });
    } catch (e) {
      if (!isWorkerError(e)) throw e;
      return { proved: false, reason: `the verification ended the Lean worker ${this.retry.triesPerTactic} times (${(e as Error).message})`, tactics: [], proofText: '' };
    }
  }

  /** The proof's trace records (`proof.traces`). */
  async traces(): Promise<SearchTraceRecord[]> {
    return (await this.withRetry(() => this.client.traces({ proofId: this.root.proofId! }))).records;
  }

  stats(): BackendStats {
    return { ...this.counters, crashingTactics: [...this.counters.crashingTactics] };
  }

  async close(): Promise<void> {
    await this.client.closeSession(this.sessionId).catch(() => undefined);
  }

  /** Open a session and start the proof (both retried like any request). */
  static async open(client: LeanEnvClient, target: SearchTarget, retry: RetryOptions): Promise<WsProofSession> {
    const probe = new WsProofSession(client, '', { stateId: '', status: 'open', goals: [] }, undefined, retry);
    const header = 'header' in target ? target.header : undefined;
    const { sessionId } = await probe.withRetry(() => client.openSession(header));
    try {
      const from = 'datasetId' in target ? { datasetId: target.datasetId } : { statement: target.statement };
      const root = await probe.withRetry(() => client.start(sessionId, from));
      const session = new WsProofSession(client, sessionId, root, 'statement' in target ? target.statement : undefined, retry);
      Object.assign(session.counters, probe.counters, { crashingTactics: [...probe.counters.crashingTactics] });
      return session;
    } catch (e) {
      await client.closeSession(sessionId).catch(() => undefined);
      throw e;
    }
  }
}

/** A backend on a leanenv server: one WebSocket connection, one session per statement. */
export class WebSocketBackend implements ProofBackend {
  private constructor(
    private readonly client: LeanEnvClient,
    private readonly retry: RetryOptions,
  ) {}

  /** Connect to a server (`http://host:port` or `ws://host:port/v1/ws`). */
  static async connect(url: string, o: { token?: string; retry?: Partial<RetryOptions>; onResponse?: ResponseListener } = {}): Promise<WebSocketBackend> {
    return new WebSocketBackend(await LeanEnvClient.connect(url, { token: o.token, onResponse: o.onResponse }), { ...DEFAULT_RETRY, ...o.retry });
  }

  open(target: SearchTarget): Promise<ProofSession> {
    return WsProofSession.open(this.client, target, this.retry);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
