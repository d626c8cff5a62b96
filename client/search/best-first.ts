/**
 * Best-first proof search (GPT-f / BFS-Prover style): open states wait in a priority queue
 * scored by the cumulative log-probability of the tactics that reached them (optionally
 * length-normalised); the best one is expanded with all the policy's candidates in one call;
 * states the environment reports as duplicates are not queued twice; a solved state counts
 * only once the environment's sound verdict says proved.
 */
import { performance } from 'node:perf_hooks';
import TinyQueue from 'tinyqueue';
import type { Goal } from '../../protocol/lean.js';
import type { BackendStats, ProofBackend, ProofSession, SearchTarget } from './backend.js';
import type { SearchTraceRecord } from '../../protocol/traces.js';

/** Receives the trace records of each statement searched (`leanenv prove --traces`). */
export type TraceSink = (target: SearchTarget, records: SearchTraceRecord[]) => void | Promise<void>;
import { goalsText, rankCandidates, type Policy } from './policy.js';

/** Budgets and scoring of one statement's search. */
export interface SearchOptions {
  /** Most expansions (one `proof.expand` of one state) per statement. */
  maxExpansions: number;
  /** Deepest tactic path explored (states at this depth are not expanded). */
  maxDepth: number;
  /** Wall-clock budget per statement (ms). */
  timeMs: number;
  /** Most candidates sent per expansion (the API takes up to 64). */
  width: number;
  /** Length normalisation: priority = cumulative log-prob / depth^alpha (0: none). */
  lengthNormalization: number;
  /** Send each candidate's score as its `meta` (`{logProb}`), to be kept in the traces. */
  annotate?: boolean;
}

export const DEFAULT_SEARCH: SearchOptions = { maxExpansions: 64, maxDepth: 6, timeMs: 120_000, width: 32, lengthNormalization: 0 };

/** What became of one statement. */
export interface SearchResult {
  id: string;
  /** proved: a verified proof; exhausted: nothing left to expand; budget: a budget ran out; error: the search could not run. */
  status: 'proved' | 'exhausted' | 'budget' | 'error';
  proved: boolean;
  /** The verified proof: tactics and the whole theorem text (re-checkable with `leanenv check`). */
  tactics?: string[];
  proofText?: string;
  /** The statement, when known (JSONL input or the proof text). */
  statement?: string;
  header?: string;
  expansions: number;
  /** Tactics the environment ran (outcomes that did not come from its cache). */
  tacticApplications: number;
  /** Proof length when proved, else the deepest state expanded. */
  depth: number;
  /** Distinct open states reached (after dedup) and duplicates reported. */
  states: number;
  duplicates: number;
  /** Solved states whose verdict was not proved. */
  rejected: number;
  /** Wall time of the search (ms), and time until the proof was verified. */
  timeMs: number;
  timeToProofMs?: number;
  /** Time spent waiting on the environment (expand and verify calls) and on the policy. */
  envMs: number;
  policyMs: number;
  /** Worker restarts seen and requests sent again; attempts of the whole statement. */
  backend: BackendStats;
  attempts: number;
  error?: string;
}

interface QueueEntry {
  stateId: string;
  goals: Goal[];
  tactics: string[];
  logProb: number;
  priority: number;
}

/** Priority of a state at `depth` with cumulative log-probability `logProb`. */
export function priorityOf(logProb: number, depth: number, alpha: number): number {
  return alpha > 0 && depth > 0 ? logProb / Math.pow(depth, alpha) : logProb;
}

/** Run the search on an open proof session; the session is not closed here. */
export async function searchSession(target: SearchTarget, session: ProofSession, policy: Policy, o: SearchOptions): Promise<SearchResult> {
  const t0 = performance.now();
  const statement = session.statement ?? ('statement' in target ? target.statement : undefined);
  const r: SearchResult = {
    id: target.id,
    status: 'exhausted',
    proved: false,
    statement,
    header: 'header' in target ? target.header : undefined,
    expansions: 0,
    tacticApplications: 0,
    depth: 0,
    states: 1,
    duplicates: 0,
    rejected: 0,
    timeMs: 0,
    envMs: 0,
    policyMs: 0,
    backend: session.stats(),
    attempts: 1,
  };
  const timed = async <T>(key: 'envMs' | 'policyMs', f: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    try {
      return await f();
    } finally {
      r[key] += performance.now() - s;
    }
  };
  const finish = (status: SearchResult['status']): SearchResult => {
    r.status = status;
    r.timeMs = performance.now() - t0;
    r.backend = session.stats();
    return r;
  };
  /** Verify a solved state; true when proved (the result is filled in). */
  const accept = async (stateId: string): Promise<boolean> => {
    const v = await timed('envMs', () => session.verify(stateId));
    if (!v.proved) {
      r.rejected++;
      return false;
    }
    Object.assign(r, { proved: true, tactics: v.tactics, proofText: v.proofText, depth: v.tactics.length, timeToProofMs: performance.now() - t0 });
    return true;
  };

  if (session.root.status === 'solved') return finish((await accept(session.root.stateId)) ? 'proved' : 'exhausted');
  const queue = new TinyQueue<QueueEntry>([], (a, b) => b.priority - a.priority);
  const seen = new Set<string>([session.root.stateId]);
  queue.push({ stateId: session.root.stateId, goals: session.root.goals, tactics: [], logProb: 0, priority: 0 });
  while (queue.length > 0) {
    if (r.expansions >= o.maxExpansions || performance.now() - t0 >= o.timeMs) return finish('budget');
    const node = queue.pop()!;
    if (node.tactics.length >= o.maxDepth) continue;
    const proposed = await timed('policyMs', () => policy.propose({ id: target.id, statement, goals: node.goals, goalsText: goalsText(node.goals), tactics: node.tactics }));
    const cands = rankCandidates(proposed, Math.min(o.width, 64));
    if (cands.length === 0) continue;
    const outcomes = await timed('envMs', () => session.expand(node.stateId, cands.map((c) => c.tactic), o.annotate ? cands.map((c) => ({ logProb: c.score })) : undefined));
    r.expansions++;
    r.depth = Math.max(r.depth, node.tactics.length);
    for (const [i, out] of outcomes.entries()) {
      if (!out.cached) r.tacticApplications++;
      if (out.status === 'failed') continue;
      const tactics = [...node.tactics, out.tactic];
      if (out.status === 'solved') {
        if (await accept(out.stateId)) return finish('proved');
        continue;
      }
      if (out.duplicate || seen.has(out.stateId)) {
        r.duplicates++;
        continue;
      }
      seen.add(out.stateId);
      r.states++;
      const logProb = node.logProb + cands[i]!.score;
      queue.push({ stateId: out.stateId, goals: out.goals, tactics, logProb, priority: priorityOf(logProb, tactics.length, o.lengthNormalization) });
    }
  }
  return finish('exhausted');
}

/** Open a session for `target` on `backend`, search, hand the proof's traces to `onTraces` (when given), close the session. */
export async function searchOne(target: SearchTarget, backend: ProofBackend, policy: Policy, o: SearchOptions, onTraces?: TraceSink): Promise<SearchResult> {
  const session = await backend.open(target);
  try {
    const result = await searchSession(target, session, policy, o);
    if (onTraces && session.traces) await onTraces(target, await session.traces());
    return result;
  } finally {
    await session.close().catch(() => undefined);
  }
}
