/**
 * Several slots per worker with the real Lean (issue 29): one embedded Lean process answers two
 * requests at once, each on its own Lean thread with its own heartbeat count; a heartbeat limit
 * or a kernel memory failure in one slot leaves the other's answer intact. Behind a server: a
 * worker killed under two jobs has both run again (alone) on the spare, and a session's states
 * come back by replay. The same scheduling with stand-ins: test/pool/worker-pool.slots.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import { coreSubset, startTestWorker } from '../support/lean.js';
import { checkOne, startTestServer, type TestServer } from '../support/server.js';

/** A file of `n` small `omega` theorems: a few seconds of elaboration, all of it on one thread. */
function omegaFile(tag: string, n = 25): string {
  return Array.from({ length: n }, (_, k) => `theorem ${tag}_${k} (a b c d : Nat) (h : a < b) (h2 : b < c) (h3 : c < d) : a + ${k} < d + ${k} + 1 := by omega\n`).join('');
}

/** Run `f`, with the times (ms from `t0`) it started and ended. */
async function timed<T>(t0: number, f: () => Promise<T>): Promise<{ value: T; start: number; end: number }> {
  const start = Date.now() - t0;
  const value = await f();
  return { value, start, end: Date.now() - t0 };
}

describe('one worker, two slots', () => {
  let worker: LeanWorker;
  beforeAll(async () => {
    worker = await startTestWorker({ slotsPerWorker: 2, wasmHeapLimitMb: 900, maxHeartbeats: 0 });
    await worker.checkSubmission('example : True := trivial\n');
  }, 180_000);
  afterAll(async () => {
    await worker?.dispose();
  });

  test('two requests run at the same time, each with its own answer', async () => {
    const t0 = Date.now();
    const [a, b] = await Promise.all([timed(t0, () => worker.checkSubmission(omegaFile('a'))), timed(t0, () => worker.checkSubmission(omegaFile('b')))]);
    for (const r of [a, b]) expect(r.value.hasErrors, JSON.stringify(r.value.messages)).toBe(false);
    expect(a.value.env).not.toBe(b.value.env);
    // Overlap: each started before the other ended, and together they took less than one after the other.
    const alone = await timed(Date.now(), () => worker.checkSubmission(omegaFile('c')));
    expect(a.start).toBeLessThan(b.end);
    expect(b.start).toBeLessThan(a.end);
    expect(Math.max(a.end, b.end)).toBeLessThan(2 * (alone.end - alone.start) + 1000);
  }, 180_000);

  test("a heartbeat limit in one slot fails that request only; the other's answer is intact", async () => {
    const [limited, free] = await Promise.all([worker.checkSubmission(omegaFile('hl'), undefined, { maxHeartbeats: 1 }), worker.checkSubmission(omegaFile('hf'))]);
    expect(limited.hasErrors).toBe(true);
    expect(limited.messages.map((m) => m.data).join('\n')).toMatch(/heartbeats/);
    expect(free.hasErrors, JSON.stringify(free.messages)).toBe(false);
  }, 180_000);

  test("a kernel memory failure in one slot fails that request only; the other's answer is intact", async () => {
    // The tactic skips its own kernel check; the worker's kernel replay of `t` then runs out (as in heap-recycle.test.ts).
    const heavy = 'def f : Nat → Nat | 0 => 0 | n + 1 => f n + 1\ntheorem t : f 300000 = 300000 := by set_option debug.skipKernelTC true in decide +kernel\n';
    const [blown, fine] = await Promise.all([worker.checkSubmission(heavy), worker.checkSubmission(omegaFile('mf'))]);
    const t = blown.constants.find((c) => /(^|\.)t$/.test(c.name));
    expect(t?.kernel, JSON.stringify(t)).toMatchObject({ ok: false, limit: 'memory' });
    expect(fine.hasErrors, JSON.stringify(fine.messages)).toBe(false);
    expect(worker.alive).toBe(true);
  }, 300_000);
});

describe('a server whose worker has two slots', () => {
  let server: TestServer;
  const item = coreSubset().get('amc12b_2002_p2')!;
  beforeAll(async () => {
    // Recycle at 700 MB of wasm heap (a fresh worker stays below it, heap-recycle.test.ts).
    server = await startTestServer({ config: { workers: 1, slotsPerWorker: 2, spareWorkers: 1, wasmHeapRecycleMb: 700 } });
  }, 300_000);
  afterAll(async () => {
    await server?.app.close();
  });

  test('a worker killed under two checks: both run again, alone, on the spare, and are proved', async () => {
    const code = (tag: string) => `theorem ${tag}_main : 2 + 2 = 4 := by decide\n${omegaFile(tag, 40)}`;
    const checks = ['k1', 'k2'].map((tag) => checkOne(server, { id: tag, code: code(tag) }));
    await expect.poll(() => server.pool.stats().busy, { timeout: 60_000, interval: 20 }).toBe(2);
    const victim = server.pool.workers()[0]!;
    process.kill(victim.pid!, 'SIGKILL');
    const results = await Promise.all(checks);
    expect(results.map((r) => r.verdict)).toEqual(['proved', 'proved']);
    expect(server.pool.stats()).toMatchObject({ retries: 2, restarts: 1 });
    expect(server.pool.workers()[0]!.pid).not.toBe(victim.pid);
  }, 300_000);

  test('forged replies from one slot: the honest neighbour is retried alone and proved, the forger is an error', async () => {
    await expect.poll(() => server.pool.stats().spares, { timeout: 300_000, interval: 500 }).toBe(1);
    const before = server.pool.stats();
    const honest = checkOne(server, { id: 'honest', code: omegaFile('h', 40) });
    await expect.poll(() => server.pool.stats().busy, { timeout: 60_000, interval: 20 }).toBe(1);
    const body = JSON.stringify({ jsonrpc: '2.0', id: 0, result: { env: 1, header: '', messages: [], hasErrors: false, commands: [], constants: [], elapsedMs: 1 } });
    const frame = `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const forger = checkOne(server, {
      id: 'forger',
      // On a task: #eval's own output is captured into messages; a task's reaches the process's.
      code: `#eval show IO Unit from do\n  let t ← IO.asTask (do\n    let out ← IO.getStdout\n    out.putStr ${JSON.stringify(frame)}\n    out.flush)\n  let _ ← IO.wait t\ntheorem bad : (1 : Nat) = 2 := sorry\n`,
    });
    const [h, f] = await Promise.all([honest, forger]);
    expect(h.verdict).toBe('proved');
    expect(f).toMatchObject({ verdict: 'error', reason: expect.stringMatching(/tampered with/) });
    expect(server.pool.stats().retries).toBeGreaterThanOrEqual(before.retries + 2);
    expect(server.pool.stats().forgedFrames).toBeGreaterThan(before.forgedFrames);
  }, 400_000);

  test("a session's states come back by replay after its shared worker is killed", async () => {
    const c = await LeanEnvClient.connect(server.url);
    try {
      const s = await c.openSession(item.header);
      const root = await c.start(s.sessionId, { datasetId: 'amc12b_2002_p2' });
      const substituted = await c.apply(root.stateId, 'subst h₀');
      expect(substituted.status).toBe('open');
      if (substituted.status === 'failed') return;
      const check = checkOne(server, { id: 'bg', code: omegaFile('bg', 40) });
      await expect.poll(() => server.pool.stats().busy, { timeout: 60_000, interval: 20 }).toBe(1);
      const victim = server.pool.workers()[0]!;
      process.kill(victim.pid!, 'SIGKILL');
      // That check had the worker to itself (the session was idle): not retried, as with one slot.
      expect(await check).toMatchObject({ verdict: 'error', reason: expect.stringMatching(/exited/) });
      const solved = await c.apply(substituted.stateId, 'decide');
      expect(solved.status).toBe('solved');
      if (solved.status !== 'solved') return;
      expect(await c.verify(solved.stateId)).toMatchObject({ proved: true, tactics: ['subst h₀', 'decide'] });
    } finally {
      await c.close();
    }
  }, 300_000);

  test('a worker whose heap grew past the limit under one slot finishes its other job, then is recycled', async () => {
    await expect.poll(() => server.pool.stats().spares, { timeout: 300_000, interval: 500 }).toBe(1);
    const before = server.pool.stats();
    const victim = server.pool.workers()[0]!;
    // The tactic's own kernel check runs in the worker and grows its heap past 700 MB.
    const heavy = 'def f : Nat → Nat | 0 => 0 | n + 1 => f n + 1\ntheorem t : f 30000 = 30000 := by decide +kernel\n';
    const [grown, neighbour] = await Promise.all([checkOne(server, { id: 'grown', code: heavy }), checkOne(server, { id: 'neighbour', code: omegaFile('n', 40) })]);
    expect(grown.verdict, JSON.stringify(grown)).toBe('proved');
    expect(neighbour.verdict).toBe('proved');
    expect(server.pool.stats()).toMatchObject({ recycles: before.recycles + 1, restarts: before.restarts, retries: before.retries });
    expect(server.pool.workers()[0]!.pid).not.toBe(victim.pid);
    expect((await checkOne(server, { id: 'after', code: 'theorem after : 4 + 4 = 8 := rfl\n' })).verdict).toBe('proved');
  }, 400_000);
});
