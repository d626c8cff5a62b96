/**
 * Sessions in Redis (cluster mode): a session's snapshot under `leanenv:session:{id}:data`
 * and its ownership epoch under `…:epoch`, both expiring `ttlMs` after the last change. A
 * claim increases the epoch; a save succeeds only with the current epoch (compare-and-set
 * in one Lua script), so after node B resumes a session node A can no longer write it.
 */
import type { Redis } from 'ioredis';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import type { SessionSnapshot, SessionStore } from '../sessions/store.js';
import { KEY_PREFIX, waitingConnection } from './redis.js';

const dataKey = (id: string) => `${KEY_PREFIX}:session:{${id}}:data`;
const epochKey = (id: string) => `${KEY_PREFIX}:session:{${id}}:epoch`;

/** KEYS: epoch, data; ARGV: ttl ms. Returns [new epoch, snapshot or false]. */
const CLAIM_LUA = `
local e = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {e, redis.call('GET', KEYS[2])}`;

/** KEYS: epoch, data; ARGV: epoch, snapshot, ttl ms. 1 if saved. */
const SAVE_LUA = `
if tonumber(redis.call('GET', KEYS[1]) or '-1') ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

/** Run a Redis call; while Redis is unreachable the request fails with `cluster_unavailable`. */
async function reach<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ApiError(ApiErrors.ClusterUnavailable, `the cluster's Redis is unreachable (${why}); the session could not be loaded or saved, retry later`, { retryAfterMs: 2000 });
  }
}

/** The Redis-backed session store. */
export class RedisSessionStore implements SessionStore {
  private readonly conn: Redis;

  constructor(
    url: string,
    private readonly ttlMs: number,
  ) {
    this.conn = waitingConnection(url, { maxRetriesPerRequest: 2 });
    this.conn.on('error', () => undefined);
  }

  /** Become the owner (a new epoch); the stored snapshot if any. */
  async claim(sessionId: string): Promise<{ epoch: number; snapshot?: SessionSnapshot }> {
    const [epoch, data] = (await reach(() => this.conn.eval(CLAIM_LUA, 2, epochKey(sessionId), dataKey(sessionId), String(this.ttlMs)))) as [number, string | null];
    return { epoch: Number(epoch), snapshot: data ? (JSON.parse(data) as SessionSnapshot) : undefined };
  }

  /** Save if `epoch` is still current. */
  async save(snapshot: SessionSnapshot, epoch: number): Promise<boolean> {
    return (await reach(() => this.conn.eval(SAVE_LUA, 2, epochKey(snapshot.id), dataKey(snapshot.id), String(epoch), JSON.stringify(snapshot), String(this.ttlMs)))) === 1;
  }

  /** Forget the session. */
  async delete(sessionId: string): Promise<void> {
    await reach(() => this.conn.del(dataKey(sessionId), epochKey(sessionId)));
  }

  /** Close the connection. */
  close(): void {
    this.conn.disconnect();
  }
}
