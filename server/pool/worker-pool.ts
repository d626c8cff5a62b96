/**
 * A pool of Lean workers. Each worker serves up to `slotsPerWorker` jobs at once (a job is one
 * API request: a tactic step, a whole check); jobs wait in a bounded queue that is fair between
 * tenants. A job goes to the worker its proof states live on, else to a worker with a free slot
 * that already has its header imported, else to the least-loaded one. A job that failed because
 * its worker died while it shared that worker with other jobs runs again, once, alone on a
 * worker: a neighbour's crash, timeout or forgery is not its own. Besides the serving slots the pool
 * keeps `spares` workers started and ready: a worker that dies, times out or is recycled is
 * replaced at once by a spare (its states are rebuilt by replay by their owners) and a new
 * spare starts in the background; without a ready spare a replacement is started.
 */
import { PoolError } from './errors.js';

export { PoolError } from './errors.js';

const SHUTTING_DOWN = 'the server is shutting down';
import { FairQueue, type QueueRefusal } from './fair-queue.js';
import { WorkerSupply } from './worker-supply.js';
import type { Job, Running, Slot } from './pool-records.js';
import type { JobSpec, Lease, PoolEvent, PoolOptions, PoolStats, PoolWorker } from './types.js';

export type { JobSpec, Lease, PoolEvent, PoolOptions, PoolStats, PoolWorker } from './types.js';
export { forEachLimited } from './for-each-limited.js';

/** N workers, a fair bounded queue, replacement and recycling. */
export class WorkerPool<W extends PoolWorker> {
  private readonly slots: Slot<W>[];
  /** Jobs one worker runs at once. */
  private readonly lanes: number;
  /** Jobs to run again alone (their shared worker was lost), oldest first; served before the queue. */
  private readonly retries: Job<W>[] = [];
  private readonly queue: FairQueue<Job<W>>;
  private readonly supply: WorkerSupply<W>;
  private readonly spareTarget: number;
  private readonly listeners = new Set<(e: PoolEvent) => void>();
  /** Waiters of start(): resolved once every slot and spare is filled, or a start failed. */
  private readonly startWaiters: ((failed: boolean) => void)[] = [];
  private closing = false;
  /** True while close() lets accepted work finish. */
  private draining = false;
  /** Accepted multi-job requests in progress. */
  private admitted = 0;
  private closed: Promise<void> | undefined;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly totals = { restarts: 0, recycles: 0, promotions: 0, headerImports: 0, headerEvictions: 0, jobs: 0, retries: 0, forgedFrames: 0, leftoverThreads: 0 };
  /** Moving average of job time, for the retry hint. */
  private avgJobMs = 100;

  constructor(private readonly opts: PoolOptions<W>) {
    this.lanes = Math.max(1, opts.slotsPerWorker ?? 1);
    this.slots = Array.from({ length: opts.size }, (_, index) => ({ index, generation: 0, running: new Set<Running>(), exclusive: false, jobs: 0 }));
    this.queue = new FairQueue({ maxTotal: opts.maxQueue, maxPerTenant: opts.maxQueuePerTenant });
    this.spareTarget = opts.spares ?? 0;
    this.supply = new WorkerSupply<W>({
      spawn: opts.spawn,
      logger: opts.logger,
      onReady: (w) => this.onReady(w),
      onFailure: (e) => this.onStartFailure(e),
      onRetry: () => this.replenish(),
    });
  }

  /**
   * Start the workers: the serving slots first, then the spares once every slot is served;
   * resolves when all are ready (or a start has failed).
   */
  async start(): Promise<void> {
    const done = new Promise<boolean>((r) => this.startWaiters.push(r));
    this.replenish();
    await done;
  }

  /** Listen to worker changes (ready, promoted, assigned, lost); returns a function that stops listening. */
  onEvent(cb: (e: PoolEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
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
              (v) => ({ settle: () => resolve(v) }),
              (e: unknown) => ({ settle: () => reject(e), error: e }),
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

  /** Ready spares (not serving). */
  spares(): { pid?: number; rssBytes?: number }[] {
    return this.supply.spares.map((w) => ({ pid: w.pid, rssBytes: w.rssBytes() }));
  }

  /** Live workers with their slot index, generation, whether jobs hold them and how many. */
  workers(): { slot: number; generation: number; pid?: number; busy: boolean; running: number; jobs: number; rssBytes?: number }[] {
    return this.slots.flatMap((s) =>
      s.worker?.alive
        ? [{ slot: s.index, generation: s.generation, pid: s.worker.pid, busy: s.running.size > 0, running: s.running.size, jobs: s.jobs, rssBytes: s.worker.rssBytes() }]
        : [],
    );
  }

  /** Counts for /health and /metrics. */
  stats(): PoolStats {
    const serving = this.slots.flatMap((s) => (s.worker ? [s.worker] : []));
    const live = [...serving, ...this.supply.spares];
    return {
      size: this.slots.length,
      slotsPerWorker: this.lanes,
      ready: serving.filter((w) => w.alive).length,
      busy: this.slots.reduce((n, s) => n + s.running.size, 0),
      starting: this.supply.starting,
      spares: this.supply.spares.length,
      spareTarget: this.spareTarget,
      promotions: this.totals.promotions,
      queued: this.queue.size,
      restarts: this.totals.restarts,
      recycles: this.totals.recycles,
      headerImports: this.totals.headerImports + live.reduce((n, w) => n + w.headerCounts.imports, 0),
      headerEvictions: this.totals.headerEvictions + live.reduce((n, w) => n + w.headerCounts.evictions, 0),
      jobs: this.totals.jobs,
      retries: this.totals.retries,
      forgedFrames: this.totals.forgedFrames + live.reduce((n, w) => n + (w.securityCounts?.forgedFrames ?? 0), 0),
      leftoverThreads: this.totals.leftoverThreads + live.reduce((n, w) => n + (w.securityCounts?.leftoverThreads ?? 0), 0),
    };
  }

  /**
   * Stop: new jobs are refused at once; queued and running jobs may finish within `graceMs`;
   * then what is still queued gets `shutting_down` and every worker is stopped, spares and
   * workers still starting included (resolves once their processes are gone).
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
    for (const job of [...this.retries.splice(0), ...this.queue.clear()]) job.reject(new PoolError('shutting_down', 'the server shut down before this request ran'));
    for (const r of this.startWaiters.splice(0)) r(true);
    await Promise.all([
      this.supply.close(),
      ...this.slots.map((s) => {
        const w = s.worker;
        s.worker = undefined;
        return w?.dispose();
      }),
    ]);
  }

  private overloaded(why: QueueRefusal): PoolError {
    const perWorker = this.queue.size / Math.max(1, this.slots.length * this.lanes);
    const retryAfterMs = Math.min(60_000, Math.max(100, Math.ceil(this.avgJobMs * (perWorker + 1))));
    const what = why === 'queue_full' ? `the request queue is full (${this.queue.size} waiting)` : 'this session already has the most requests allowed waiting';
    return new PoolError('overloaded', `${what}; retry in ${retryAfterMs} ms`, { retryAfterMs, reason: why });
  }

  /**
   * Fill empty slots with ready spares, then start what is missing: a worker for each empty
   * slot that no start in progress will fill, and, once every slot is served, the spares.
   */
  private replenish(): void {
    if (this.closing) return;
    this.promoteSpares();
    const empty = this.slots.filter((s) => !s.worker).length;
    const starting = this.supply.starting;
    if (empty > starting) this.supply.launch(empty - starting);
    else if (empty === 0) this.supply.launch(Math.max(0, this.spareTarget - this.supply.spares.length - starting));
    this.checkStarted();
  }

  /** Give every slot without a worker a ready spare, if there is one. */
  private promoteSpares(): void {
    for (const slot of this.slots) {
      if (slot.worker) continue;
      const w = this.supply.take();
      if (!w) break;
      this.assign(slot, w, true);
    }
  }

  /** A slot gets a (new generation of) worker: a waiting spare (`promoted`) or one that just started. */
  private assign(slot: Slot<W>, w: W, promoted: boolean): void {
    slot.generation += 1;
    slot.worker = w;
    slot.jobs = 0;
    slot.draining = undefined;
    slot.exclusive = false;
    if (promoted) this.totals.promotions += 1;
    this.emit({ kind: promoted ? 'promoted' : 'assigned', slot: slot.index, generation: slot.generation, pid: w.pid });
    if (promoted) this.opts.logger?.info({ slot: slot.index, workerPid: w.pid }, 'spare Lean worker took the slot');
  }

  /** A start finished: the worker takes an empty slot, else becomes a spare. */
  private onReady(w: W): void {
    if (this.closing) return void w.dispose();
    w.onExitOnce((reason) => this.onWorkerExit(w, reason));
    this.emit({ kind: 'ready', pid: w.pid });
    const empty = this.slots.find((s) => !s.worker);
    if (empty) this.assign(empty, w, false);
    else this.supply.keep(w);
    this.replenish();
    this.dispatch();
  }

  private onStartFailure(e: unknown): void {
    if (this.slots.every((s) => !s.worker?.alive) && this.supply.starting === 0) {
      for (const job of this.queue.clear()) job.reject(new PoolError('no_worker', `no Lean worker could start: ${e instanceof Error ? e.message : String(e)}`));
    }
    for (const r of this.startWaiters.splice(0)) r(true);
  }

  /** Resolve start() once every slot has a worker and the spares are there. */
  private checkStarted(): void {
    if (this.slots.every((s) => s.worker) && this.supply.spares.length >= this.spareTarget) for (const r of this.startWaiters.splice(0)) r(false);
  }

  private emit(e: PoolEvent): void {
    for (const cb of this.listeners) cb(e);
  }

  /** A worker ended on its own (crash, kill, timeout): a spare takes its slot, or a replacement starts. */
  private onWorkerExit(w: W, reason: string): void {
    const slot = this.slots.find((s) => s.worker === w);
    if (slot) this.retire(slot);
    else if (!this.supply.remove(w)) return; // recycled or closed on purpose, or already handled
    if (this.closing) return;
    this.totals.restarts += 1;
    this.emit({ kind: 'lost', slot: slot?.index, pid: w.pid, reason });
    this.opts.logger?.warn({ slot: slot?.index ?? 'spare', workerPid: w.pid, reason }, 'Lean worker died; replacing it');
    this.replenish();
    this.dispatch();
  }

  /** Take a slot's worker out of service, keeping its counters. */
  private retire(slot: Slot<W>): W | undefined {
    const w = slot.worker;
    if (!w) return undefined;
    slot.worker = undefined;
    slot.draining = undefined;
    this.totals.headerImports += w.headerCounts.imports;
    this.totals.headerEvictions += w.headerCounts.evictions;
    // Counted when retired; a forgery seen after that (the process still writing) is not.
    this.totals.forgedFrames += w.securityCounts?.forgedFrames ?? 0;
    this.totals.leftoverThreads += w.securityCounts?.leftoverThreads ?? 0;
    return w;
  }

  /** Give free workers to retries (each alone on a worker), then to queued jobs, fairly. */
  private dispatch(): void {
    // Each waiting retry takes an idle worker, else reserves the least loaded one (which then
    // takes no new job until its running ones end).
    for (const s of this.slots) s.reserved = false;
    for (let i = 0; i < this.retries.length; ) {
      const open = this.slots.filter((s) => s.worker?.alive && !s.draining && !s.exclusive && !s.reserved);
      if (!open.length) break;
      const idle = open.find((s) => s.running.size === 0);
      if (idle) this.execute(idle, this.retries.splice(i, 1)[0]!);
      else {
        open.reduce((a, b) => (b.running.size < a.running.size ? b : a)).reserved = true;
        i += 1;
      }
    }
    for (;;) {
      let target: Slot<W> | undefined;
      const job = this.queue.take((j) => (target = this.slotFor(j)) !== undefined);
      if (!job || !target) break;
      this.execute(target, job);
    }
    this.notifyIdle();
  }

  private isIdle(): boolean {
    return this.admitted === 0 && this.queue.size === 0 && this.retries.length === 0 && !this.slots.some((s) => s.running.size > 0);
  }

  private notifyIdle(): void {
    if (this.isIdle()) for (const r of this.idleWaiters.splice(0)) r();
  }

  /** The worker a job should run on now, or undefined to keep it waiting. */
  private slotFor(job: Job<W>): Slot<W> | undefined {
    const spec = job.spec;
    const free = this.slots.filter((s) => s.worker?.alive && !s.exclusive && !s.reserved && !s.draining && s.running.size < this.lanes);
    const pinned = spec.on && this.slots[spec.on.slot];
    if (pinned && pinned.generation === spec.on!.generation && pinned.worker?.alive) return free.includes(pinned) ? pinned : undefined;
    if (!free.length) return undefined;
    const header = spec.header;
    const least = (xs: Slot<W>[]) => xs.reduce((a, b) => (b.running.size < a.running.size || (b.running.size === a.running.size && b.jobs < a.jobs) ? b : a));
    const withHeader = header === undefined ? [] : free.filter((s) => s.worker!.hasHeader(header));
    return withHeader.length ? least(withHeader) : least(free);
  }

  private execute(slot: Slot<W>, job: Job<W>): void {
    const run: Running = { shared: slot.running.size > 0 };
    for (const other of slot.running) other.shared = true;
    slot.running.add(run);
    if (job.exclusive) slot.exclusive = true;
    slot.jobs += 1;
    this.totals.jobs += 1;
    const t0 = Date.now();
    const worker = slot.worker!;
    void job.run({ worker, slot: slot.index, generation: slot.generation }).then(({ settle, error }) => {
      slot.running.delete(run);
      if (job.exclusive) slot.exclusive = false;
      // Killed during the job (a timeout): replace it now, before its exit is even reported.
      if (slot.worker === worker && !worker.alive) this.onWorkerExit(worker, 'stopped during a request');
      this.avgJobMs = 0.9 * this.avgJobMs + 0.1 * (Date.now() - t0);
      this.maybeRecycle(slot);
      if (run.shared && !job.exclusive && !this.closing && error !== undefined && this.opts.isWorkerLoss?.(error)) {
        // Its worker died while it shared it: run it again, alone, before anything else.
        this.opts.logger?.info({ slot: slot.index, workerPid: worker.pid, err: error instanceof Error ? error.message : String(error) }, 'retrying a job alone after its shared worker was lost');
        this.totals.retries += 1;
        job.exclusive = true;
        this.retries.push(job);
      } else settle(); // the worker is free before the caller continues
      this.dispatch();
    });
  }

  /** Between jobs: recycle a worker that asks for it or is past its memory ceiling or request budget. */
  private maybeRecycle(slot: Slot<W>): void {
    const w = slot.worker;
    if (!w?.alive || this.closing) return;
    const rss = this.opts.maxRssBytes ? w.rssBytes() : undefined;
    const why =
      slot.draining ??
      w.retireReason ??
      (rss !== undefined && rss > this.opts.maxRssBytes!
        ? `resident memory ${Math.round(rss / 2 ** 20)} MiB is past the ceiling`
        : this.opts.recycleAfterRequests && slot.jobs >= this.opts.recycleAfterRequests
          ? `served ${slot.jobs} requests`
          : undefined);
    if (!why) return;
    if (slot.running.size > 0) {
      // Other jobs still run on it: it takes no new one, and goes when the last ends.
      slot.draining = why;
      return;
    }
    this.retire(slot);
    this.totals.recycles += 1;
    this.opts.logger?.info({ slot: slot.index, workerPid: w.pid, why }, 'recycling Lean worker');
    this.emit({ kind: 'lost', slot: slot.index, pid: w.pid, reason: `recycled: ${why}` });
    this.promoteSpares();
    // The new start waits for the old process to be gone (memory).
    void w.dispose().finally(() => this.replenish());
  }
}
