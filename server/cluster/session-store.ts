/**
 * Sessions in Redis (cluster mode), written incrementally: a session is one Redis hash,
 * `leanenv:session:{id}:fields`, with one field per piece — `s` (id, header), `p:<proofId>`
 * (statement, root, id counter), `n:<stateId>` (a node with its goals and cached outcomes),
 * `e:<proofId>:<i>` and `f:<proofId>:<i>` (the i-th edge and failed attempt) — and its
 * ownership epoch under `…:epoch`, both expiring `ttlMs` after the last change. A save sends
 * only the fields that differ from what this store last wrote or read (a tactic step: the
 * parent node, the new node, one edge, the proof's counter). A claim increases the epoch; a
 * save succeeds only with the current epoch (compare-and-set in one Lua script with the
 * writes), so after node B resumes a session node A can no longer write it.
 */
import type { Redis } from 'ioredis';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import { serializeNode, type ProofTree, type SerializedProofTree } from '../sessions/proof-tree.js';
import type { SessionChange, SessionSnapshot, SessionStore } from '../sessions/store.js';
import { KEY_PREFIX, waitingConnection } from './redis.js';

const dataKey = (id: string) => `${KEY_PREFIX}:session:{${id}}:fields`;
const epochKey = (id: string) => `${KEY_PREFIX}:session:{${id}}:epoch`;

/** KEYS: epoch, data; ARGV: ttl ms. Returns [new epoch, the hash as a flat field/value list]. */
const CLAIM_LUA = `
local e = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {e, redis.call('HGETALL', KEYS[2])}`;

/**
 * KEYS: epoch, data; ARGV: epoch, ttl ms, 1 if this is a delta on a stored hash, n fields to
 * delete, those fields, then field/value pairs to set. 1 if saved, 0 if the epoch is stale, -1
 * if a delta was sent but the hash is gone (expired, or Redis lost it): send everything.
 * Fields go in chunks of 500 (Lua's `unpack` takes a few thousand values at most).
 */
const SAVE_LUA = `
if tonumber(redis.call('GET', KEYS[1]) or '-1') ~= tonumber(ARGV[1]) then return 0 end
if ARGV[3] == '1' and redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local ndel = tonumber(ARGV[4])
for i = 5, 4 + ndel, 1000 do redis.call('HDEL', KEYS[2], unpack(ARGV, i, math.min(i + 999, 4 + ndel))) end
for i = 5 + ndel, #ARGV, 1000 do redis.call('HSET', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** A snapshot as hash fields (see the file comment). */
export function snapshotFields(s: SessionSnapshot): Map<string, string> {
  const f = new Map<string, string>([['s', JSON.stringify({ id: s.id, header: s.header })]]);
  for (const t of s.proofs) {
    const { nodes, edges, failed, ...meta } = t;
    f.set(`p:${t.proofId}`, JSON.stringify(meta));
    for (const n of nodes) f.set(`n:${n.stateId}`, JSON.stringify(n));
    edges.forEach((e, i) => f.set(`e:${t.proofId}:${i}`, JSON.stringify(e)));
    (failed ?? []).forEach((e, i) => f.set(`f:${t.proofId}:${i}`, JSON.stringify(e)));
  }
  return f;
}

/** The number after the last `_` of a state id (creation order), or after the last `:` of a list field. */
function order(key: string): number {
  const n = Number(key.slice(Math.max(key.lastIndexOf('_'), key.lastIndexOf(':')) + 1));
  return Number.isFinite(n) ? n : 0;
}

/** A snapshot from its hash fields; undefined when there is none. */
export function snapshotFromFields(fields: ReadonlyMap<string, string>): SessionSnapshot | undefined {
  const s = fields.get('s');
  if (!s) return undefined;
  const { id, header } = JSON.parse(s) as { id: string; header: string };
  const proofs = new Map<string, SerializedProofTree>();
  const sorted = [...fields.keys()].sort((a, b) => order(a) - order(b));
  for (const k of sorted) if (k.startsWith('p:')) proofs.set(k.slice(2), { ...JSON.parse(fields.get(k)!), nodes: [], edges: [], failed: [] });
  for (const k of sorted) {
    const v = fields.get(k)!;
    if (k.startsWith('n:')) {
      const n = JSON.parse(v) as SerializedProofTree['nodes'][number];
      proofs.get(n.proofId)?.nodes.push(n);
    } else if (k.startsWith('e:') || k.startsWith('f:')) {
      const t = proofs.get(k.slice(2, k.lastIndexOf(':')));
      if (k.startsWith('e:')) t?.edges.push(JSON.parse(v));
      else t?.failed!.push(JSON.parse(v));
    }
  }
  return { id, header, proofs: [...proofs.values()] };
}

/** Run a Redis call; while Redis is unreachable the request fails with `cluster_unavailable`. */
async function reach<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ApiError(ApiErrors.ClusterUnavailable, `the cluster's Redis is unreachable (${why}); the session could not be loaded or saved, retry later`, { retryAfterMs: 2000 });
  }
}

/** What the last save sent (for tests and metrics). */
export interface SaveStats {
  fieldsSet: number;
  fieldsDeleted: number;
  /** Bytes of the field names and values sent. */
  bytes: number;
}

/** The Redis-backed session store. */
export class RedisSessionStore implements SessionStore {
  private readonly conn: Redis;
  /** Per session: the fields as this store last wrote or read them. */
  private readonly written = new Map<string, Map<string, string>>();
  /** What the last successful save sent. */
  lastSave: SaveStats = { fieldsSet: 0, fieldsDeleted: 0, bytes: 0 };

  constructor(
    url: string,
    private readonly ttlMs: number,
  ) {
    this.conn = waitingConnection(url, { maxRetriesPerRequest: 2 });
    this.conn.on('error', () => undefined);
  }

  /** Become the owner (a new epoch); the stored snapshot if any. */
  async claim(sessionId: string): Promise<{ epoch: number; snapshot?: SessionSnapshot }> {
    const [epoch, flat] = (await reach(() => this.conn.eval(CLAIM_LUA, 2, epochKey(sessionId), dataKey(sessionId), String(this.ttlMs)))) as [number, string[]];
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i]!, flat[i + 1]!);
    this.written.set(sessionId, fields);
    return { epoch: Number(epoch), snapshot: snapshotFromFields(fields) };
  }

  /** Save if `epoch` is still current, sending only the fields that changed. */
  async save(snapshot: SessionSnapshot, epoch: number): Promise<boolean> {
    const next = snapshotFields(snapshot);
    const before = this.written.get(snapshot.id);
    let r = await this.send(snapshot.id, epoch, next, before);
    if (r === -1) r = await this.send(snapshot.id, epoch, next, undefined);
    if (r !== 1) {
      this.written.delete(snapshot.id); // another node owns it now
      return false;
    }
    this.written.set(snapshot.id, next);
    return true;
  }

  /**
   * Save one change, serializing only what it touched: the session's own field, each changed
   * proof's field, the nodes named, and the edges and failed attempts past those stored. With
   * no earlier copy of the session here (or when the stored hash is gone), the whole session.
   */
  async saveChanges(session: { id: string; header: string }, trees: readonly ProofTree[], changes: readonly SessionChange[], epoch: number): Promise<boolean> {
    const before = this.written.get(session.id);
    if (!before?.size) return this.save({ ...session, proofs: trees.map((t) => t.toJSON()) }, epoch);
    const set = new Map<string, string>([['s', JSON.stringify({ id: session.id, header: session.header })]]);
    for (const c of changes) {
      const t = trees.find((x) => x.proofId === c.proofId);
      if (!t) continue;
      set.set(`p:${t.proofId}`, JSON.stringify(t.meta()));
      for (const id of c.stateIds) {
        const n = t.nodes.get(id);
        if (n) set.set(`n:${id}`, JSON.stringify(serializeNode(n)));
      }
      for (let i = t.edges.length - 1; i >= 0 && !before.has(`e:${t.proofId}:${i}`); i--) set.set(`e:${t.proofId}:${i}`, JSON.stringify(t.edges[i]));
      for (let i = t.failed.length - 1; i >= 0 && !before.has(`f:${t.proofId}:${i}`); i--) set.set(`f:${t.proofId}:${i}`, JSON.stringify(t.failed[i]));
    }
    for (const [k, v] of set) if (before.get(k) === v) set.delete(k);
    const r = await this.send(session.id, epoch, set, before, false);
    if (r === -1) return this.save({ ...session, proofs: trees.map((t) => t.toJSON()) }, epoch);
    if (r !== 1) {
      this.written.delete(session.id);
      return false;
    }
    for (const [k, v] of set) before.set(k, v);
    return true;
  }

  /** Send `next` against `before`: with `whole`, `next` is the whole session (fields missing from it are deleted); else only fields to set. */
  private async send(id: string, epoch: number, next: Map<string, string>, before: Map<string, string> | undefined, whole = true): Promise<number> {
    const set: string[] = [];
    for (const [k, v] of next) if (before?.get(k) !== v) set.push(k, v);
    const del = before && whole ? [...before.keys()].filter((k) => !next.has(k)) : [];
    const delta = before && before.size > 0 ? '1' : '0';
    const r = Number(await reach(() => this.conn.eval(SAVE_LUA, 2, epochKey(id), dataKey(id), String(epoch), String(this.ttlMs), delta, String(del.length), ...del, ...set)));
    if (r === 1) this.lastSave = { fieldsSet: set.length / 2, fieldsDeleted: del.length, bytes: [...set, ...del].reduce((n, x) => n + Buffer.byteLength(x), 0) };
    return r;
  }

  /** The stored snapshot without claiming the session (its owner keeps saving). */
  async read(sessionId: string): Promise<SessionSnapshot | undefined> {
    const fields = await reach(() => this.conn.hgetall(dataKey(sessionId)));
    return snapshotFromFields(new Map(Object.entries(fields)));
  }

  /** Forget the session. */
  async delete(sessionId: string): Promise<void> {
    this.written.delete(sessionId);
    await reach(() => this.conn.del(dataKey(sessionId), epochKey(sessionId)));
  }

  /** Close the connection. */
  close(): void {
    this.conn.disconnect();
  }
}
