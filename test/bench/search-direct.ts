/**
 * The search's prover environment directly on a Lean worker's REPL methods (no server, no
 * WebSocket), for the bench: the same dedup (by Lean's goal text, like the server's proof
 * tree), per-(state, tactic) cache and sound verdict (`verifySolvedState`) as the server, so
 * that the same policy explores the same tree and the API's share of search time shows.
 */
import type { BackendStats, Outcome, ProofSession, SearchTarget, StateInfo, Verdict } from '../../client/search/index.js';
import { emptyStats } from '../../client/search/index.js';
import { verifySolvedState } from '../../server/check/verify-state.js';
import { LeanWorkerError } from '../../server/lean/errors.js';
import { stripProofBody, type LeanWorker } from '../../server/lean/worker.js';
import { canonicalGoals } from '../../server/sessions/proof-tree.js';
import type { Judge } from '../../server/judge/judge.js';
import type { TacticResult } from '../../server/repl-protocol/repl.js';

/** Tactics that ended a worker, by goal text: on a retry they fail without running again. */
export type CrashLog = Set<string>;

interface Node {
  info: StateInfo;
  replId: number;
  tactics: string[];
}

/** Thrown when the worker died under a tactic; the statement is retried on a new worker. */
export class WorkerDied extends Error {}

/** One statement's proof on a worker. */
export class DirectProofSession implements ProofSession {
  private readonly nodes = new Map<string, Node>();
  private readonly openByGoals = new Map<string, string>();
  private readonly cache = new Map<string, Outcome>();
  private readonly counters = emptyStats();
  private next = 0;
  readonly root: StateInfo;

  private constructor(
    private readonly worker: LeanWorker,
    private readonly header: string,
    readonly statement: string,
    rootId: number,
    goals: StateInfo['goals'],
    private readonly crashes: CrashLog,
    private readonly judge: Judge,
  ) {
    this.root = this.add(rootId, goals, 'open', []);
  }

  /** Import the header (reused when the worker has it) and start the proof. */
  static async open(worker: LeanWorker, target: SearchTarget, crashes: CrashLog, judge: Judge): Promise<DirectProofSession> {
    if (!('statement' in target)) throw new Error('the direct backend needs statements, not dataset ids');
    const header = target.header ?? '';
    const env = await worker.importHeader(header);
    const start = await worker.startProof(env.env, { statement: target.statement });
    judge.prepareStatement(header, stripProofBody(target.statement)); // as the server does
    return new DirectProofSession(worker, header, target.statement, start.proofState, start.goals, crashes, judge);
  }

  private add(replId: number, goals: StateInfo['goals'], status: StateInfo['status'], tactics: string[]): StateInfo {
    const info: StateInfo = { stateId: `d${this.next++}`, status, goals };
    this.nodes.set(info.stateId, { info, replId, tactics });
    if (status === 'open') this.openByGoals.set(canonicalGoals(goals), info.stateId);
    return info;
  }

  /**
   * Like the server's `proof.expand`: the tactics not cached run in one `proof.tactics` request;
   * after a batch ended the worker, that state's tactics run one at a time (to find the culprit).
   */
  async expand(stateId: string, tactics: string[]): Promise<Outcome[]> {
    const node = this.nodes.get(stateId)!;
    const goals = canonicalGoals(node.info.goals);
    const died = (key: string, what: string) => (e: unknown) => {
      if (e instanceof LeanWorkerError && (e.kind === 'worker_exited' || e.kind === 'worker_timeout')) {
        this.crashes.add(key);
        throw new WorkerDied(`${what}: ${e.message}`);
      }
      throw e;
    };
    const batchKey = `batch\u0000${goals}`;
    const fresh = [...new Set(tactics.filter((t) => !this.cache.has(`${stateId}\u0000${t}`) && !this.crashes.has(`${goals}\u0000${t}`)))];
    const ran = new Map<string, TacticResult>();
    if (fresh.length > 1 && !this.crashes.has(batchKey)) {
      const rs = await this.worker.applyTactics(node.replId, fresh).catch(died(batchKey, fresh.join(' | ')));
      rs.forEach((r, i) => ran.set(fresh[i]!, r));
    }
    const outcomes: Outcome[] = [];
    for (const tactic of tactics) {
      const key = `${stateId}\u0000${tactic}`;
      const cached = this.cache.get(key);
      if (cached) {
        outcomes.push({ ...cached, cached: true });
        continue;
      }
      const crashKey = `${goals}\u0000${tactic}`;
      let outcome: Outcome;
      if (this.crashes.has(crashKey)) {
        outcome = { tactic, status: 'failed', error: 'the tactic ended the Lean worker', cached: false };
      } else {
        const r = ran.get(tactic) ?? (await this.worker.applyTactic(node.replId, tactic).catch(died(crashKey, tactic)));
        if (r.status === 'failed') outcome = { tactic, status: 'failed', error: r.error, cached: false };
        else {
          const existing = r.status === 'open' ? this.openByGoals.get(canonicalGoals(r.goals)) : undefined;
          if (existing) void this.worker.drop({ proofStates: [r.proofState] }).catch(() => undefined);
          const info = existing ? this.nodes.get(existing)!.info : this.add(r.proofState, r.goals, r.status, [...node.tactics, tactic]);
          outcome = { ...info, tactic, duplicate: existing !== undefined, cached: false };
        }
      }
      this.cache.set(key, outcome);
      outcomes.push(outcome);
    }
    return outcomes;
  }

  /** The same verdict as the server's `proof.verify`; one that ended the worker is a refusal on the retry. */
  async verify(stateId: string): Promise<Verdict> {
    const node = this.nodes.get(stateId)!;
    const crashKey = `verify\u0000${this.statement}\u0000${node.tactics.join('\n')}`;
    if (this.crashes.has(crashKey)) return { proved: false, reason: 'the verification ended the Lean worker', tactics: node.tactics, proofText: '' };
    try {
      const verdict = await verifySolvedState(this.worker, this.judge, node.replId, { id: 'direct', header: this.header, statement: stripProofBody(this.statement), tactics: node.tactics });
      return { ...verdict, tactics: node.tactics };
    } catch (e) {
      if (e instanceof LeanWorkerError && (e.kind === 'worker_exited' || e.kind === 'worker_timeout')) {
        this.crashes.add(crashKey);
        throw new WorkerDied(`verify: ${e.message}`);
      }
      throw e;
    }
  }

  stats(): BackendStats {
    return { ...this.counters, crashingTactics: [...this.counters.crashingTactics] };
  }

  async close(): Promise<void> {
    await this.worker.drop({ proofStates: [...this.nodes.values()].map((n) => n.replId) }).catch(() => undefined);
  }
}
