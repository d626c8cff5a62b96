/**
 * A proof tree as search-trace records (protocol/traces.ts): one per edge, then one per failed
 * attempt, built lazily (a generator) so that a large tree is streamed, not copied whole.
 */
import { TRACE_SCHEMA_VERSION, type SearchTraceRecord } from '../../protocol/traces.js';
import type { Goal } from '../../protocol/lean.js';
import type { ProofNode, ProofTree } from './proof-tree.js';

const pretty = (goals: readonly Goal[]) => goals.map((g) => g.pretty).join('\n\n');

/** The state ids on the tactic path of a verified state, each with the tactic that reached it from its parent. */
function verifiedPath(tree: ProofTree): Set<string> {
  const on = new Set<string>();
  for (const n of tree.nodes.values()) {
    if (!n.verified) continue;
    for (let at: ProofNode | undefined = n; at?.parent !== undefined && !on.has(at.stateId); at = tree.nodes.get(at.parent)) on.add(at.stateId);
  }
  return on;
}

/** The trace records of one proof tree: its edges in the order they were found, then its failed attempts. */
export function* traceRecords(tree: ProofTree): Generator<SearchTraceRecord> {
  const onPath = verifiedPath(tree);
  const base = { schemaVersion: TRACE_SCHEMA_VERSION, sessionId: tree.sessionId, proofId: tree.proofId, statement: tree.statement, datasetId: tree.datasetId ?? null };
  const parentFields = (from: string) => {
    const p = tree.nodes.get(from)!;
    return { parentId: p.stateId, depth: p.depth, parentGoals: p.goals, parentGoalsPretty: pretty(p.goals) };
  };
  for (const e of tree.edges) {
    const child = tree.nodes.get(e.to)!;
    // The edge that created the child (its parent link), not a later path to the same state.
    const creating = child.parent === e.from && child.tactic === e.tactic;
    yield {
      ...base,
      kind: 'edge',
      ...parentFields(e.from),
      tactic: e.tactic,
      outcome: child.status,
      error: null,
      childId: child.stateId,
      childGoals: child.goals,
      childGoalsPretty: pretty(child.goals),
      duplicate: !creating,
      onVerifiedProof: creating && onPath.has(child.stateId),
      leanTimeMs: e.timeMs ?? null,
      meta: e.meta ?? null,
    };
  }
  for (const f of tree.failed) {
    yield {
      ...base,
      kind: 'failed',
      ...parentFields(f.from),
      tactic: f.tactic,
      outcome: 'failed',
      error: f.error,
      childId: null,
      childGoals: null,
      childGoalsPretty: null,
      duplicate: false,
      onVerifiedProof: false,
      leanTimeMs: f.timeMs ?? null,
      meta: f.meta ?? null,
    };
  }
}
