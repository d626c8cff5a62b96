/**
 * Search traces: training data from every search (docs/traces.md). One record per tactic edge
 * and per failed attempt of a proof tree, in a versioned schema that the WebSocket method
 * `proof.traces`, the HTTP NDJSON stream `GET /v1/sessions/{id}/traces`, the SDKs and
 * `leanenv prove --traces` all share. Agents may attach a `meta` object per tactic on
 * `proof.apply` / `proof.expand` (e.g. the policy's log-probability): kept verbatim, never read.
 */
import { z } from 'zod';
import { Goal } from './lean.js';

/** The version of the trace record schema; bumped on any incompatible change. */
export const TRACE_SCHEMA_VERSION = 1 as const;

/** Largest `meta` object accepted per tactic, in bytes of its JSON. */
export const MAX_TACTIC_META_BYTES = 4096;

/** An agent's annotation of one tactic: any JSON object up to `MAX_TACTIC_META_BYTES`, kept as given. */
export const TacticMeta = z
  .record(z.string(), z.unknown())
  .refine((m) => new TextEncoder().encode(JSON.stringify(m)).length <= MAX_TACTIC_META_BYTES, `meta must be a JSON object of at most ${MAX_TACTIC_META_BYTES} bytes`);
export type TacticMeta = z.infer<typeof TacticMeta>;

/** One edge or failed attempt of a search tree, as a training record. */
export const SearchTraceRecord = z.object({
  schemaVersion: z.literal(TRACE_SCHEMA_VERSION),
  /** `edge`: Lean accepted the tactic (a child state); `failed`: Lean refused it. */
  kind: z.enum(['edge', 'failed']),
  sessionId: z.string(),
  proofId: z.string(),
  /** The theorem statement searched, and the dataset item id when the proof started from one. */
  statement: z.string(),
  datasetId: z.string().nullable(),
  /** The state the tactic was applied to: id, depth (tactics from the root) and goals. */
  parentId: z.string(),
  depth: z.number().int(),
  parentGoals: z.array(Goal),
  /** The parent's goals as Lean pretty-prints them, joined by blank lines. */
  parentGoalsPretty: z.string(),
  tactic: z.string(),
  outcome: z.enum(['open', 'solved', 'failed']),
  /** Lean's error for a failed attempt. */
  error: z.string().nullable(),
  /** The child state (null for a failed attempt); `duplicate` when the tactic led to a state reached before. */
  childId: z.string().nullable(),
  childGoals: z.array(Goal).nullable(),
  childGoalsPretty: z.string().nullable(),
  duplicate: z.boolean(),
  /** Whether the edge lies on a proof that `proof.verify` proved (the tactic path of a verified state). */
  onVerifiedProof: z.boolean(),
  /** Lean's time for the tactic (ms), when known. */
  leanTimeMs: z.number().nullable(),
  /** The agent's annotation given with the tactic, verbatim. */
  meta: z.record(z.string(), z.unknown()).nullable(),
});
export type SearchTraceRecord = z.infer<typeof SearchTraceRecord>;

/** `proof.traces`: the trace records of one proof (`proofId`) or of every proof of a session (`sessionId`). */
export const ProofTracesParams = z
  .object({ proofId: z.string().min(1).optional(), sessionId: z.string().min(1).optional() })
  .strict()
  .refine((p) => (p.proofId === undefined) !== (p.sessionId === undefined), 'give exactly one of proofId, sessionId');
export const ProofTracesResult = z.object({ schemaVersion: z.literal(TRACE_SCHEMA_VERSION), records: z.array(SearchTraceRecord) });

/** The Parquet columns of a trace file: the record's fields, nested ones (goals, meta) as JSON text. */
export const TRACE_PARQUET_COLUMNS = [
  'schemaVersion', 'kind', 'sessionId', 'proofId', 'statement', 'datasetId', 'parentId', 'depth', 'parentGoals', 'parentGoalsPretty',
  'tactic', 'outcome', 'error', 'childId', 'childGoals', 'childGoalsPretty', 'duplicate', 'onVerifiedProof', 'leanTimeMs', 'meta',
] as const satisfies readonly (keyof SearchTraceRecord)[];
