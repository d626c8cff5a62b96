/**
 * The public WebSocket JSON-RPC API for prover agents: method names, params and results
 * as zod schemas, and the error registry. Server, client and tests import this module.
 */
import { z } from 'zod';
import { Goal, LeanMessage } from './lean.js';
import { ProofTracesParams, ProofTracesResult, TacticMeta } from './traces.js';

export { Goal, LeanMessage };

/** Server-side ids: sessions `ses_…`, proofs `prf_…`, proof states `st_…`. */
const SessionId = z.string().min(1);
const StateId = z.string().min(1);
const ProofId = z.string().min(1);

/** `session.open`: a header (imports, `open`, `set_option`, notation) shared by the session's proofs. */
export const SessionOpenParams = z.object({ header: z.string().optional() }).strict();
export const SessionInfo = z.object({ sessionId: SessionId, header: z.string(), ttlMs: z.number() });

/** `session.resume`: reattach to a session after a reconnect (within its TTL). */
export const SessionResumeParams = z.object({ sessionId: SessionId }).strict();
/** `session.close`. */
export const SessionCloseParams = z.object({ sessionId: SessionId }).strict();

/** `proof.start`: from `theorem name binders : type` or a dataset item id. */
export const ProofStartParams = z
  .object({ sessionId: SessionId, statement: z.string().optional(), datasetId: z.string().optional() })
  .strict()
  .refine((p) => (p.statement === undefined) !== (p.datasetId === undefined), 'give exactly one of statement, datasetId');

/** A node of a proof tree, as clients see it. */
export const StateView = z.object({
  stateId: StateId,
  proofId: ProofId,
  status: z.enum(['open', 'solved']),
  goals: z.array(Goal),
  /** The tactic path from the start state. */
  depth: z.number().int(),
});
export const ProofStartResult = StateView;

/** `proof.apply` / `proof.expand` outcome of one tactic. */
export const TacticOutcome = z.discriminatedUnion('status', [
  z.object({
    status: z.enum(['open', 'solved']),
    tactic: z.string(),
    stateId: StateId,
    goals: z.array(Goal),
    /** True when this goal state was already reached by another path (same node). */
    duplicate: z.boolean(),
    /** True when the (state, tactic) result came from the cache. */
    cached: z.boolean(),
    messages: z.array(LeanMessage),
  }),
  z.object({ status: z.literal('failed'), tactic: z.string(), error: z.string(), messages: z.array(LeanMessage), cached: z.boolean() }),
]);
export type TacticOutcome = z.infer<typeof TacticOutcome>;
/** `meta`: the agent's annotation of the tactic (e.g. its log-probability), kept in the proof's traces, never interpreted. */
export const ProofApplyParams = z.object({ stateId: StateId, tactic: z.string().min(1), meta: TacticMeta.optional() }).strict();
/** `meta`: one annotation (or null) per tactic, in the order of `tactics`, kept in the proof's traces. */
export const ProofExpandParams = z
  .object({ stateId: StateId, tactics: z.array(z.string().min(1)).min(1).max(64), meta: z.array(TacticMeta.nullable()).max(64).optional() })
  .strict()
  .refine((p) => p.meta === undefined || p.meta.length === p.tactics.length, 'meta must have one entry (object or null) per tactic');
export const ProofExpandResult = z.object({ outcomes: z.array(TacticOutcome) });

/** `proof.tree`: the explored tree of a proof. */
export const ProofTreeParams = z.object({ proofId: ProofId }).strict();
export const ProofTree = z.object({
  proofId: ProofId,
  statement: z.string(),
  root: StateId,
  nodes: z.array(z.object({ stateId: StateId, status: z.enum(['open', 'solved']), goals: z.array(z.string()), depth: z.number().int() })),
  edges: z.array(z.object({ from: StateId, to: StateId, tactic: z.string() })),
  /** Failed attempts: a tactic tried on `from` that Lean refused, with its error. */
  failed: z.array(z.object({ from: StateId, tactic: z.string(), error: z.string() })),
});

/** `proof.verify`: sound verdict for a solved state and the whole proof text. */
export const ProofVerifyParams = z
  .object({
    stateId: StateId,
    /** Axioms the proof may use (replaces the default propext, Classical.choice, Quot.sound). */
    allowedAxioms: z.array(z.string().min(1).max(200)).max(64).optional(),
  })
  .strict();
export const ProofVerifyResult = z.object({
  proved: z.boolean(),
  reason: z.string().optional(),
  axioms: z.array(z.string()),
  tactics: z.array(z.string()),
  proofText: z.string(),
});

/** `proof.state`: one node with its structured goals (for a watcher, too). */
export const ProofStateParams = z.object({ stateId: StateId }).strict();

/** `session.watch`: follow another connection's session read-only; `proof.treeChanged` notifications follow. */
export const SessionWatchParams = z.object({ sessionId: SessionId }).strict();
export const SessionWatchResult = z.object({
  sessionId: SessionId,
  header: z.string(),
  /** The session's proofs so far (fetch each with `proof.tree`). */
  proofs: z.array(z.object({ proofId: ProofId, statement: z.string(), root: StateId })),
});
/** `session.unwatch`: stop the notifications of a watched session. */
export const SessionUnwatchParams = z.object({ sessionId: SessionId }).strict();

/**
 * `proof.treeChanged` (server → client notification, to watchers of the session): what a
 * proof's tree gained — a new proof (with its root node), nodes, edges, failed attempts.
 */
export const ProofTreeChanged = z.object({
  sessionId: SessionId,
  proofId: ProofId,
  statement: z.string(),
  root: StateId,
  nodes: ProofTree.shape.nodes,
  edges: ProofTree.shape.edges,
  failed: ProofTree.shape.failed,
});
export type ProofTreeChanged = z.infer<typeof ProofTreeChanged>;
/** Server → client notifications and their params. */
export const ApiNotifications = { 'proof.treeChanged': ProofTreeChanged } as const;

/** `dataset.search`: benchmark items whose id contains `query` (case-insensitive), for pickers. */
export const DatasetSearchParams = z
  .object({ query: z.string().max(200).default(''), limit: z.number().int().min(1).max(500).default(50) })
  .strict();
export const DatasetSearchResult = z.object({
  items: z.array(z.object({ id: z.string(), benchmark: z.string().nullable(), split: z.string().nullable(), statement: z.string() })),
  /** How many items matched in all (`items` holds at most `limit`). */
  total: z.number().int(),
});

/** `lean.tactics`: the tactic names the server's Lean has (the tactic category's leading tokens), for completion. */
export const LeanTacticsParams = z.object({}).strict();
export const LeanTacticsResult = z.object({
  /** Sorted, unique tactic keywords (`simp`, `omega`, `exact`, …). */
  names: z.array(z.string()),
  /** The imports they were read under. */
  header: z.string(),
});

/**
 * Every WebSocket method with its params and result schema and a one-line summary (the
 * generated reference docs/websocket-api.md is rendered from this table: `npm run docs`).
 */
export const ApiMethods = {
  'session.open': { params: SessionOpenParams, result: SessionInfo, summary: 'Open a session with a header (imports, `open`, `set_option`, notation) shared by its proofs.' },
  'session.resume': { params: SessionResumeParams, result: SessionInfo, summary: 'Reattach to a session after a reconnect, within its TTL.' },
  'session.close': { params: SessionCloseParams, result: z.object({ closed: z.boolean() }), summary: 'Close a session and drop its proofs.' },
  'proof.start': { params: ProofStartParams, result: ProofStartResult, summary: 'Start a proof from `theorem name binders : type` or a dataset item id; returns the root state.' },
  'proof.apply': { params: ProofApplyParams, result: TacticOutcome, summary: 'Apply one tactic (or a sequence) to a proof state.' },
  'proof.expand': { params: ProofExpandParams, result: ProofExpandResult, summary: 'Apply each of 1–64 tactics to the same state; one outcome per tactic, in order.' },
  'proof.tree': { params: ProofTreeParams, result: ProofTree, summary: 'The explored tree of a proof: nodes and tactic edges.' },
  'proof.verify': { params: ProofVerifyParams, result: ProofVerifyResult, summary: 'Sound verdict for a solved state: kernel check, axioms, and a re-check of the whole proof text.' },
  'proof.state': { params: ProofStateParams, result: StateView, summary: 'One proof state with its structured goals (a watcher may read it too).' },
  'session.watch': { params: SessionWatchParams, result: SessionWatchResult, summary: "Follow another connection's session read-only: its proofs now, then `proof.treeChanged` notifications." },
  'session.unwatch': { params: SessionUnwatchParams, result: z.object({ watching: z.boolean() }), summary: 'Stop the notifications of a watched session.' },
  'dataset.search': { params: DatasetSearchParams, result: DatasetSearchResult, summary: 'Benchmark items whose id contains the query (for pickers).' },
  'proof.traces': { params: ProofTracesParams, result: ProofTracesResult, summary: 'Training records of a proof or of a whole session: one per tactic edge and failed attempt (docs/traces.md).' },
  'lean.tactics': { params: LeanTacticsParams, result: LeanTacticsResult, summary: "The tactic names the server's Lean has (its parser tables), for completion; computed once per server." },
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType; summary?: string }>;
export type ApiMethod = keyof typeof ApiMethods;
export type ApiParams<M extends ApiMethod> = z.input<(typeof ApiMethods)[M]['params']>;
export type ApiResult<M extends ApiMethod> = z.infer<(typeof ApiMethods)[M]['result']>;

/** One error of the API: stable string code, JSON-RPC code, HTTP status. */
export interface ApiErrorSpec {
  code: string;
  rpcCode: number;
  httpStatus: number;
  message: string;
}

/** The error registry (JSON-RPC standard codes, then ours in -32000..-32099). */
export const ApiErrors = {
  ParseError: { code: 'parse_error', rpcCode: -32700, httpStatus: 400, message: 'message is not valid JSON' },
  InvalidRequest: { code: 'invalid_request', rpcCode: -32600, httpStatus: 400, message: 'not a JSON-RPC 2.0 request' },
  MessageTooLarge: { code: 'message_too_large', rpcCode: -32600, httpStatus: 413, message: 'message too large' },
  MethodNotFound: { code: 'method_not_found', rpcCode: -32601, httpStatus: 404, message: 'unknown method' },
  InvalidParams: { code: 'invalid_params', rpcCode: -32602, httpStatus: 400, message: 'invalid params' },
  Internal: { code: 'internal', rpcCode: -32603, httpStatus: 500, message: 'internal error' },
  UnknownSession: { code: 'unknown_session', rpcCode: -32001, httpStatus: 404, message: 'unknown or expired session' },
  UnknownState: { code: 'unknown_state', rpcCode: -32002, httpStatus: 404, message: 'unknown proof state' },
  UnknownProof: { code: 'unknown_proof', rpcCode: -32003, httpStatus: 404, message: 'unknown proof' },
  UnknownDatasetItem: { code: 'unknown_dataset_item', rpcCode: -32004, httpStatus: 404, message: 'unknown dataset item' },
  StatementError: { code: 'statement_error', rpcCode: -32005, httpStatus: 422, message: 'the statement does not elaborate' },
  HeaderError: { code: 'header_error', rpcCode: -32006, httpStatus: 422, message: 'the header does not elaborate' },
  WorkerTimeout: { code: 'worker_timeout', rpcCode: -32010, httpStatus: 504, message: 'the request ran past its time limit' },
  WorkerUnavailable: { code: 'worker_unavailable', rpcCode: -32011, httpStatus: 503, message: 'no Lean worker could serve the request' },
  Overloaded: { code: 'overloaded', rpcCode: -32012, httpStatus: 503, message: 'the request queue is full; retry after data.retryAfterMs' },
  ShuttingDown: { code: 'shutting_down', rpcCode: -32013, httpStatus: 503, message: 'the server is shutting down' },
  ClusterUnavailable: { code: 'cluster_unavailable', rpcCode: -32014, httpStatus: 503, message: "the cluster's Redis is unreachable; retry after data.retryAfterMs" },
  UnknownBatch: { code: 'unknown_batch', rpcCode: -32015, httpStatus: 404, message: 'unknown or expired batch' },
  WorkerTampered: { code: 'worker_tampered', rpcCode: -32016, httpStatus: 503, message: 'code under check forged a reply of its Lean worker; the request was not answered and the worker is replaced' },
  RateLimited: { code: 'rate_limited', rpcCode: -32029, httpStatus: 429, message: 'too many requests' },
  // HTTP only (no WebSocket request gets these; the JSON-RPC codes are reserved for them).
  Unauthorized: { code: 'unauthorized', rpcCode: -32030, httpStatus: 401, message: 'a valid bearer token is required' },
  Forbidden: { code: 'forbidden', rpcCode: -32031, httpStatus: 403, message: 'this client is not allowed' },
  NotFound: { code: 'not_found', rpcCode: -32032, httpStatus: 404, message: 'no such route' },
  UnsupportedMediaType: { code: 'unsupported_media_type', rpcCode: -32033, httpStatus: 415, message: 'unsupported content type' },
} as const satisfies Record<string, ApiErrorSpec>;

/** Every error code of the registry. */
export type ApiErrorCode = (typeof ApiErrors)[keyof typeof ApiErrors]['code'];
const API_ERROR_CODES = Object.values(ApiErrors).map((e) => e.code) as [ApiErrorCode, ...ApiErrorCode[]];

/**
 * The body of every HTTP error response: `{error: {code, message, ...data}}` with the
 * registry's code, a specific message and the error's data (e.g. `issues`, `retryAfterMs`).
 */
export const HttpErrorBody = z.object({
  error: z.object({ code: z.enum(API_ERROR_CODES), message: z.string() }).catchall(z.unknown()),
});
export type HttpErrorBody = z.infer<typeof HttpErrorBody>;

/** An API error with its registry entry, a specific message and optional data. */
export class ApiError extends Error {
  constructor(
    readonly spec: ApiErrorSpec,
    message?: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message ?? spec.message);
    this.name = 'ApiError';
  }
}
