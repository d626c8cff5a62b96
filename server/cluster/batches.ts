/**
 * The HTTP node's side of a cluster batch: accept it (admission control, headers stored once
 * by hash, one BullMQ job per item with an idempotent id) and read its results back from the
 * batch's Redis stream, each item exactly once, however many nodes ran it.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import type { CheckItem, CheckResult } from '../../protocol/check.js';
import { splitHeader } from '../check/header-split.js';
import { jobId, parseResultEntry, type ItemJob, type ItemResult } from './jobs.js';
import { CHECK_QUEUE, KEY_PREFIX, RECORD_RESULT_LUA, failFastConnection, headerQueue, keys, sha256, waitingConnection } from './redis.js';

/** Settings of the producer side. */
export interface BatchOptions {
  url: string;
  /** Items waiting in the cluster queue beyond which a new batch is refused (`overloaded`). */
  maxQueue: number;
  /** Attempts per item on infrastructure failures (worker crash, node death). */
  attempts: number;
  /** How long results, headers and finished jobs are kept (seconds). */
  retentionS: number;
  /** Header affinity: items of a header used by at least `affinityMinItems` items of the batch go to that header's queue. */
  affinity: boolean;
  affinityMinItems: number;
  /** Workers alive in the cluster (for the retry hint). */
  clusterWorkers: () => Promise<number>;
  logger?: Logger;
}

/** The error answered while Redis cannot be reached. */
export function clusterUnavailable(e: unknown): ApiError {
  const why = e instanceof Error ? e.message : String(e);
  return new ApiError(ApiErrors.ClusterUnavailable, `the cluster's Redis is unreachable (${why}); nothing was accepted, retry later`, { retryAfterMs: 2000 });
}

/** Accepts batches and streams their results back. */
export class ClusterBatches {
  private readonly cmd: Redis;
  readonly queue: Queue;
  private readonly queues = new Map<string, Queue>();
  /** Moving average of an item's run time (ms), for the retry hint. */
  private avgItemMs = 2000;

  constructor(private readonly opts: BatchOptions) {
    this.cmd = failFastConnection(opts.url);
    this.cmd.on('error', () => undefined); // reported through requests and /health
    this.queue = this.queueNamed(CHECK_QUEUE);
  }

  private queueNamed(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.cmd, prefix: KEY_PREFIX });
      q.on('error', () => undefined);
      this.queues.set(name, q);
    }
    return q;
  }

  /** The queues in use: the general one and every registered header queue. */
  private async allQueues(): Promise<Queue[]> {
    const names = await this.cmd.zrange(keys.headerQueues, 0, -1);
    return [this.queue, ...names.map((n) => this.queueNamed(n))];
  }

  /** Job counts summed over the queues. */
  private async counts(...states: ('wait' | 'prioritized' | 'delayed' | 'paused' | 'active' | 'completed' | 'failed')[]): Promise<Record<string, number>> {
    const all = await Promise.all((await this.allQueues()).map((q) => q.getJobCounts(...states)));
    const sum: Record<string, number> = {};
    for (const c of all) for (const [k, v] of Object.entries(c)) sum[k] = (sum[k] ?? 0) + v;
    return sum;
  }

  /** Which queue each item goes to: its header's queue (a whole file's: its import lines) when affinity is on and the header is hot in this batch, else the general one. */
  private queueOf(items: readonly CheckItem[]): string[] {
    const hashes = items.map((i) => sha256(headerOf(i)));
    const uses = new Map<string, number>();
    for (const h of hashes) uses.set(h, (uses.get(h) ?? 0) + 1);
    return hashes.map((h) => (this.opts.affinity && uses.get(h)! >= this.opts.affinityMinItems ? headerQueue(h) : CHECK_QUEUE));
  }

  /** Whether the request connection to Redis is up. */
  get redisUp(): boolean {
    return this.cmd.status === 'ready';
  }

  /**
   * Accept a batch: refuse it when the queue is past `maxQueue`, store each distinct header once,
   * add one job per item not answered yet. Re-submitting a batch id with the same item ids adds
   * nothing already queued or answered. Throws `overloaded`, `cluster_unavailable`, or
   * `invalid_params` (the batch id was used for other items).
   */
  async submit(batchId: string, items: readonly CheckItem[], allowedAxioms: string[] | undefined): Promise<{ resubmitted: boolean; enqueued: number }> {
    if (!this.redisUp) throw clusterUnavailable(new Error(`connection ${this.cmd.status}`));
    try {
      const fingerprint = sha256(JSON.stringify(items.map((i) => i.id)));
      const queueOf = this.queueOf(items);
      const queueNames = [...new Set(queueOf)];
      const meta = JSON.stringify({ total: items.length, fingerprint, queues: queueNames });
      const ttl = this.opts.retentionS;
      const created = await this.cmd.set(keys.batchMeta(batchId), meta, 'EX', ttl, 'NX');
      let done = new Set<string>();
      if (!created) {
        const old = JSON.parse((await this.cmd.get(keys.batchMeta(batchId))) ?? '{}') as { fingerprint?: string };
        if (old.fingerprint !== fingerprint) throw new ApiError(ApiErrors.InvalidParams, `batch id ${batchId} was already used for a different list of items`);
        done = new Set(await this.cmd.hkeys(keys.batchDone(batchId)));
      } else {
        const counts = await this.counts('wait', 'prioritized', 'delayed', 'paused');
        const waiting = Object.values(counts).reduce((a, b) => a + b, 0);
        if (waiting + items.length > this.opts.maxQueue) {
          await this.cmd.del(keys.batchMeta(batchId));
          const workers = Math.max(1, await this.opts.clusterWorkers());
          const retryAfterMs = Math.min(300_000, Math.max(500, Math.ceil((this.avgItemMs * (waiting + items.length - this.opts.maxQueue)) / workers)));
          throw new ApiError(ApiErrors.Overloaded, `the cluster queue holds ${waiting} items; this batch of ${items.length} would pass the limit of ${this.opts.maxQueue}; retry in ${retryAfterMs} ms`, { retryAfterMs, reason: 'queue_full' });
        }
      }
      const headers = new Map<string, string>();
      const jobs = new Map<string, Parameters<Queue['addBulk']>[0]>();
      const acceptedAt = Date.now();
      for (const [index, item] of items.entries()) {
        if (done.has(String(index))) continue;
        let data: ItemJob;
        if ('header' in item) {
          const hash = sha256(item.header);
          headers.set(hash, item.header);
          data = { batchId, index, item: { ...item, header: '' }, headerHash: hash, allowedAxioms, acceptedAt };
        } else data = { batchId, index, item, allowedAxioms, acceptedAt };
        const queue = queueOf[index]!;
        if (!jobs.has(queue)) jobs.set(queue, []);
        jobs.get(queue)!.push({
          name: 'item',
          data,
          opts: {
            jobId: jobId(batchId, index),
            attempts: this.opts.attempts,
            backoff: { type: 'fixed', delay: 500 },
            removeOnComplete: { age: ttl },
            removeOnFail: { age: ttl },
          },
        });
      }
      // Headers first: a job never runs before its header is stored.
      for (const [hash, text] of headers) await this.cmd.set(keys.header(hash), text, 'EX', ttl);
      let enqueued = 0;
      for (const [queue, list] of jobs) {
        if (queue !== CHECK_QUEUE) await this.cmd.zadd(keys.headerQueues, Date.now(), queue);
        for (let k = 0; k < list.length; k += 1000) await this.queueNamed(queue).addBulk(list.slice(k, k + 1000));
        enqueued += list.length;
      }
      if (enqueued) await this.cmd.publish(keys.wake, batchId);
      return { resubmitted: !created, enqueued };
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw clusterUnavailable(e);
    }
  }

  /** How many items a batch has; undefined if no such batch is stored (never submitted, or expired). Throws `cluster_unavailable`. */
  async batchTotal(batchId: string): Promise<number | undefined> {
    if (!this.redisUp) throw clusterUnavailable(new Error(`connection ${this.cmd.status}`));
    try {
      const meta = await this.cmd.get(keys.batchMeta(batchId));
      return meta === null ? undefined : (JSON.parse(meta) as { total: number }).total;
    } catch (e) {
      throw clusterUnavailable(e);
    }
  }

  /**
   * The batch's results as they arrive (the stream is read from its start, so a re-submitted
   * batch gets the results recorded before), each index once, until all `total` are in or
   * `gone()` (the client left). Waits through a Redis outage. Items whose job failed for good
   * (attempts or stall limit reached) are answered with verdict `error`.
   */
  async *results(batchId: string, total: number, gone: () => boolean): AsyncGenerator<ItemResult> {
    const reader = waitingConnection(this.opts.url);
    reader.on('error', () => undefined);
    const seen = new Set<number>();
    let last = '0';
    let quietSince = Date.now();
    try {
      while (seen.size < total && !gone()) {
        let entries: [string, string[]][] = [];
        try {
          const r = (await reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', keys.batchResults(batchId), last)) as [string, [string, string[]][]][] | null;
          entries = r?.[0]?.[1] ?? [];
        } catch (e) {
          this.opts.logger?.warn({ err: e, batchId }, 'reading batch results failed; retrying');
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        for (const [id, fields] of entries) {
          last = id;
          const r = parseResultEntry(fields);
          if (!r || seen.has(r.index) || r.index >= total) continue;
          seen.add(r.index);
          this.avgItemMs = 0.95 * this.avgItemMs + 0.05 * r.result.elapsedMs;
          quietSince = Date.now();
          yield r;
        }
        if (Date.now() - quietSince > 3000) {
          quietSince = Date.now();
          await this.answerLostJobs(batchId, total, seen).catch(() => undefined);
        }
      }
    } finally {
      reader.disconnect();
    }
  }

  /** Items whose job failed for good or vanished get an `error` result (recorded once, like any result). */
  private async answerLostJobs(batchId: string, total: number, seen: Set<number>): Promise<void> {
    const meta = JSON.parse((await this.cmd.get(keys.batchMeta(batchId))) ?? '{}') as { queues?: string[] };
    const queues = (meta.queues ?? [CHECK_QUEUE]).map((n) => this.queueNamed(n));
    let checked = 0;
    for (let index = 0; index < total && checked < 200; index++) {
      if (seen.has(index)) continue;
      checked++;
      let job: Awaited<ReturnType<Queue['getJob']>>;
      for (const q of queues) if ((job = await q.getJob(jobId(batchId, index)))) break;
      const state = job ? await job.getState() : 'missing';
      if (state !== 'failed' && state !== 'missing') continue;
      const why = job?.failedReason ? `the job failed on every attempt: ${job.failedReason}` : 'the job was lost';
      const result: CheckResult = { id: '', verdict: 'error', reason: `not checked: ${why}`, messages: [], axioms: [], elapsedMs: 0 };
      const data = job?.data as ItemJob | undefined;
      result.id = data?.item.id ?? String(index);
      await recordResult(this.cmd, batchId, index, result, true, this.opts.retentionS);
    }
  }

  /** Job counts of the queue (for /health and /metrics). */
  async depth(): Promise<Record<string, number>> {
    return this.counts('wait', 'prioritized', 'delayed', 'active', 'completed', 'failed');
  }

  /** Close the connections. */
  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.cmd.disconnect();
  }
}

/** Record an item's result once (atomically: the done flag and the stream entry); true if this call recorded it. */
export async function recordResult(redis: Redis, batchId: string, index: number, result: CheckResult, retried: boolean, retentionS: number): Promise<boolean> {
  const n = await redis.eval(RECORD_RESULT_LUA, 2, keys.batchDone(batchId), keys.batchResults(batchId), String(index), JSON.stringify(result), String(retentionS), retried ? '1' : '0');
  return n === 1;
}

/** The header of a code item (its import lines) or of a header/body item. */
export function headerOf(item: CheckItem): string {
  return 'code' in item ? splitHeader(item.code).header : item.header;
}
