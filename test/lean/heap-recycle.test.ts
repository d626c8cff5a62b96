/**
 * The embedded Lean's wasm heap (2048 MB at most) never shrinks: a worker whose heap grew past
 * `wasmHeapRecycleMb` during a request is replaced after it (the glue's notice on stderr), so
 * the next request does not run into the heap's end. Real server, one serving worker, one spare,
 * a recycle limit of 700 MB (a fresh worker's heap stays below it; the kernel re-check below
 * grows it past it).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PoolEvent } from '../../server/pool/worker-pool.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
const events: PoolEvent[] = [];

beforeAll(async () => {
  server = await startTestServer({ config: { workers: 1, spareWorkers: 1, wasmHeapRecycleMb: 700 } });
  server.pool.onEvent((e) => events.push(e));
});
afterAll(async () => {
  await server?.app.close();
});

async function verdict(code: string): Promise<string> {
  const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: [{ id: 'h', code }] } });
  expect(r.statusCode).toBe(200);
  return (r.json() as { results: { verdict: string }[] }).results[0]!.verdict;
}

/** A kernel re-check that unfolds `f` 30000 times (the tactic skips its own kernel check). */
const HEAVY =
  'def f : Nat → Nat | 0 => 0 | n + 1 => f n + 1\n' +
  'set_option maxHeartbeats 0 in\n' +
  'theorem t : f 30000 = 30000 := by set_option debug.skipKernelTC true in decide +kernel\n';

describe('recycling a worker whose wasm heap grew past the limit', () => {
  test('a small check leaves the worker in place', async () => {
    expect(await verdict('theorem small : 2 + 2 = 4 := rfl\n')).toBe('proved');
    expect(server.pool.stats()).toMatchObject({ recycles: 0, restarts: 0 });
  });

  test('after a request that grew the heap past it, the spare takes the slot; the answer and the next one are kept', async () => {
    const [spare] = server.pool.spares();
    const [serving] = server.pool.workers();
    const mark = events.length;
    expect(await verdict(HEAVY)).toBe('proved');
    const after = events.slice(mark);
    expect(after[0]).toMatchObject({ kind: 'lost', pid: serving!.pid });
    expect((after[0] as { reason: string }).reason).toMatch(/^recycled: its wasm heap grew to \d+ MB, past the 700 MB recycle limit/);
    expect(after[1]).toMatchObject({ kind: 'promoted', pid: spare!.pid });
    expect(server.pool.stats()).toMatchObject({ recycles: 1, promotions: 1, restarts: 0 });
    expect(await verdict('theorem next : 3 + 3 = 6 := rfl\n')).toBe('proved');
    expect(server.pool.workers()[0]!.pid).toBe(spare!.pid);
  });
});
