/**
 * A node's membership in a cluster: its heartbeat key (liveness, expiring unless refreshed),
 * the batch producer and consumer, and the cluster view for /health and /metrics. Built only
 * when a Redis URL is configured; without one the server runs alone as before.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { checkItem } from '../check/checker.js';
import type { Judge } from '../judge/judge.js';
import type { LeanWorker } from '../lean/worker.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import { ClusterBatches } from './batches.js';
import { ClusterConsumer } from './consumer.js';
import { RedisSessionStore } from './session-store.js';
import type { ItemRunner } from './jobs.js';
import { keys, waitingConnection } from './redis.js';

/** Cluster settings (from the configuration). */
export interface ClusterOptions {
  url: string;
  /** Items waiting in the cluster queue beyond which new batches get `overloaded`. */
  maxQueue: number;
  /** Attempts per item on infrastructure failures. */
  attempts?: number;
  /** Seconds results, headers and finished jobs are kept. */
  retentionS?: number;
  /** Heartbeat period; the key expires after three periods. */
  heartbeatMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  nodeId?: string;
  /** Header affinity across nodes (default on): hot headers get their own queue, nodes take first from headers they ran. */
  affinity?: boolean;
  /** Items of one header in a batch from which the header gets its own queue (default 2). */
  affinityMinItems?: number;
  /** How long a session is kept in Redis after its last change (its TTL). */
  sessionTtlMs?: number;
  logger?: Logger;
}

/** What a node's heartbeat says. */
export interface NodeBeat {
  nodeId: string;
  host: string;
  pid: number;
  workers: number;
  ready: number;
  busy: number;
  startedAt: number;
}

/** The cluster as one node sees it (for /health). */
export interface ClusterView {
  nodeId: string;
  redis: 'up' | 'down';
  nodes: NodeBeat[];
  queue: Record<string, number>;
  retried: number;
  stalled: number;
  thisNode: { ran: number; recorded: number; duplicates: number; retried: number; infraFailures: number; picks: { own: number; general: number; other: number } };
}

/** Pool counts the heartbeat reports. */
export interface PoolCounts {
  stats(): { size: number; slotsPerWorker: number; ready: number; busy: number };
}

/** One node of the cluster. */
export class ClusterNode {
  readonly nodeId: string;
  readonly batches: ClusterBatches;
  readonly consumer: ClusterConsumer;
  /** Sessions and proof trees, resumable on any node. */
  readonly sessions: RedisSessionStore;
  private readonly conn: Redis;
  private beatTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private readonly heartbeatMs: number;
  private closed: Promise<void> | undefined;

  constructor(
    private readonly pool: PoolCounts,
    runItem: ItemRunner,
    private readonly opts: ClusterOptions,
  ) {
    this.nodeId = opts.nodeId ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.heartbeatMs = opts.heartbeatMs ?? 2000;
    const retentionS = opts.retentionS ?? 3600;
    this.conn = waitingConnection(opts.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.conn.on('error', () => undefined);
    this.batches = new ClusterBatches({ url: opts.url, maxQueue: opts.maxQueue, attempts: opts.attempts ?? 3, retentionS, affinity: opts.affinity ?? true, affinityMinItems: opts.affinityMinItems ?? 2, clusterWorkers: async () => (await this.nodes()).reduce((n, b) => n + b.ready, 0), logger: opts.logger });
    this.sessions = new RedisSessionStore(opts.url, opts.sessionTtlMs ?? 600_000);
    this.consumer = new ClusterConsumer({
      url: opts.url,
      nodeId: this.nodeId,
      affinity: opts.affinity ?? true,
      runItem,
      capacity: () => pool.stats().ready * pool.stats().slotsPerWorker,
      retentionS,
      lockDurationMs: opts.lockDurationMs ?? 10_000,
      stalledIntervalMs: opts.stalledIntervalMs ?? 5_000,
      maxStalledCount: 3,
      logger: opts.logger,
    });
  }

  /** Start the heartbeat and take jobs once a worker is ready (`ready` resolves). */
  start(ready: Promise<void>): void {
    const beat = () => {
      const s = this.pool.stats();
      const b: NodeBeat = { nodeId: this.nodeId, host: os.hostname(), pid: process.pid, workers: s.size, ready: s.ready, busy: s.busy, startedAt: this.startedAt };
      void this.conn
        .multi()
        .set(keys.node(this.nodeId), JSON.stringify(b), 'PX', this.heartbeatMs * 3)
        .zadd(keys.nodes, Date.now(), this.nodeId)
        .exec()
        .catch(() => undefined);
    };
    beat();
    this.beatTimer = setInterval(beat, this.heartbeatMs);
    this.beatTimer.unref();
    void ready.then(
      () => this.consumer.start(),
      () => undefined,
    );
  }

  /** Nodes whose heartbeat has not expired (ids from the `nodes` sorted set; stale ids are pruned). */
  async nodes(): Promise<NodeBeat[]> {
    await this.conn.zremrangebyscore(keys.nodes, '-inf', Date.now() - this.heartbeatMs * 30);
    const ids = await this.conn.zrange(keys.nodes, 0, -1);
    if (!ids.length) return [];
    const values = await this.conn.mget(...ids.map((id) => keys.node(id)));
    return values.flatMap((v) => (v ? [JSON.parse(v) as NodeBeat] : [])).sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  /** The cluster view; `redis: 'down'` (and empty figures) while Redis is unreachable. */
  async view(): Promise<ClusterView> {
    const { ran, recorded, duplicates, retried, infraFailures, picks } = this.consumer.stats;
    const thisNode = { ran, recorded, duplicates, retried, infraFailures, picks: { ...picks } };
    try {
      if (this.conn.status !== 'ready') throw new Error('down');
      const [nodes, queue, counters] = await Promise.all([this.nodes(), this.batches.depth(), this.conn.hgetall(keys.counters)]);
      return { nodeId: this.nodeId, redis: 'up', nodes, queue, retried: Number(counters.retried ?? 0), stalled: Number(counters.stalled ?? 0), thisNode };
    } catch {
      return { nodeId: this.nodeId, redis: 'down', nodes: [], queue: {}, retried: 0, stalled: 0, thisNode };
    }
  }

  /** Drain (SIGTERM): stop taking jobs, let running ones finish within `graceMs` or hand them back, drop the heartbeat. */
  close(graceMs = 0): Promise<void> {
    this.closed ??= this.stop(graceMs);
    return this.closed;
  }

  private async stop(graceMs: number): Promise<void> {
    clearInterval(this.beatTimer);
    await this.consumer.drain(graceMs);
    await this.conn.multi().del(keys.node(this.nodeId)).zrem(keys.nodes, this.nodeId).exec().catch(() => undefined);
    await this.batches.close();
    this.sessions.close();
    this.conn.disconnect();
  }
}

/** The item runner of a real node: the pool's workers, the node's judge and the checker, waiting when the local queue is full. */
export function poolItemRunner(pool: WorkerPool<LeanWorker>, judge: Judge): ItemRunner {
  return (item, header, allowedAxioms) =>
    pool.run({ tenant: 'cluster', header, finishOnShutdown: true }, ({ worker }) => checkItem(worker, item, { judge, allowedAxioms }));
}

/** The cluster view as `leanenv_state{what}` gauges (cluster_*). */
export function clusterGauges(v: ClusterView): Record<string, number> {
  return {
    cluster_redis_up: v.redis === 'up' ? 1 : 0,
    cluster_nodes_alive: v.nodes.length,
    cluster_workers_ready: v.nodes.reduce((n, b) => n + b.ready, 0),
    cluster_queue_waiting: (v.queue.wait ?? 0) + (v.queue.prioritized ?? 0) + (v.queue.delayed ?? 0),
    cluster_queue_active: v.queue.active ?? 0,
    cluster_queue_failed: v.queue.failed ?? 0,
    cluster_retried: v.retried,
    cluster_stalled: v.stalled,
    cluster_node_items_ran: v.thisNode.ran,
    cluster_node_picks_own_header: v.thisNode.picks.own,
    cluster_node_picks_general: v.thisNode.picks.general,
    cluster_node_picks_other_header: v.thisNode.picks.other,
  };
}
