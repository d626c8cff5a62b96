/**
 * The one mapper from the errors lower layers throw to the API's error registry
 * (`protocol/api.ts` ApiErrors), used at the edges: the WebSocket route and the HTTP error
 * handler. Lower layers throw their own typed errors — {@link LeanWorkerError} (worker and
 * REPL), {@link PoolError} (pool) — or an {@link ApiError} when they already speak the API
 * (the session registry), or a {@link JudgeError} (the judge could not decide); fastify's own errors (body too large, bad JSON, unknown route,
 * schema validation) come through the HTTP handler.
 */
import { ApiError, ApiErrors } from '../../protocol/api.js';
import { LeanWorkerError } from '../lean/errors.js';
import { PoolError } from '../pool/errors.js';
import { JudgeError } from '../judge/judge.js';

/** Said of a request lost with its worker: what the client keeps. */
const AFTER_WORKER_LOSS = 'this request is lost; the session and its other states are kept and rebuilt on a new worker';

/** REPL error tags that mean the statement given to `proof.start` is wrong (the client's input). */
const STATEMENT_REPL_CODES = new Set(['parse_error', 'elaboration_error']);

/**
 * JSON-RPC invalid params from the REPL: the server's own params are typed against the REPL
 * protocol, so the one way a client causes it is a statement of the wrong form in `proof.start`.
 */
const REPL_INVALID_PARAMS = -32602;

/** The registry error for a failure of the worker or the REPL. */
function fromWorker(e: LeanWorkerError): ApiError {
  switch (e.kind) {
    case 'worker_timeout':
      return new ApiError(ApiErrors.WorkerTimeout, `${e.message}; ${AFTER_WORKER_LOSS}`);
    case 'worker_exited':
      return new ApiError(ApiErrors.WorkerUnavailable, `${e.message}; ${AFTER_WORKER_LOSS}`);
    case 'repl_error':
      if ((e.replCode && STATEMENT_REPL_CODES.has(e.replCode)) || e.rpcCode === REPL_INVALID_PARAMS) return new ApiError(ApiErrors.StatementError, e.message, { lean: e.data });
      // Any other REPL error (unknown_env, unknown_proof_state, ...) means the server sent the
      // REPL something wrong: ours, not the client's. The REPL's tag is kept in data.replCode.
      return new ApiError(ApiErrors.Internal, `internal error: the Lean REPL refused a request: ${e.message}`, { replCode: e.replCode ?? e.rpcCode });
    case 'invalid_reply':
      return new ApiError(ApiErrors.Internal, `internal error: ${e.message}`);
    case 'worker_tampered':
      return new ApiError(ApiErrors.WorkerTampered, `${e.message}; ${AFTER_WORKER_LOSS}`);
  }
}

/** The registry error for a pool refusal. */
function fromPool(e: PoolError): ApiError {
  switch (e.kind) {
    case 'overloaded':
      return new ApiError(ApiErrors.Overloaded, e.message, e.data);
    case 'shutting_down':
      return new ApiError(ApiErrors.ShuttingDown, e.message, e.data);
    case 'no_worker':
      return new ApiError(ApiErrors.WorkerUnavailable, e.message, e.data);
  }
}

/** Map anything thrown below the edges to a registry error; unknown errors are `internal`. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof LeanWorkerError) return fromWorker(e);
  if (e instanceof PoolError) return fromPool(e);
  // The judge could not decide (it died, timed out or could not start): no verdict, retry later.
  if (e instanceof JudgeError) return new ApiError(e.timedOut ? ApiErrors.WorkerTimeout : ApiErrors.WorkerUnavailable, e.message);
  return new ApiError(ApiErrors.Internal, `internal error: ${e instanceof Error ? e.message : String(e)}`);
}
