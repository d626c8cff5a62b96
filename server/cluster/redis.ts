/**
 * Redis connections and key names of the cluster. Every node of a cluster talks to one Redis
 * (`REDIS_URL` / `--redis`); BullMQ holds the job queue, plain keys hold headers, results and
 * node heartbeats. Keys of one batch share a `{batchId}` hash tag (one Redis Cluster slot).
 */
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';

/** Prefix of every key the cluster writes (BullMQ's own keys use it too). */
export const KEY_PREFIX = 'leanenv';
/** The general BullMQ queue of batch-check items (items without a hot header, or all items with affinity off). */
export const CHECK_QUEUE = 'check';

/** The BullMQ queue of one hot header's items (header affinity): `check-h-<first 16 hex of its sha256>`. */
export function headerQueue(hash: string): string {
  return `${CHECK_QUEUE}-h-${hash.slice(0, 16)}`;
}

/** Key names. */
export const keys = {
  /** A header's text, by the sha256 of the text (stored once, shared by every item using it). */
  header: (hash: string) => `${KEY_PREFIX}:header:${hash}`,
  /** A batch's description (total items, fingerprint of the item ids). */
  batchMeta: (batchId: string) => `${KEY_PREFIX}:batch:{${batchId}}:meta`,
  /** Item index → 1 once its result is recorded (the exactly-once guard). */
  batchDone: (batchId: string) => `${KEY_PREFIX}:batch:{${batchId}}:done`,
  /** Item index → how many times a node started it (for tests and metrics). */
  batchRuns: (batchId: string) => `${KEY_PREFIX}:batch:{${batchId}}:runs`,
  /** The batch's results, one stream entry per item, in the order they finished. */
  batchResults: (batchId: string) => `${KEY_PREFIX}:batch:{${batchId}}:results`,
  /** A node's heartbeat (expires unless refreshed). */
  node: (nodeId: string) => `${KEY_PREFIX}:node:${nodeId}`,
  /** Sorted set of node ids by their last heartbeat (ms): the live nodes without scanning the keyspace. */
  nodes: `${KEY_PREFIX}:nodes`,
  /** Sorted set of header queues by when a batch last added items to them (ms): the queues nodes consume besides the general one. */
  headerQueues: `${KEY_PREFIX}:header-queues`,
  /** Pub/sub channel a producer publishes on after adding jobs: idle consumers wake at once instead of at their next poll. */
  wake: `${KEY_PREFIX}:wake`,
  /** Cluster-wide counters (retried items, stalled jobs). */
  counters: `${KEY_PREFIX}:counters`,
};

/** sha256 hex of a text (headers are stored under it). */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A connection for commands that may wait for Redis to come back (BullMQ workers, blocking
 * reads): retries forever, never gives up a command while reconnecting.
 */
export function waitingConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, retryStrategy: (n) => Math.min(2000, 100 * n), lazyConnect: false, ...extra });
}

/**
 * A connection for request-path commands (accepting a batch): fails at once while Redis is
 * unreachable, so the API can answer `cluster_unavailable` instead of hanging.
 */
export function failFastConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: (n) => Math.min(2000, 100 * n) });
}

/** Record one item's result unless it is recorded already; 1 if this call recorded it. KEYS: done, results; ARGV: index, result JSON, TTL (s), retried (0/1). */
export const RECORD_RESULT_LUA = `
if redis.call('HSETNX', KEYS[1], ARGV[1], '1') == 1 then
  redis.call('XADD', KEYS[2], '*', 'i', ARGV[1], 'r', ARGV[2], 'retried', ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[3])
  return 1
end
return 0`;
