/**
 * A node's side of cluster batches: takes batch items off the BullMQ queues (fetched by hand,
 * `Worker.getNextJob`, so the node decides which queue each free slot takes from: header
 * affinity, see queue-choice.ts), at most as many at once as this node has ready Lean
 * workers, runs each on the pool and records the result exactly once in the batch's stream.
 * A Lean verdict (failed and timeout included) is a result. Infrastructure failures (the
 * Lean worker died, this node is shutting down) fail the attempt, so BullMQ retries the item
 * up to its attempts; a node that dies stops renewing its jobs' locks and BullMQ's
 * stalled-job check gives them to another node. Bad job data is never retried.
 */
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CheckResult } from '../../protocol/check.js';
import { headerOf, recordResult } from './batches.js';
import { ItemJob, type ItemRunner } from './jobs.js';
import { firstQueues, otherQueues } from './queue-choice.js';
import { CHECK_QUEUE, KEY_PREFIX, headerQueue, keys, sha256, waitingConnection } from './redis.js';

/** Settings of the consumer side. */
export interface ConsumerOptions {
  url: string;
  /** This node's id (tie-breaks between idle nodes choosing a header queue). */
  nodeId: string;
  runItem: ItemRunner;
  /** How many items this node can run at once now (its ready workers); at least 1 is used. */
  capacity: () => number;
  retentionS: number;
  /** A job's lock: a dead node's items go back to the queue within about this time plus `stalledIntervalMs`. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** How often one job may be found stalled (its node died) before it fails for good. */
  maxStalledCount: number;
  /** Header affinity: take first from the queues of headers this node ran lately (off: the general queue first). */
  affinity: boolean;
  /** How many recently run headers count as this node's own (default 8, the pool's `maxHeaderEnvs`). */
  heldHeaders?: number;
  /** After this many items in a row from its own header queues, the general queue is tried first once (default 8). */
  fairnessEvery?: number;
  /** Poll period while idle (ms); a producer's publish on `keys.wake` wakes the node at once (default 500). */
  idlePollMs?: number;
  logger?: Logger;
}

/** Counters of this node's consumer. */
export interface ConsumerStats {
  ran: number;
  recorded: number;
  duplicates: number;
  retried: number;
  infraFailures: number;
  stalled: number;
  /** Items taken from this node's own header queues, from the general queue, from other header queues. */
  picks: { own: number; general: number; other: number };
  /** Queue wait of the items this node started (ms, most recent first, at most 1000). */
  queueWaitsMs: number[];
}

/** A job this node holds: the queue's worker object and the lock token. */
interface Taken {
  job: Job;
  worker: Worker;
  token: string;
  queue: string;
}

/** Consumes batch items from the cluster queues. */
export class ClusterConsumer {
  private readonly conn: Redis;
  private readonly shared: Redis;
  private sub: Redis | undefined;
  /** One BullMQ worker object per queue (the general one and each registered header queue). */
  private readonly workers = new Map<string, Worker>();
  private readonly active = new Map<string, Taken>();
  /** Header queues this node ran, least recent first. */
  private readonly held = new Map<string, number>();
  private readonly headers = new Map<string, string>();
  private ownStreak = 0;
  private queuesReadAt = 0;
  private stopping = false;
  private woken = false;
  private waker: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  readonly stats: ConsumerStats = { ran: 0, recorded: 0, duplicates: 0, retried: 0, infraFailures: 0, stalled: 0, picks: { own: 0, general: 0, other: 0 }, queueWaitsMs: [] };

  constructor(private readonly opts: ConsumerOptions) {
    this.conn = waitingConnection(opts.url);
    this.conn.on('error', () => undefined);
    this.shared = waitingConnection(opts.url);
    this.shared.on('error', () => undefined);
  }

  /** Start taking jobs. */
  start(): void {
    this.workerFor(CHECK_QUEUE);
    const sub = waitingConnection(this.opts.url);
    sub.on('error', () => undefined);
    sub.on('message', () => {
      this.queuesReadAt = 0; // a batch may have registered a new header queue
      this.wakeUp();
    });
    void sub.subscribe(keys.wake).catch(() => undefined);
    this.sub = sub;
    this.loopDone = this.loop();
  }

  /** Header queues this node counts as its own now (most recent first). */
  heldQueues(): string[] {
    return [...this.held.keys()].reverse();
  }

  private workerFor(queue: string): Worker {
    let w = this.workers.get(queue);
    if (w) return w;
    w = new Worker(queue, null, {
      connection: this.shared,
      prefix: KEY_PREFIX,
      autorun: false,
      lockDuration: this.opts.lockDurationMs,
      stalledInterval: this.opts.stalledIntervalMs,
      maxStalledCount: this.opts.maxStalledCount,
    });
    w.on('error', (e) => this.opts.logger?.warn({ err: e, queue }, 'cluster consumer: Redis error'));
    w.on('stalled', (id) => {
      this.stats.stalled += 1;
      void this.conn.hincrby(keys.counters, 'stalled', 1).catch(() => undefined);
      this.opts.logger?.warn({ jobId: id, queue }, 'cluster: a batch item stalled (its node died); it goes back to the queue');
    });
    void w.startStalledCheckTimer().catch(() => undefined);
    this.workers.set(queue, w);
    return w;
  }

  /**
   * Read the registry of header queues (at most once a second): a worker object for each. A
   * queue no batch has added to for the retention time leaves the registry once it is empty
   * (never while items wait in it), and its worker object is closed.
   */
  private async refreshQueues(): Promise<void> {
    if (Date.now() - this.queuesReadAt < 1000) return;
    this.queuesReadAt = Date.now();
    const old = await this.conn.zrangebyscore(keys.headerQueues, '-inf', Date.now() - this.opts.retentionS * 1000);
    for (const q of old) {
      const n = await this.conn.multi().llen(`${KEY_PREFIX}:${q}:wait`).llen(`${KEY_PREFIX}:${q}:active`).zcard(`${KEY_PREFIX}:${q}:delayed`).zcard(`${KEY_PREFIX}:${q}:prioritized`).exec();
      if ((n ?? []).every(([, v]) => Number(v) === 0)) await this.conn.zrem(keys.headerQueues, q);
    }
    const names = new Set(await this.conn.zrange(keys.headerQueues, 0, -1));
    for (const q of names) this.workerFor(q);
    for (const [q, w] of this.workers) {
      if (q === CHECK_QUEUE || names.has(q) || [...this.active.values()].some((t) => t.queue === q)) continue;
      this.workers.delete(q);
      this.held.delete(q);
      void w.close(true).catch(() => undefined);
    }
  }

  private wakeUp(): void {
    this.woken = true;
    this.waker?.();
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise<void>((r) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        r();
      }
      this.waker = done;
    }).then(() => {
      this.waker = undefined;
      this.woken = false;
    });
  }

  /** Fill free slots while there is work; sleep until a slot frees, a producer publishes, or the poll period ends. */
  private async loop(): Promise<void> {
    while (!this.stopping) {
      if (this.active.size < Math.max(1, this.opts.capacity())) {
        let t: Taken | undefined;
        try {
          t = await this.fetch();
        } catch (e) {
          this.opts.logger?.warn({ err: e }, 'cluster consumer: fetching a job failed');
        }
        if (t && this.stopping) {
          await t.job.moveToWait(t.token).catch(() => undefined);
          break;
        }
        if (t) {
          this.runJob(t);
          continue;
        }
      }
      await this.sleep(this.opts.idlePollMs ?? 500);
    }
  }

  private async take(queue: string): Promise<Taken | undefined> {
    const worker = this.workers.get(queue);
    if (!worker) return undefined;
    const token = randomUUID();
    const job = await worker.getNextJob(token, { block: false });
    return job ? { job, worker, token, queue } : undefined;
  }

  /** The next job for a free slot, by header affinity (queue-choice.ts). */
  private async fetch(): Promise<Taken | undefined> {
    await this.refreshQueues().catch(() => undefined);
    const fairness = this.opts.fairnessEvery ?? 8;
    const held = this.opts.affinity ? this.heldQueues().filter((q) => this.workers.has(q)) : [];
    const first = firstQueues({ held, general: CHECK_QUEUE, generalFirst: !this.opts.affinity || this.ownStreak >= fairness });
    for (const q of first) {
      const t = await this.take(q);
      if (!t) continue;
      if (q === CHECK_QUEUE) {
        this.stats.picks.general += 1;
        this.ownStreak = 0;
      } else {
        this.stats.picks.own += 1;
        this.ownStreak += 1;
      }
      return t;
    }
    const rest = [...this.workers.keys()].filter((q) => q !== CHECK_QUEUE && !held.includes(q));
    if (!rest.length) return undefined;
    const p = this.conn.pipeline();
    for (const q of rest) p.llen(`${KEY_PREFIX}:${q}:wait`).zcard(`${KEY_PREFIX}:${q}:prioritized`).zcard(`${KEY_PREFIX}:${q}:delayed`).llen(`${KEY_PREFIX}:${q}:active`);
    const n = ((await p.exec()) ?? []).map(([, v]) => Number(v ?? 0));
    const loads = rest.map((queue, i) => ({ queue, waiting: n[4 * i]! + n[4 * i + 1]! + n[4 * i + 2]!, active: n[4 * i + 3]! }));
    for (const q of otherQueues(loads, this.opts.nodeId)) {
      const t = await this.take(q);
      if (!t) continue;
      this.stats.picks.other += 1;
      this.ownStreak = 0;
      return t;
    }
    return undefined;
  }

  /** Run a taken job: renew its lock while it runs, then complete or fail it (BullMQ retries failures with attempts left). */
  private runJob(t: Taken): void {
    this.active.set(t.token, t);
    const renew = setInterval(() => void t.job.extendLock(t.token, this.opts.lockDurationMs).catch(() => undefined), this.opts.lockDurationMs / 2);
    void (async () => {
      let result: { recorded: boolean } | undefined;
      try {
        result = await this.process(t.job);
      } catch (e) {
        await t.job.moveToFailed(e instanceof Error ? e : new Error(String(e)), t.token, false).catch((err) => this.opts.logger?.warn({ err, jobId: t.job.id }, 'cluster consumer: failing a job failed'));
      }
      if (result) await t.job.moveToCompleted(result, t.token, false).catch((err) => this.opts.logger?.warn({ err, jobId: t.job.id }, 'cluster consumer: completing a job failed'));
    })().finally(() => {
      clearInterval(renew);
      this.active.delete(t.token);
      this.wakeUp();
    });
  }

  /** This node ran an item of this header: its header queue counts as its own (most recent first). */
  private hold(headerHash: string): void {
    const q = headerQueue(headerHash);
    this.held.delete(q);
    this.held.set(q, Date.now());
    while (this.held.size > (this.opts.heldHeaders ?? 8)) this.held.delete(this.held.keys().next().value!);
  }

  /**
   * Stop taking jobs; let running ones finish within `graceMs`, then hand the rest back to
   * their queues at once (another node takes them; their own runs here may still record a
   * result, which the exactly-once guard keeps single).
   */
  async drain(graceMs: number): Promise<void> {
    this.stopping = true;
    this.wakeUp();
    await this.loopDone;
    const deadline = Date.now() + graceMs;
    while (this.active.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const t of this.active.values()) await t.job.moveToWait(t.token).catch(() => undefined);
    await Promise.all([...this.workers.values()].map((w) => w.close(true).catch(() => undefined)));
    this.workers.clear();
    this.sub?.disconnect();
    this.shared.disconnect();
    this.conn.disconnect();
  }

  /** Whether the consumer's connection to Redis is up. */
  get redisUp(): boolean {
    return this.conn.status === 'ready';
  }

  private async process(job: Job): Promise<{ recorded: boolean }> {
    const parsed = ItemJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`malformed batch item job: ${parsed.error.message}`);
    const { batchId, index, item, headerHash, allowedAxioms, acceptedAt } = parsed.data;
    const retried = job.attemptsMade > 0 || (job.stalledCounter ?? 0) > 0;
    this.stats.ran += 1;
    await this.conn.hincrby(keys.batchRuns(batchId), String(index), 1);
    await this.conn.expire(keys.batchRuns(batchId), this.opts.retentionS);
    if (await this.conn.hexists(keys.batchDone(batchId), String(index))) {
      this.stats.duplicates += 1;
      return { recorded: false }; // answered already (a retry of a job whose result got through)
    }
    this.stats.queueWaitsMs.unshift(Date.now() - acceptedAt);
    this.stats.queueWaitsMs.length = Math.min(this.stats.queueWaitsMs.length, 1000);
    let header = '';
    if (headerHash) {
      const h = this.headers.get(headerHash) ?? (await this.conn.get(keys.header(headerHash)));
      if (h === null) return this.finish(batchId, index, errorResult(item.id, 'the header expired from Redis before the item ran'), retried);
      this.headers.set(headerHash, h);
      this.hold(headerHash);
      if (this.headers.size > 64) this.headers.delete(this.headers.keys().next().value!);
      header = h;
    } else if ('code' in item) {
      // A whole file: its import lines are the header (the pool's routing hint), its hash the header queue's.
      header = headerOf(item);
      this.hold(sha256(header));
    }
    const full = headerHash && 'header' in item ? { ...item, header } : item;
    let result: CheckResult;
    try {
      result = await this.opts.runItem(full, header, allowedAxioms);
    } catch (e) {
      this.stats.infraFailures += 1;
      const why = e instanceof Error ? e.message : String(e);
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        return this.finish(batchId, index, errorResult(item.id, `${why} (after ${job.attemptsMade + 1} attempts)`), true);
      }
      this.opts.logger?.warn({ jobId: job.id, attempt: job.attemptsMade + 1, err: why }, 'cluster: infrastructure failure on a batch item; it will be retried');
      throw e;
    }
    return this.finish(batchId, index, result, retried);
  }

  private async finish(batchId: string, index: number, result: CheckResult, retried: boolean): Promise<{ recorded: boolean }> {
    const recorded = await recordResult(this.conn, batchId, index, result, retried, this.opts.retentionS);
    if (recorded) {
      this.stats.recorded += 1;
      if (retried) {
        this.stats.retried += 1;
        await this.conn.hincrby(keys.counters, 'retried', 1);
      }
    } else this.stats.duplicates += 1;
    return { recorded };
  }
}

function errorResult(id: string, why: string): CheckResult {
  return { id, verdict: 'error', reason: `not checked: ${why}`, messages: [], axioms: [], elapsedMs: 0 };
}
