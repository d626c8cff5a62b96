/**
 * The one mapper from lower layers' typed errors to the error registry. The errors are the
 * real classes the worker, the REPL and the pool throw (their own suites provoke them with
 * real Lean workers); here each kind is checked to land on its registry entry.
 */
import { describe, expect, test } from 'vitest';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import { toApiError } from '../../server/errors/to-api-error.js';
import { LeanWorkerError } from '../../server/lean/errors.js';
import { PoolError } from '../../server/pool/errors.js';

describe('toApiError', () => {
  test('worker failures: timeout and exit, saying what the client keeps', () => {
    const t = toApiError(new LeanWorkerError('worker_timeout', 'proof.tactic did not finish within 10 ms'));
    expect(t.spec).toBe(ApiErrors.WorkerTimeout);
    expect(t.message).toMatch(/did not finish.*session and its other states are kept/);
    expect(toApiError(new LeanWorkerError('worker_exited', 'Lean worker exited')).spec).toBe(ApiErrors.WorkerUnavailable);
    expect(toApiError(new LeanWorkerError('invalid_reply', 'bad reply')).spec).toBe(ApiErrors.Internal);
    const tampered = toApiError(new LeanWorkerError('worker_tampered', 'the worker was tampered with: a framed message in the program output'));
    expect(tampered.spec).toBe(ApiErrors.WorkerTampered);
    expect(tampered.message).toMatch(/tampered with.*session and its other states are kept/);
  });

  test("REPL errors keep their codes apart: a bad statement is statement_error, unknown_env is ours (internal)", () => {
    const parse = toApiError(new LeanWorkerError('repl_error', 'statement does not parse', -32012, { code: 'parse_error' }));
    expect(parse.spec).toBe(ApiErrors.StatementError);
    expect(parse.data).toEqual({ lean: { code: 'parse_error' } });
    const elab = toApiError(new LeanWorkerError('repl_error', 'the statement does not elaborate', -32013, { code: 'elaboration_error', messages: [] }));
    expect(elab.spec).toBe(ApiErrors.StatementError);
    expect(toApiError(new LeanWorkerError('repl_error', 'expected a statement of the form …', -32602)).spec).toBe(ApiErrors.StatementError);
    const env = toApiError(new LeanWorkerError('repl_error', 'unknown environment id 7', -32010, { code: 'unknown_env' }));
    expect(env.spec).toBe(ApiErrors.Internal);
    expect(env.data).toEqual({ replCode: 'unknown_env' });
    expect(toApiError(new LeanWorkerError('repl_error', 'unknown proof state id 3', -32011, { code: 'unknown_proof_state' })).data).toEqual({ replCode: 'unknown_proof_state' });
  });

  test('pool refusals keep their data', () => {
    const o = toApiError(new PoolError('overloaded', 'the request queue is full; retry in 200 ms', { retryAfterMs: 200, reason: 'queue_full' }));
    expect(o.spec).toBe(ApiErrors.Overloaded);
    expect(o.data).toEqual({ retryAfterMs: 200, reason: 'queue_full' });
    expect(toApiError(new PoolError('shutting_down', 'the server is shutting down')).spec).toBe(ApiErrors.ShuttingDown);
    expect(toApiError(new PoolError('no_worker', 'no Lean worker could start: x')).spec).toBe(ApiErrors.WorkerUnavailable);
  });

  test('registry errors pass through; anything else is internal', () => {
    const e = new ApiError(ApiErrors.UnknownSession, 'unknown or expired session ses_x');
    expect(toApiError(e)).toBe(e);
    const bug = toApiError(new TypeError('x is undefined'));
    expect(bug.spec).toBe(ApiErrors.Internal);
    expect(bug.message).toBe('internal error: x is undefined');
  });
});
