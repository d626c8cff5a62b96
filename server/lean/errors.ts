/** Errors a Lean worker reports to its callers. */

/** Why a worker request failed. */
export type LeanWorkerErrorKind =
  /** The request ran past its wall-clock limit; the worker was killed. */
  | 'worker_timeout'
  /** The worker process exited (crashed or was stopped) before answering. */
  | 'worker_exited'
  /** The REPL answered with a JSON-RPC error (unknown id, bad params, ...). */
  | 'repl_error'
  /** The REPL's answer did not match the protocol schema: a bug on one side. */
  | 'invalid_reply'
  /** A forged reply came from the worker (code under check wrote it): the request is not answered and the worker is replaced. */
  | 'worker_tampered';

/** An error from a {@link LeanWorker} request. */
export class LeanWorkerError extends Error {
  constructor(
    readonly kind: LeanWorkerErrorKind,
    message: string,
    /** For `repl_error`: the JSON-RPC error code and data. */
    readonly rpcCode?: number,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'LeanWorkerError';
  }

  /** For `repl_error`: the REPL's own error tag (`data.code`: `unknown_env`, `parse_error`, `elaboration_error`, ...). */
  get replCode(): string | undefined {
    const code = (this.data as { code?: unknown } | null | undefined)?.code;
    return typeof code === 'string' ? code : undefined;
  }
}
