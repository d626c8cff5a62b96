/**
 * A node's side of cluster batches: a BullMQ worker that takes batch items off the queue,
 * at most as many at once as this node has ready Lean workers (its concurrency follows the
 * pool), runs each on the pool and records the result exactly once in the batch's stream.
 * A Lean verdict (failed and timeout included) is a result. Infrastructure failures (the
 * Lean worker died, this node is shutting down) are thrown, so BullMQ retries the item up to
 * its attempts; a node that dies leaves its jobs to BullMQ's stalled-job check, which gives
 * them to another node. Bad job data is never retried.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CheckResult } from '../../protocol/check.js';
import { recordResult } from './batches.js';
import { ItemJob, type ItemRunner } from './jobs.js';
import { CHECK_QUEUE, KEY_PREFIX, keys, waitingConnection } from './redis.js';

/** Settings of the consumer side. */
export interface ConsumerOptions {
  url: string;
  runItem: ItemRunner;
  /** How many items this node can run at once now (its ready workers); at least 1 is used. */
  capacity: () => number;
  retentionS: number;
  /** A job's lock: a dead node's items go back to the queue within about this time plus `stalledIntervalMs`. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** How often one job may be found stalled (its node died) before it fails for good. */
  maxStalledCount: number;
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
  /** Queue wait of the items this node started (ms, most recent first, at most 1000). */
  queueWaitsMs: number[];
}

/** Consumes batch items from the cluster queue. */
export class ClusterConsumer {
  private readonly conn: Redis;
  private worker: Worker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly headers = new Map<string, string>();
  readonly stats: ConsumerStats = { ran: 0, recorded: 0, duplicates: 0, retried: 0, infraFailures: 0, stalled: 0, queueWaitsMs: [] };

  constructor(private readonly opts: ConsumerOptions) {
    this.conn = waitingConnection(opts.url);
    this.conn.on('error', () => undefined);
  }

  /** Start taking jobs. */
  start(): void {
    const w = new Worker(CHECK_QUEUE, (job) => this.process(job), {
      connection: waitingConnection(this.opts.url),
      prefix: KEY_PREFIX,
      concurrency: Math.max(1, this.opts.capacity()),
      lockDuration: this.opts.lockDurationMs,
      stalledInterval: this.opts.stalledIntervalMs,
      maxStalledCount: this.opts.maxStalledCount,
    });
    w.on('error', (e) => this.opts.logger?.warn({ err: e }, 'cluster consumer: Redis error'));
    w.on('stalled', (id) => {
      this.stats.stalled += 1;
      void this.conn.hincrby(keys.counters, 'stalled', 1).catch(() => undefined);
      this.opts.logger?.warn({ jobId: id }, 'cluster: a batch item stalled (its node died); it goes back to the queue');
    });
    this.worker = w;
    this.timer = setInterval(() => {
      const n = Math.max(1, this.opts.capacity());
      if (w.concurrency !== n) w.concurrency = n;
    }, 1000);
    this.timer.unref();
  }

  /**
   * Stop taking jobs; let running ones finish within `graceMs`, then hand the rest back (their
   * locks are released unrenewed, so another node takes them after the stalled-job check).
   */
  async drain(graceMs: number): Promise<void> {
    clearInterval(this.timer);
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    const closed = w.close();
    const timedOut = await Promise.race([closed.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref())]);
    if (timedOut) await w.close(true).catch(() => undefined);
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
      if (this.headers.size > 64) this.headers.delete(this.headers.keys().next().value!);
      header = h;
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
