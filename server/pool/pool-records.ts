/** The worker pool's own records: a job, a job running on a worker, and a worker's place in the pool. */
import type { JobSpec, Lease } from './types.js';

/** A queued or running job. */
export interface Job<W> {
  tenant: string;
  spec: JobSpec;
  /** Runs the job; never rejects. Returns how to settle the caller (called once the slot is free again) and the job's error, if any. */
  run: (lease: Lease<W>) => Promise<{ settle: () => void; error?: unknown }>;
  reject: (e: unknown) => void;
  /** Runs alone on its worker (a retry after a shared worker died). */
  exclusive?: boolean;
}

/** One job running on a worker; `shared` once another job ran on the same worker at the same time. */
export interface Running {
  shared: boolean;
}

/** A worker's place in the pool (its index and generation name where proof states live). */
export interface Slot<W> {
  index: number;
  generation: number;
  worker?: W;
  /** Jobs running on the worker now (at most `slotsPerWorker`). */
  running: Set<Running>;
  /** A job runs alone on the worker: no other is given it. */
  exclusive: boolean;
  /** Kept for a retry that waits for the worker's running jobs to end: no new job is given it. */
  reserved?: boolean;
  /** Why the worker is to be recycled once its running jobs end (none is given it meanwhile). */
  draining?: string;
  jobs: number;
}
