/**
 * Where sessions live beyond one server process (cluster mode, server/cluster/session-store.ts):
 * a session's snapshot — header, proofs, tactic paths, dedup table, cached outcomes — saved
 * after every change, and its owner, one node at a time, by an epoch that each claim increases
 * (a node whose epoch is stale can no longer save, so two nodes never serve one session).
 */
import type { ProofTree, SerializedProofTree } from './proof-tree.js';

/** What is stored of a session. */
export interface SessionSnapshot {
  id: string;
  header: string;
  proofs: SerializedProofTree[];
}

/** What one change touched: the nodes of a proof that are new or gained a cached outcome (its new edges and failed attempts are found by the store). */
export interface SessionChange {
  proofId: string;
  stateIds: string[];
}

/** A store of session snapshots with single ownership. */
export interface SessionStore {
  /** Become the session's owner (a new epoch); its snapshot, if one is stored. */
  claim(sessionId: string): Promise<{ epoch: number; snapshot?: SessionSnapshot }>;
  /** Save the snapshot if `epoch` is still the session's; false if another node claimed it since. */
  save(snapshot: SessionSnapshot, epoch: number): Promise<boolean>;
  /**
   * Save one change of the session whose proofs are `trees`, serializing only what `changes`
   * touched (the whole session when the store holds no earlier copy); false as `save`.
   */
  saveChanges(session: { id: string; header: string }, trees: readonly ProofTree[], changes: readonly SessionChange[], epoch: number): Promise<boolean>;
  /** The stored snapshot, read without claiming the session (for read-only exports such as traces). */
  read(sessionId: string): Promise<SessionSnapshot | undefined>;
  /** Forget the session. */
  delete(sessionId: string): Promise<void>;
}
