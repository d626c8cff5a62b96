/** How a proof tree's parts look to clients (`proof.tree`, `proof.treeChanged`) and which nodes a step touched. */
import type { ApiResult, TacticOutcome } from '../../protocol/api.js';
import type { FailedAttempt, ProofNode, TreeEdge } from './proof-tree.js';

/** A node's REPL location as a pool job target. */
export function placement(n: ProofNode): { slot: number; generation: number } | undefined {
  return n.worker && { slot: n.worker.slot, generation: n.worker.generation };
}

/** A node as `proof.tree` lists it (goals as Lean's pretty text). */
export function nodeSummary(n: ProofNode): ApiResult<'proof.tree'>['nodes'][number] {
  return { stateId: n.stateId, status: n.status, goals: n.goals.map((g) => g.pretty), depth: n.depth };
}

/** An edge as `proof.tree` lists it (time and meta are for `proof.traces` only). */
export const edgeView = ({ from, to, tactic }: TreeEdge) => ({ from, to, tactic });
/** A failed attempt as `proof.tree` lists it. */
export const failedView = ({ from, tactic, error }: FailedAttempt) => ({ from, tactic, error });

/** The state ids a step touched: the parent and each new child. */
export function touched(node: ProofNode, outcomes: readonly TacticOutcome[]): string[] {
  return [node.stateId, ...outcomes.flatMap((o) => (o.status === 'failed' || o.duplicate ? [] : [o.stateId]))];
}
