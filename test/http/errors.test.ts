/**
 * Every HTTP error the server answers — 400, 401, 404, 413, 415, 429, 500, 503 — has the error
 * registry's status and shape `{error: {code, message, ...data}}` (fastify's own errors and the
 * rate limiter's included). A real server on real sockets; these requests never reach Lean, so
 * the pool's worker is never started.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { build, type AppOptions } from '../../server/app.js';
import { WorkerPool } from '../../server/pool/worker-pool.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import { expectHttpError, watchErrorShapes } from '../support/http.js';
import { idleJudge } from '../support/judge.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** A pool whose worker is never started (these requests are refused before they need one). */
function idlePool(): WorkerPool<LeanWorker> {
  return new WorkerPool<LeanWorker>({ size: 1, spawn: () => Promise.reject(new Error('no worker in this test')), maxQueue: 1, maxQueuePerTenant: 1 });
}

/** Build an app (with a route that fails with a bug, to see the 500), listen on a free port. */
async function serve(o: Partial<AppOptions> = {}): Promise<{ url: string; app: FastifyInstance; pool: WorkerPool<LeanWorker> }> {
  const pool = idlePool();
  const app = await build({ pool, judge: idleJudge(), logLevel: 'silent', ...o });
  app.get('/test-only/bug', async () => {
    throw new Error('a bug on our side');
  });
  watchErrorShapes(app);
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, app, pool };
}

/** POST a raw body to /v1/check. */
async function postCheck(url: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: unknown; headers: Headers }> {
  const r = await fetch(`${url}/v1/check`, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: r.status, body: await r.json(), headers: r.headers };
}

describe('HTTP errors have the registry shape', () => {
  test('400: invalid body (with each issue), duplicate ids, bad JSON, empty body', async () => {
    const { url } = await serve();
    const invalid = await postCheck(url, JSON.stringify({ items: [{ id: 'x' }] }));
    const e = expectHttpError(invalid.status, invalid.body, 'invalid_params');
    expect(e.message).toMatch(/^invalid request: items\.0/);
    expect(e.issues).toEqual([expect.stringMatching(/^items\.0: /)]);
    const noItems = await postCheck(url, JSON.stringify({}));
    expect(expectHttpError(noItems.status, noItems.body, 'invalid_params').message).toMatch(/items/);
    const dup = await postCheck(url, JSON.stringify({ items: [{ id: 'a', code: '' }, { id: 'a', code: '' }] }));
    expect(expectHttpError(dup.status, dup.body, 'invalid_params').message).toBe('duplicate item id a');
    const notJson = await postCheck(url, '{"items": [');
    expectHttpError(notJson.status, notJson.body, 'parse_error');
    const empty = await postCheck(url, '');
    expectHttpError(empty.status, empty.body, 'parse_error');
  });

  // The WebSocket upgrade's 401 is tested in test/ws/routes.test.ts (a refused upgrade leaves
  // its socket open, so app.close() would wait for it here).
  test('401 with WWW-Authenticate', async () => {
    const { url } = await serve({ authToken: 'errors-test-token-0123456789' });
    const r = await fetch(`${url}/health`);
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
    expect(expectHttpError(r.status, await r.json(), 'unauthorized').message).toBe('missing bearer token');
    const wrong = await fetch(`${url}/openapi.json`, { headers: { authorization: 'Bearer nope' } });
    expect(expectHttpError(wrong.status, await wrong.json(), 'unauthorized').message).toBe('wrong token');
  });

  test('404 for an unknown route or method', async () => {
    const { url } = await serve();
    const r = await fetch(`${url}/v1/nope?x=1`);
    expect(expectHttpError(r.status, await r.json(), 'not_found').message).toBe('no route GET /v1/nope');
    const wrongMethod = await fetch(`${url}/v1/check`);
    expectHttpError(wrongMethod.status, await wrongMethod.json(), 'not_found');
  });

  test("413: fastify's body limit, with the limit in data", async () => {
    const { url } = await serve({ maxBodyBytes: 200 });
    const r = await postCheck(url, JSON.stringify({ items: [{ id: 'big', code: 'x'.repeat(1000) }] }));
    const e = expectHttpError(r.status, r.body, 'message_too_large');
    expect(e).toMatchObject({ maxBodyBytes: 200 });
    expect(e.message).toMatch(/too large/);
  });

  test('415: a body that is not JSON', async () => {
    const { url } = await serve();
    const r = await postCheck(url, 'items', 'text/csv');
    expectHttpError(r.status, r.body, 'unsupported_media_type');
  });

  test("429: the rate limiter's refusal, with Retry-After and retryAfterMs", async () => {
    const { url } = await serve({ httpRateLimit: { max: 1, windowMs: 60_000 } });
    await fetch(`${url}/openapi.json`);
    const r = await fetch(`${url}/openapi.json`);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    const e = expectHttpError(r.status, await r.json(), 'rate_limited');
    expect(e.retryAfterMs).toBeGreaterThan(0);
  });

  test('500: a bug is internal, in the same shape', async () => {
    const { url } = await serve();
    const r = await fetch(`${url}/test-only/bug`);
    expect(expectHttpError(r.status, await r.json(), 'internal').message).toMatch(/a bug on our side/);
  });

  test('503: a batch sent while shutting down', async () => {
    const { url, pool } = await serve();
    await pool.close(0);
    const r = await postCheck(url, JSON.stringify({ items: [{ id: 'late', code: 'theorem t : True := trivial' }] }));
    expectHttpError(r.status, r.body, 'shutting_down');
  });

  test('the watcher the suites use catches an error body of another shape', async () => {
    const app = await build({ pool: idlePool(), judge: idleJudge(), logLevel: 'silent' });
    app.get('/test-only/odd', async (_req, reply) => reply.code(418).send({ message: 'not the registry shape' }));
    watchErrorShapes(app);
    expect((await app.inject({ method: 'GET', url: '/test-only/odd' })).statusCode).toBe(418);
    await expect(app.close()).rejects.toThrow(/GET \/test-only\/odd → 418/);
  });
});
