/**
 * What the search needs of a prover environment, for one statement: a start state, the
 * outcomes of several tactics on a state at once, and a sound verdict on a solved state.
 * `ws-backend.ts` implements it over the leanenv WebSocket API; the bench implements it over
 * a Lean worker's REPL methods directly, to measure the API's share of search time.
 */
import type { Goal } from '../../protocol/lean.js';
import type { SearchTraceRecord, TacticMeta } from '../../protocol/traces.js';

/** A statement to prove: its text and header, or the id of a dataset item the server knows. */
export type SearchTarget = { id: string; statement: string; header?: string } | { id: string; datasetId: string };

/** A proof state as the search sees it. */
export interface StateInfo {
  stateId: string;
  status: 'open' | 'solved';
  goals: Goal[];
}

/** The outcome of one tactic on a state. */
export type Outcome =
  | (StateInfo & { tactic: string; duplicate: boolean; cached: boolean })
  | { tactic: string; status: 'failed'; error: string; cached: boolean };

/** A sound verdict on a solved state. */
export interface Verdict {
  proved: boolean;
  reason?: string;
  tactics: string[];
  proofText: string;
}

/** Counters a backend keeps for one statement. */
export interface BackendStats {
  /** Requests answered by a worker error (`worker_unavailable`, `worker_timeout`): each is a worker restart. */
  workerErrors: number;
  /** Requests sent again (after a worker error, overload or rate limit). */
  retries: number;
  /** Tactics marked failed because they ended the worker on every try. */
  crashingTactics: string[];
}

/** One statement's proof in a prover environment. */
export interface ProofSession {
  /** The start state. */
  readonly root: StateInfo;
  /** The statement's text, when the backend knows it. */
  readonly statement?: string;
  /** Outcomes of `tactics` on `stateId`, in order; `meta`: the policy's annotation per tactic (kept in the traces, if the backend keeps any). */
  expand(stateId: string, tactics: string[], meta?: TacticMeta[]): Promise<Outcome[]>;
  /** A sound verdict on a solved state. */
  verify(stateId: string): Promise<Verdict>;
  /** Counters so far. */
  stats(): BackendStats;
  /** The proof's search-trace records so far (backends that keep traces). */
  traces?(): Promise<SearchTraceRecord[]>;
  /** Forget the statement's states. */
  close(): Promise<void>;
}

/** Opens proof sessions (one per statement). */
export interface ProofBackend {
  open(target: SearchTarget): Promise<ProofSession>;
  close?(): Promise<void>;
}

/** Fresh zeroed counters. */
export function emptyStats(): BackendStats {
  return { workerErrors: 0, retries: 0, crashingTactics: [] };
}
