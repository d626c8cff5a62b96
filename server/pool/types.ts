/** Types shared by the worker pool, its worker supply, and their users. */
import type { Logger } from 'pino';

/** What the pool needs of a worker (a LeanWorker; pure scheduling tests use a stand-in). */
export interface PoolWorker {
  readonly alive: boolean;
  readonly pid: number | undefined;
  readonly headerCounts: { imports: number; evictions: number };
  hasHeader(header: string): boolean;
  rssBytes(): number | undefined;
  /** Why the worker asks to be replaced after its current job (its wasm heap grew past the limit), if it does. */
  readonly retireReason?: string;
  /** Forged replies seen, and requests that left threads running (the worker's security counts). */
  readonly securityCounts?: { forgedFrames: number; leftoverThreads: number };
  onExitOnce(cb: (reason: string) => void): void;
  dispose(): Promise<void>;
}

/** A worker handed to a job, with the slot and worker generation it belongs to. */
export interface Lease<W> {
  worker: W;
  slot: number;
  /** Increases each time the slot gets a new worker: REPL ids from another generation are gone. */
  generation: number;
}

/** Where a job wants to run. */
export interface JobSpec {
  /** Fairness key: a session id, or one per batch request. */
  tenant: string;
  /** The header the job imports (to prefer a worker that has it). */
  header?: string;
  /** The worker the job's proof states live on; honoured while that worker lives. */
  on?: { slot: number; generation: number };
  /** Part of a request accepted by {@link WorkerPool.admit} (a batch's items): still runs while draining. */
  finishOnShutdown?: boolean;
}

/** Pool settings. */
export interface PoolOptions<W> {
  /** Workers serving (not counting spares). */
  size: number;
  /** Jobs one worker runs at once (default 1). */
  slotsPerWorker?: number;
  /** Whether a job's error means its worker was lost under it (exited, killed, tampered with): such a job that shared its worker is retried alone. */
  isWorkerLoss?: (e: unknown) => boolean;
  /** Ready workers kept besides the slots, to take a slot at once when its worker goes (default 0). */
  spares?: number;
  /** Starts a worker; once `signal` is aborted (shutdown) it must stop the process and reject. */
  spawn: (signal: AbortSignal) => Promise<W>;
  maxQueue: number;
  maxQueuePerTenant: number;
  /** Recycle a worker whose RSS passes this (bytes; 0 = never). */
  maxRssBytes?: number;
  /** Recycle a worker after this many jobs (0 = never). */
  recycleAfterRequests?: number;
  logger?: Logger;
}

/** Pool state for /health and /metrics. */
export interface PoolStats {
  size: number;
  /** Jobs one worker runs at once. */
  slotsPerWorker: number;
  ready: number;
  /** Jobs running now. */
  busy: number;
  /** Worker starts in progress (for slots or spares). */
  starting: number;
  /** Ready spares (started, not serving) and how many the pool keeps. */
  spares: number;
  spareTarget: number;
  /** Slots that got a ready spare when their worker went. */
  promotions: number;
  queued: number;
  restarts: number;
  recycles: number;
  headerImports: number;
  headerEvictions: number;
  jobs: number;
  /** Jobs run again alone after the worker they shared was lost. */
  retries: number;
  /** Forged replies seen by the pool's workers (each first one replaced its worker). */
  forgedFrames: number;
  /** Requests after which a worker had more threads than when it became ready (each retired its worker). */
  leftoverThreads: number;
}

/** What the pool reports of a change of workers (for tests and the bench). */
export type PoolEvent =
  | { kind: 'ready'; pid?: number }
  | { kind: 'promoted'; slot: number; generation: number; pid?: number }
  | { kind: 'assigned'; slot: number; generation: number; pid?: number }
  | { kind: 'lost'; slot?: number; pid?: number; reason: string };
