/**
 * Access limits on a real server over real sockets: oversized WebSocket messages get a
 * JSON-RPC error and the connection stays usable, a connection over its request rate gets
 * `rate_limited` with `retryAfterMs`, HTTP clients over theirs get 429 with Retry-After.
 * These routes never reach Lean, so the app's worker is never started.
 */
import { afterEach, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { RpcError } from '../../client/sdk.js';
import type { FastifyInstance } from 'fastify';
import { build, type AppOptions } from '../../server/app.js';
import { WorkerPool } from '../../server/pool/worker-pool.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import { LeanEnvClient } from '../../client/sdk.js';
import { rpcError } from '../support/rpc.js';
import { expectHttpError, watchErrorShapes } from '../support/http.js';
import { ApiErrors } from '../../protocol/api.js';
import { TokenBucket } from '../../server/ws/token-bucket.js';
import { loadConfig } from '../../server/config/config.js';
import { idleJudge } from '../support/judge.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** Listen on a free loopback port with a pool whose worker is never started. */
async function serve(o: Partial<AppOptions>): Promise<string> {
  const pool = new WorkerPool<LeanWorker>({ size: 1, spawn: () => Promise.reject(new Error('no worker in this test')), maxQueue: 1, maxQueuePerTenant: 1 });
  const app = await build({ pool, judge: idleJudge(), logLevel: 'warn', ...o });
  watchErrorShapes(app);
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

describe('WebSocket message size', () => {
  test('an oversized request gets message_too_large with its id; the connection stays usable', async () => {
    const url = await serve({ maxMessageBytes: 1024 });
    const c = await LeanEnvClient.connect(url);
    const e = await rpcError(c.openSession('-- '.repeat(1000)));
    expect(e.code).toBe(ApiErrors.MessageTooLarge.rpcCode);
    expect(e.data).toMatchObject({ code: 'message_too_large', maxMessageBytes: 1024 });
    expect(e.message).toMatch(/over the limit of 1024/);
    const raw = (await c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 'big-1', method: 'session.open', params: { header: 'x'.repeat(2000) } }))) as { id: unknown; error: { data: { code: string } } };
    expect(raw).toMatchObject({ id: 'big-1', error: { data: { code: 'message_too_large' } } });
    expect((await c.openSession('-- small')).header).toBe('-- small');
    await c.close();
  });

  test('a frame over 8x the limit closes the connection (1009)', async () => {
    const url = await serve({ maxMessageBytes: 1024 });
    const ws = new WebSocket(url.replace('http:', 'ws:') + '/v1/ws');
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(9 * 1024));
    expect(await closed).toBe(1009);
  });
});

describe('WebSocket request rate', () => {
  test('requests over the burst get rate_limited with retryAfterMs; after waiting they pass', async () => {
    const url = await serve({ wsRateLimit: { perSecond: 2, burst: 3 } });
    const c = await LeanEnvClient.connect(url);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => c.openSession()));
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(3);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as RpcError] : []));
    expect(refused.length).toBe(3);
    for (const e of refused) {
      expect(e.code).toBe(ApiErrors.RateLimited.rpcCode);
      expect(e.data?.code).toBe('rate_limited');
      expect(e.data?.retryAfterMs).toBeGreaterThan(0);
      expect(e.data?.retryAfterMs).toBeLessThanOrEqual(500);
    }
    await new Promise((r) => setTimeout(r, Math.max(...refused.map((e) => Number(e.data?.retryAfterMs ?? 0))) + 20));
    expect((await c.openSession()).sessionId).toMatch(/^ses_/);
    await c.close();
  });

  test('the token bucket refills at its rate up to its burst', () => {
    let now = 0;
    const b = new TokenBucket({ perSecond: 4, burst: 2 }, () => now);
    expect([b.take(), b.take()]).toEqual([0, 0]);
    expect(b.take()).toBe(250);
    now = 250;
    expect(b.take()).toBe(0);
    now = 10_000;
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 250]);
    expect(new TokenBucket({ perSecond: 0, burst: 1 }).take()).toBe(0);
  });
});

describe('HTTP request rate', () => {
  test('a client over the limit gets 429 with Retry-After; another token has its own count', async () => {
    const url = await serve({ httpRateLimit: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/health`)).status).not.toBe(429);
    const r = await fetch(`${url}/health`);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    const error = expectHttpError(r.status, await r.json(), 'rate_limited');
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.message).toMatch(/more than 3 requests/);
    expect((await fetch(`${url}/health`, { headers: { authorization: 'Bearer another-client-token' } })).status).not.toBe(429);
  });

  test('limits are configurable and on by default', () => {
    const d = loadConfig([], {});
    expect(d).toMatchObject({ wsRatePerSecond: 50, wsRateBurst: 100, httpRateLimitMax: 600, httpRateLimitWindowMs: 60_000 });
    const c = loadConfig(['--ws-rate-per-second', '0.5'], { LEANENV_HTTP_RATE_LIMIT_MAX: '0' });
    expect(c.wsRatePerSecond).toBe(0.5);
    expect(c.httpRateLimitMax).toBe(0);
  });
});
