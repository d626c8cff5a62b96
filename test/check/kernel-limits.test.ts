/**
 * The kernel's resource limits in `POST /v1/check` (issue 9 §2): a proof whose kernel re-check
 * exceeds the heartbeat limit gets a `timeout` verdict naming the kernel, not `failed` and not a
 * dead worker. The server runs with a tiny heartbeat limit (1000); each submission lifts it for
 * its own elaboration (`set_option maxHeartbeats 0 in`), which the kernel replay ignores: the
 * replay runs under the server's limit with clean options. One real server and Lean worker.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: { maxHeartbeats: 1 } });
});
afterAll(async () => {
  await server?.app.close();
});

interface CheckResult {
  id: string;
  verdict: string;
  reason?: string;
}

async function check(code: string): Promise<CheckResult> {
  const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: [{ id: 'k', code }] } });
  expect(r.statusCode).toBe(200);
  return (r.json() as { results: CheckResult[] }).results[0]!;
}

async function restarts(): Promise<number> {
  const r = await server.app.inject({ method: 'GET', url: '/health' });
  return (r.json() as { workers: { restarts: number } }).workers.restarts;
}

describe('kernel re-check under the heartbeat limit', () => {
  test('a cheap kernel check passes under the tiny limit', async () => {
    const r = await check('set_option maxHeartbeats 0 in\ntheorem cheap : 2 + 2 = 4 := rfl\n');
    expect(r, JSON.stringify(r)).toMatchObject({ verdict: 'proved' });
  });

  test('a kernel check past the limit is a timeout naming the kernel, and the worker lives', async () => {
    const before = await restarts();
    const r = await check('set_option maxHeartbeats 0 in\ntheorem costly : (List.range 60).foldl (· + ·) 0 = 1770 := by decide\n');
    expect(r.verdict, JSON.stringify(r)).toBe('timeout');
    expect(r.reason).toMatch(/kernel/);
    expect(r.reason).toMatch(/heartbeat limit/);
    expect(r.reason).toMatch(/\(kernel\) deterministic timeout/);
    expect(await restarts()).toBe(before);
  });
});
