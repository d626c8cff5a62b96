/**
 * The judge: one long-lived Lean process per node that decides every `proved`, and that has
 * never run code from any submission. Workers elaborate submissions and hand over what they
 * added as data (`env.check` with `export`, `proof.export`); the judge replays those constants
 * through the kernel onto its own environment (the header's imports, or the caller's own
 * header and reference, which it elaborates itself), audits their axioms, and compares the
 * reference statement with the proof's. It is started with `--judge`, so the REPL refuses any
 * method that elaborates tactics or a submission's commands, and it is only ever sent the
 * caller's trusted text: headers of header/body items and sessions, reference statements.
 *
 * Requests run one at a time. A judge that dies or times out is replaced (the request fails:
 * `JudgeError`, an `error` verdict, never one decided without it); one the worker marks for
 * retirement (see `LeanWorker.retireReason`) is replaced after its request.
 */
import type { Logger } from 'pino';
import type { LeanWorker } from '../lean/worker.js';
import type { ExportData, JudgeCheckResult, ProofExportResult, ReplResult } from '../repl-protocol/repl.js';
import { LeanWorkerError } from '../lean/errors.js';

/** Statements a judge process keeps elaborated for later proofs. */
const MAX_STATEMENTS = 512;

/** A judge request that could not be answered (the judge died, timed out or could not start). */
export class JudgeError extends Error {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'JudgeError';
  }
}

/** The environment a judge check starts from: a trusted header (elaborated by the judge), a file's imports only, or an env id the judge made. */
export type JudgeBase = { header: string } | { imports: string } | { env: number };

/** Options of a judge. */
export interface JudgeOptions {
  /** Start a judge process (a REPL started with `--judge`). */
  spawn: (signal?: AbortSignal) => Promise<LeanWorker>;
  /** Heartbeat limit (thousands) of the judge's kernel checks and elaboration: the workers' (`maxHeartbeats`). */
  maxHeartbeats?: number;
  logger?: Logger;
}

/** Counters for /health and /metrics. */
export interface JudgeStats {
  ready: boolean;
  pid: number | null;
  rssBytes: number | null;
  checks: number;
  proofs: number;
  /** Processes replaced after they died, timed out or answered what is not a reply. */
  restarts: number;
  /** Processes replaced after a request because the worker layer retired them (e.g. a wasm heap past `wasmHeapRecycleMb`). */
  recycles: number;
  failures: number;
}

/** The node's judge process (see the module comment). */
export class Judge {
  private worker: LeanWorker | undefined;
  private starting: Promise<LeanWorker> | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly abort = new AbortController();
  private readonly counts = { checks: 0, proofs: 0, restarts: 0, recycles: 0, failures: 0 };
  /** Statements elaborated by each judge process, by env and text (see `statementId`). */
  private readonly statements = new WeakMap<LeanWorker, Map<string, Promise<number>>>();

  constructor(private readonly opts: JudgeOptions) {}

  /** Start the judge process now (requests start it too); resolves once it is ready. */
  async start(): Promise<void> {
    await this.ready();
  }

  /** Stop the judge process; later requests fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    const w = this.worker;
    this.worker = undefined;
    await w?.dispose().catch(() => undefined);
  }

  /** Counters and the process's state. */
  stats(): JudgeStats {
    const w = this.worker?.alive ? this.worker : undefined;
    return { ready: !!w, pid: w?.pid ?? null, rssBytes: w?.rssBytes() ?? null, ...this.counts };
  }

  /**
   * Replay a worker's export onto `base` and audit it; with `reference` (a statement elaborated
   * by the judge in the same environment) and `target` (a constant of the export), whether the
   * target's type is the statement's.
   */
  check(base: JudgeBase, exported: ExportData, ref?: { statement: string; target: string }): Promise<JudgeCheckResult> {
    return this.use(async (w) => {
      const env = await judgeEnv(w, base);
      return w.request('judge.check', { env, export: exported, ...(ref ? { reference: ref.statement, target: ref.target } : {}), ...this.limits() });
    }, 'check');
  }

  /**
   * Check a proof term handed over by a worker against `statement`, elaborated by the judge in
   * `header`'s environment (once per statement: kept for later proofs, see `prepareStatement`).
   */
  verifyProof(header: string, statement: string, exported: ProofExportResult): Promise<ReplResult<'judge.proof'>> {
    return this.use(async (w) => {
      const env = await judgeEnv(w, { header });
      const statementId = await this.statementId(w, env, statement);
      return w.request('judge.proof', { env, statementId, export: exported.export, value: exported.value, ...this.limits() });
    }, 'proof');
  }

  /**
   * Elaborate a statement on the judge ahead of its first verification (when a proof starts), so
   * that the verification only replays the proof term: the judge works while the agent searches.
   * Failures are left for the verification to report.
   */
  prepareStatement(header: string, statement: string): void {
    if (this.closed) return;
    void this.use(async (w) => this.statementId(w, await judgeEnv(w, { header }), statement)).catch(() => undefined);
  }

  /** The judge-side id of `statement` elaborated in `env` (kept per process, least recently used dropped past `MAX_STATEMENTS`). */
  private statementId(w: LeanWorker, env: number, statement: string): Promise<number> {
    let kept = this.statements.get(w);
    if (!kept) this.statements.set(w, (kept = new Map()));
    const key = `${env}\u0000${statement}`;
    let id = kept.get(key);
    if (id) {
      kept.delete(key); // most recently used goes last
      kept.set(key, id);
      return id;
    }
    id = w.request('judge.statement', { env, statement, ...this.limits() }).then((r) => r.statementId);
    kept.set(key, id);
    const mine = kept;
    id.catch(() => mine.delete(key));
    for (const [old, oldId] of kept) {
      if (kept.size <= MAX_STATEMENTS) break;
      kept.delete(old);
      void oldId.then((i) => w.request('state.drop', { proofStates: [i] })).catch(() => undefined);
    }
    return id;
  }

  /**
   * Run `fn` on the judge process (the caller's trusted text only: references, headers), one
   * request at a time, counted as a check or a proof. Failures of the process become
   * `JudgeError`s and replace it.
   */
  use<T>(fn: (w: LeanWorker) => Promise<T>, kind?: 'check' | 'proof'): Promise<T> {
    const run = async (): Promise<T> => {
      const w = await this.ready();
      if (kind === 'check') this.counts.checks += 1;
      if (kind === 'proof') this.counts.proofs += 1;
      try {
        return await fn(w);
      } catch (e) {
        if (e instanceof LeanWorkerError) {
          this.counts.failures += 1;
          // An error answer leaves the process usable; anything else (exit, timeout, a bad reply) replaces it.
          if (e.kind !== 'repl_error') this.replace(w, `judge request failed: ${e.message}`);
          throw new JudgeError(`the judge could not decide: ${e.message}`, e.kind === 'worker_timeout');
        }
        throw e;
      } finally {
        if (w.retireReason) this.replace(w, w.retireReason, 'recycles');
      }
    };
    const p = this.tail.then(run, run);
    this.tail = p.catch(() => undefined);
    return p;
  }

  /** The heartbeat limit judge requests carry (the workers'). */
  limits(): { maxHeartbeats?: number } {
    return this.opts.maxHeartbeats === undefined ? {} : { maxHeartbeats: this.opts.maxHeartbeats };
  }

  private replace(w: LeanWorker, reason: string, counted: 'restarts' | 'recycles' = 'restarts'): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    this.counts[counted] += 1;
    this.opts.logger?.warn({ pid: w.pid, reason }, 'judge replaced');
    w.kill(reason);
  }

  private ready(): Promise<LeanWorker> {
    if (this.closed) return Promise.reject(new JudgeError('the judge is closed'));
    if (this.worker?.alive) return Promise.resolve(this.worker);
    this.starting ??= this.opts
      .spawn(this.abort.signal)
      .then((w) => {
        this.worker = w;
        w.onExitOnce((reason) => {
          if (this.worker === w) {
            this.worker = undefined;
            this.counts.restarts += 1;
            this.opts.logger?.warn({ pid: w.pid, reason }, 'judge exited');
          }
        });
        return w;
      })
      .catch((e: unknown) => {
        throw new JudgeError(`the judge could not start: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => {
        this.starting = undefined;
      });
    return this.starting;
  }
}

/** The judge process's environment for a base (cached per header text by the worker): a header it elaborates, or a file's imports only. */
export async function judgeEnv(w: LeanWorker, base: JudgeBase): Promise<number> {
  if ('env' in base) return base.env;
  const header = 'header' in base ? base.header : base.imports;
  const r = await w.importHeader(header, { importsOnly: 'imports' in base });
  if (r.hasErrors) {
    const first = r.messages.find((m) => m.severity === 'error');
    throw new JudgeError(`the header does not elaborate in the judge: ${first?.data.split('\n')[0] ?? 'error'}`);
  }
  return r.env;
}
