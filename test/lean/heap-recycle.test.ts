/**
 * The embedded Lean's wasm heap: 2048 MB at most, and it never shrinks.
 * - A kernel check that would run it out stops at `wasmHeapLimitMb` of live heap with Lean's
 *   memory error (a `failed` verdict naming the limit), not a dead worker.
 * - A worker whose heap grew past `wasmHeapRecycleMb` during a request is replaced after it (the
 *   glue's notice on stderr), so the next request does not start near the heap's end.
 * Real server, one serving worker, one spare; limits scaled down to keep the checks short: recycle
 * at 700 MB (a fresh worker stays below it), the kernel's memory limit at 900 MB.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { PoolEvent } from '../../server/pool/worker-pool.js';
import { checkOne, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
const events: PoolEvent[] = [];

beforeAll(async () => {
  server = await startTestServer({ config: { workers: 1, spareWorkers: 1, wasmHeapRecycleMb: 700, wasmHeapLimitMb: 900, maxHeartbeats: 0 } });
  server.pool.onEvent((e) => events.push(e));
});
afterAll(async () => {
  await server?.app.close();
});

async function verdict(code: string): Promise<string> {
  return (await checkOne(server, { id: 'h', code })).verdict;
}

/** A kernel re-check that unfolds `f` `n` times (the tactic skips its own kernel check). */
function unfolding(n: number): string {
  return (
    'def f : Nat → Nat | 0 => 0 | n + 1 => f n + 1\n' +
    `theorem t : f ${n} = ${n} := by set_option debug.skipKernelTC true in decide +kernel\n`
  );
}
const HEAVY = unfolding(30000);

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

  test('a kernel check that would run the heap out stops at the memory limit; the worker lives and is then replaced', async () => {
    await expect.poll(() => server.pool.stats().spares, { timeout: 300_000, interval: 500 }).toBe(1);
    const [spare] = server.pool.spares();
    const r = await checkOne(server, { id: 'h', code: unfolding(300000) });
    expect(r.verdict, JSON.stringify(r)).toBe('failed');
    expect(r.reason).toMatch(/kernel re-check of t stopped: the kernel reached its memory limit/);
    expect(r.reason).toMatch(/\(kernel\) excessive memory consumption detected/);
    // Not a death: the pool recycled the worker (its heap is past 700 MB) and promoted the spare.
    expect(server.pool.stats()).toMatchObject({ recycles: 2, promotions: 2, restarts: 0 });
    expect(await verdict('theorem after : 4 + 4 = 8 := rfl\n')).toBe('proved');
    expect(server.pool.workers()[0]!.pid).toBe(spare!.pid);
  });
});
