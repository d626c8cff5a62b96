/** Errors the worker pool reports to its callers (mapped to the API's errors at the edges: `server/errors/`). */

/** Why the pool refused or dropped a job. */
export type PoolErrorKind =
  /** The queue, or this tenant's share of it, is full; `data.retryAfterMs` says when to retry. */
  | 'overloaded'
  /** The pool is closing and takes no new work (or closed before a queued job ran). */
  | 'shutting_down'
  /** No worker could start. */
  | 'no_worker';

/** An error from {@link WorkerPool.run} / {@link WorkerPool.admit}. */
export class PoolError extends Error {
  constructor(
    readonly kind: PoolErrorKind,
    message: string,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'PoolError';
  }
}
