/**
 * The embedded Lean's wasm heap: 2048 MB at most, and it never shrinks.
 * - A kernel check that would run it out stops at `wasmHeapLimitMb` of live heap with Lean's
 *   memory error (a `failed` verdict naming the limit), not a dead worker.
 * - A Lean process whose heap grew past `wasmHeapRecycleMb` during a request is replaced after it
 *   (the glue's notice on stderr), so the next request does not start near the heap's end. The
 *   kernel re-check of a submission runs in the judge (`server/judge/judge.ts`), so that is the
 *   process whose heap grows here, and which is replaced (a worker is, by the pool, the same way).
 * Real server, one serving worker, one spare, the judge; limits scaled down to keep the checks short: recycle
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

describe('recycling a Lean process whose wasm heap grew past the limit', () => {
  test('a small check leaves the worker and the judge in place', async () => {
    expect(await verdict('theorem small : 2 + 2 = 4 := rfl\n')).toBe('proved');
    expect(server.pool.stats()).toMatchObject({ recycles: 0, restarts: 0 });
    expect(server.judge.stats()).toMatchObject({ recycles: 0, restarts: 0 });
  });

  test("the kernel re-check's heap is the judge's: after it grew past the limit, the judge is replaced; the answer and the next one are kept", async () => {
    const judge = server.judge.stats();
    expect(await verdict(HEAVY)).toBe('proved');
    // The worker only elaborated (its tactic skipped the kernel); the judge replayed and grew.
    expect(server.judge.stats()).toMatchObject({ recycles: judge.recycles + 1, restarts: 0 });
    expect(server.pool.stats()).toMatchObject({ recycles: 0, restarts: 0 });
    expect(await verdict('theorem next : 3 + 3 = 6 := rfl\n')).toBe('proved');
    expect(server.judge.stats().pid).not.toBe(judge.pid);
  });

  test('a kernel check that would run the heap out stops at the memory limit; the judge lives and is then replaced', async () => {
    const judge = server.judge.stats();
    const r = await checkOne(server, { id: 'h', code: unfolding(300000) });
    expect(r.verdict, JSON.stringify(r)).toBe('failed');
    expect(r.reason).toMatch(/kernel re-check of t stopped: the kernel reached its memory limit/);
    expect(r.reason).toMatch(/\(kernel\) excessive memory consumption detected/);
    // Not a death: the judge was recycled after its answer (its heap is past 700 MB).
    expect(server.judge.stats()).toMatchObject({ recycles: judge.recycles + 1, restarts: 0 });
    expect(server.pool.stats()).toMatchObject({ restarts: 0 });
    expect(await verdict('theorem after : 4 + 4 = 8 := rfl\n')).toBe('proved');
  });
});
