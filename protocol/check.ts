/**
 * Batch checking (`POST /v1/check`, the CLI): check items, verdicts, results and the request
 * body, shared by the server, the SDKs and the tests.
 */
import { z } from 'zod';
import { Goal, LeanMessage, Position } from './lean.js';

/** One item: a whole file (`code`) or a header and a body; an optional reference statement. */
export const CheckItem = z.union([
  z.object({ id: z.string().min(1), code: z.string(), reference: z.string().optional() }).strict(),
  z.object({ id: z.string().min(1), header: z.string(), body: z.string(), reference: z.string().optional() }).strict(),
]);
export type CheckItem = z.infer<typeof CheckItem>;

/** Verdicts of a check. */
export const Verdict = z.enum(['proved', 'failed', 'incomplete', 'timeout', 'error']);
export type Verdict = z.infer<typeof Verdict>;

/**
 * One tactic of a checked proof (`trace: true`), LeanDojo-style: its source text and range (in
 * the item's `code`, or in its `body`), the goals before and after it, and the constants it used.
 * Information only: the verdict never depends on it.
 */
export const TracedTactic = z.object({
  tactic: z.string(),
  /** Lean's syntax kind, e.g. `Lean.Parser.Tactic.exact`. */
  kind: z.string().nullable(),
  /** The declaration the tactic belongs to. */
  decl: z.string().nullable(),
  pos: Position,
  endPos: Position,
  goalsBefore: z.array(Goal),
  goalsAfter: z.array(Goal),
  usedConstants: z.array(z.string()),
  /** Set when Lean could not print the tactic's goals. */
  error: z.string().optional(),
});
export type TracedTactic = z.infer<typeof TracedTactic>;

/** The result of checking one item. */
export const CheckResult = z.object({
  id: z.string(),
  verdict: Verdict,
  /** Why it is not proved. */
  reason: z.string().optional(),
  messages: z.array(LeanMessage),
  axioms: z.array(z.string()),
  elapsedMs: z.number(),
  /** With `trace: true`: each tactic of the submission in source order (absent when the submission could not be traced). */
  trace: z.array(TracedTactic).optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

/** A batch id (cluster mode): letters, digits, `_ . -`, at most 128. */
export const BatchId = z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'letters, digits, _ . - (at most 128)');

/** The body of `POST /v1/check`. */
export const CheckRequest = z
  .object({
    items: z.array(CheckItem).min(1).max(100_000),
    allowedAxioms: z.array(z.string()).optional(),
    /** Cluster mode: an idempotency key; re-submitting it returns the recorded results and runs only unanswered items. */
    batchId: BatchId.optional(),
    /** Also return each tactic of every item with its goals before and after (`CheckResult.trace`); one node only (not in cluster mode). */
    trace: z.boolean().optional(),
  })
  .strict();
export type CheckRequest = z.infer<typeof CheckRequest>;

/** Counts per verdict. */
export const CheckSummary = z.object({
  total: z.number().int(),
  proved: z.number().int(),
  failed: z.number().int(),
  incomplete: z.number().int(),
  timeout: z.number().int(),
  error: z.number().int(),
  /** Cluster mode: items that ran more than once (a worker crash or a node death) before their result was recorded. */
  retried: z.number().int().optional(),
});
export type CheckSummary = z.infer<typeof CheckSummary>;

/** The answer to a small (not streamed) `POST /v1/check`: results in item order and the counts. */
export const CheckResponse = z.object({ results: z.array(CheckResult), summary: CheckSummary });
export type CheckResponse = z.infer<typeof CheckResponse>;

/** The path parameters of `GET /v1/check/{batchId}`. */
export const BatchParams = z.object({ batchId: BatchId });

/** The last NDJSON line of a streamed batch: the counts (and, in cluster mode, the batch id). */
export const CheckStreamEnd = z.object({ summary: CheckSummary, batchId: z.string().optional() });
export type CheckStreamEnd = z.infer<typeof CheckStreamEnd>;

/**
 * One NDJSON line of `GET /v1/check/{batchId}` (and of a streamed `POST /v1/check`): an item's
 * result, or the closing `{summary, batchId}`.
 */
export const CheckStreamLine = z.union([CheckResult, CheckStreamEnd]);
export type CheckStreamLine = z.infer<typeof CheckStreamLine>;

/** The query of `POST /v1/check`: `stream=true` asks for NDJSON (one result per line, then `{summary}`). */
export const CheckQuery = z.object({ stream: z.string().optional().describe('`true`: stream NDJSON, one result per line as items finish, then `{"summary": …}`') });
