/**
 * A pool of Lean workers. Each worker serves one job at a time (a job is one API request:
 * a tactic step, a whole check); jobs wait in a bounded queue that is fair between tenants.
 * A job goes to the worker its proof states live on, else to a free worker that already has
 * its header imported, else to the least-used free worker. A worker that dies is replaced at
 * once (its states are rebuilt by replay by their owners); a worker past its memory ceiling
 * or request budget is recycled between jobs.
 */
import type { Logger } from 'pino';
import { PoolError } from './errors.js';

export { PoolError } from './errors.js';

const SHUTTING_DOWN = 'the server is shutting down';
import { FairQueue, type QueueRefusal } from './fair-queue.js';

/** What the pool needs of a worker (a LeanWorker; pure scheduling tests use a stand-in). */
export interface PoolWorker {
  readonly alive: boolean;
  readonly pid: number | undefined;
  readonly headerCounts: { imports: number; evictions: number };
  hasHeader(header: string): boolean;
  rssBytes(): number | undefined;
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
  size: number;
  /** Starts a worker. */
  spawn: () => Promise<W>;
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
  ready: number;
  busy: number;
  starting: number;
  queued: number;
  restarts: number;
  recycles: number;
  headerImports: number;
  headerEvictions: number;
  jobs: number;
}

interface Job<W> {
  tenant: string;
  spec: JobSpec;
  /** Runs the job; never rejects. Returns how to settle the caller, called once the worker is free again. */
  run: (lease: Lease<W>) => Promise<() => void>;
  reject: (e: unknown) => void;
}

interface Slot<W> {
  index: number;
  generation: number;
  worker?: W;
  starting: boolean;
  busy: boolean;
  jobs: number;
  startFailures: number;
}

/** N workers, a fair bounded queue, replacement and recycling. */
export class WorkerPool<W extends PoolWorker> {
  private readonly slots: Slot<W>[];
  private readonly queue: FairQueue<Job<W>>;
  private closing = false;
  /** True while close() lets accepted work finish. */
  private draining = false;
  /** Accepted multi-job requests in progress. */
  private admitted = 0;
  private closed: Promise<void> | undefined;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly totals = { restarts: 0, recycles: 0, headerImports: 0, headerEvictions: 0, jobs: 0 };
  /** Moving average of job time, for the retry hint. */
  private avgJobMs = 100;

  constructor(private readonly opts: PoolOptions<W>) {
    this.slots = Array.from({ length: opts.size }, (_, index) => ({ index, generation: 0, starting: false, busy: false, jobs: 0, startFailures: 0 }));
    this.queue = new FairQueue({ maxTotal: opts.maxQueue, maxPerTenant: opts.maxQueuePerTenant });
  }

  /** Start every worker; resolves when all are ready (or have failed once). */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.spawn(s)));
  }

  /** Resolves once at least one worker is ready. */
  async ready(): Promise<void> {
    while (!this.slots.some((s) => s.worker?.alive)) {
      if (this.closing) throw new PoolError('shutting_down', SHUTTING_DOWN);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Run `fn` with a worker to itself. Queued when none is free; refused at once with the
   * `overloaded` error (data: `retryAfterMs`) when the queue or the tenant's share is full,
   * or `shutting_down` after {@link close}.
   */
  run<T>(spec: JobSpec, fn: (lease: Lease<W>) => Promise<T>): Promise<T> {
    if (this.closing && !(spec.finishOnShutdown && this.draining)) return Promise.reject(new PoolError('shutting_down', SHUTTING_DOWN));
    return new Promise<T>((resolve, reject) => {
      const job: Job<W> = {
        tenant: spec.tenant,
        spec,
        run: (lease) =>
          Promise.resolve()
            .then(() => fn(lease))
            .then(
              (v) => () => resolve(v),
              (e: unknown) => () => reject(e),
            ),
        reject,
      };
      const refusal = this.queue.push(job);
      if (refusal) reject(this.overloaded(refusal));
      else this.dispatch();
    });
  }

  /**
   * Run a request made of several jobs (a batch) as one accepted unit: refused once shutdown
   * began, and {@link close} waits for it (within its grace period) once it is accepted.
   */
  async admit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closing) throw new PoolError('shutting_down', SHUTTING_DOWN);
    this.admitted += 1;
    try {
      return await fn();
    } finally {
      this.admitted -= 1;
      this.notifyIdle();
    }
  }

  /** The live worker of a slot if it is still the given generation (to release states on it). */
  peek(slot: number, generation: number): W | undefined {
    const s = this.slots[slot];
    return s && s.generation === generation && s.worker?.alive ? s.worker : undefined;
  }

  /** Any live worker (for reports). */
  any(): W | undefined {
    return this.slots.find((s) => s.worker?.alive)?.worker;
  }

  /** Live workers with their slot index, generation and whether a job holds them. */
  workers(): { slot: number; generation: number; pid?: number; busy: boolean; jobs: number; rssBytes?: number }[] {
    return this.slots.flatMap((s) =>
      s.worker?.alive ? [{ slot: s.index, generation: s.generation, pid: s.worker.pid, busy: s.busy, jobs: s.jobs, rssBytes: s.worker.rssBytes() }] : [],
    );
  }

  /** Counts for /health and /metrics. */
  stats(): PoolStats {
    const live = this.slots.flatMap((s) => (s.worker ? [s.worker] : []));
    return {
      size: this.slots.length,
      ready: live.filter((w) => w.alive).length,
      busy: this.slots.filter((s) => s.busy).length,
      starting: this.slots.filter((s) => s.starting).length,
      queued: this.queue.size,
      restarts: this.totals.restarts,
      recycles: this.totals.recycles,
      headerImports: this.totals.headerImports + live.reduce((n, w) => n + w.headerCounts.imports, 0),
      headerEvictions: this.totals.headerEvictions + live.reduce((n, w) => n + w.headerCounts.evictions, 0),
      jobs: this.totals.jobs,
    };
  }

  /**
   * Stop: new jobs are refused at once; queued and running jobs may finish within `graceMs`;
   * then what is still queued gets `shutting_down` and every worker is stopped.
   */
  close(graceMs = 0): Promise<void> {
    this.closed ??= this.drainAndStop(graceMs);
    return this.closed;
  }

  /** Whether {@link close} was called. */
  get isClosing(): boolean {
    return this.closing;
  }

  private async drainAndStop(graceMs: number): Promise<void> {
    this.closing = true;
    this.draining = true;
    if (!this.isIdle()) {
      await Promise.race([new Promise<void>((r) => this.idleWaiters.push(r)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    this.draining = false;
    for (const job of this.queue.clear()) job.reject(new PoolError('shutting_down', 'the server shut down before this request ran'));
    await Promise.all(
      this.slots.map((s) => {
        const w = s.worker;
        s.worker = undefined;
        return w?.dispose();
      }),
    );
  }

  private overloaded(why: QueueRefusal): PoolError {
    const perWorker = this.queue.size / Math.max(1, this.slots.length);
    const retryAfterMs = Math.min(60_000, Math.max(100, Math.ceil(this.avgJobMs * (perWorker + 1))));
    const what = why === 'queue_full' ? `the request queue is full (${this.queue.size} waiting)` : 'this session already has the most requests allowed waiting';
    return new PoolError('overloaded', `${what}; retry in ${retryAfterMs} ms`, { retryAfterMs, reason: why });
  }

  /** Start a worker in a slot (a new generation); retries with backoff on failure. */
  private async spawn(slot: Slot<W>): Promise<void> {
    if (this.closing) return;
    slot.generation += 1;
    slot.starting = true;
    try {
      const w = await this.opts.spawn();
      slot.starting = false;
      slot.startFailures = 0;
      if (this.closing) return void (await w.dispose());
      slot.worker = w;
      slot.jobs = 0;
      w.onExitOnce((reason) => this.onWorkerExit(slot, w, reason));
    } catch (e) {
      slot.starting = false;
      slot.startFailures += 1;
      const delay = Math.min(30_000, 1000 * 2 ** slot.startFailures);
      this.opts.logger?.error({ err: e, slot: slot.index, retryInMs: delay }, 'Lean worker failed to start');
      if (this.slots.every((s) => !s.worker?.alive && !s.starting)) {
        for (const job of this.queue.clear()) job.reject(new PoolError('no_worker', `no Lean worker could start: ${e instanceof Error ? e.message : String(e)}`));
      }
      setTimeout(() => void this.spawn(slot), delay).unref();
    }
    this.dispatch();
  }

  /** A worker ended on its own (crash, kill, timeout): replace it now. */
  private onWorkerExit(slot: Slot<W>, w: W, reason: string): void {
    if (slot.worker !== w) return; // recycled or closed on purpose
    this.retire(slot);
    if (this.closing) return;
    this.totals.restarts += 1;
    this.opts.logger?.warn({ slot: slot.index, workerPid: w.pid, reason }, 'Lean worker died; starting a replacement');
    void this.spawn(slot);
  }

  /** Take a slot's worker out of service, keeping its counters. */
  private retire(slot: Slot<W>): W | undefined {
    const w = slot.worker;
    if (!w) return undefined;
    slot.worker = undefined;
    this.totals.headerImports += w.headerCounts.imports;
    this.totals.headerEvictions += w.headerCounts.evictions;
    return w;
  }

  /** Give free workers to queued jobs, fairly. */
  private dispatch(): void {
    for (;;) {
      let target: Slot<W> | undefined;
      const job = this.queue.take((j) => (target = this.slotFor(j.spec)) !== undefined);
      if (!job || !target) break;
      this.execute(target, job);
    }
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.admitted === 0 && this.queue.size === 0 && !this.slots.some((s) => s.busy);
  }

  private notifyIdle(): void {
    if (this.isIdle()) for (const r of this.idleWaiters.splice(0)) r();
  }

  /** The free slot a job should run on now, or undefined to keep it waiting. */
  private slotFor(spec: JobSpec): Slot<W> | undefined {
    const free = this.slots.filter((s) => !s.busy && s.worker?.alive);
    const pinned = spec.on && this.slots[spec.on.slot];
    if (pinned && pinned.generation === spec.on!.generation && pinned.worker?.alive) return free.includes(pinned) ? pinned : undefined;
    if (!free.length) return undefined;
    const header = spec.header;
    return (header !== undefined && free.find((s) => s.worker!.hasHeader(header))) || free.reduce((a, b) => (b.jobs < a.jobs ? b : a));
  }

  private execute(slot: Slot<W>, job: Job<W>): void {
    slot.busy = true;
    slot.jobs += 1;
    this.totals.jobs += 1;
    const t0 = Date.now();
    const worker = slot.worker!;
    void job.run({ worker, slot: slot.index, generation: slot.generation }).then((settle) => {
      slot.busy = false;
      // Killed during the job (a timeout): replace it now, before its exit is even reported.
      if (slot.worker === worker && !worker.alive) this.onWorkerExit(slot, worker, 'stopped during a request');
      this.avgJobMs = 0.9 * this.avgJobMs + 0.1 * (Date.now() - t0);
      this.maybeRecycle(slot);
      settle(); // the worker is free before the caller continues
      this.dispatch();
    });
  }

  /** Between jobs: recycle a worker past its memory ceiling or request budget. */
  private maybeRecycle(slot: Slot<W>): void {
    const w = slot.worker;
    if (!w?.alive || this.closing) return;
    const rss = this.opts.maxRssBytes ? w.rssBytes() : undefined;
    const why =
      rss !== undefined && rss > this.opts.maxRssBytes!
        ? `resident memory ${Math.round(rss / 2 ** 20)} MiB is past the ceiling`
        : this.opts.recycleAfterRequests && slot.jobs >= this.opts.recycleAfterRequests
          ? `served ${slot.jobs} requests`
          : undefined;
    if (!why) return;
    this.retire(slot);
    this.totals.recycles += 1;
    this.opts.logger?.info({ slot: slot.index, workerPid: w.pid, why }, 'recycling Lean worker');
    void w.dispose().finally(() => this.spawn(slot));
  }
}

/** Run `fn` over `items` with at most `limit` calls running at once (e.g. one per worker). */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}
