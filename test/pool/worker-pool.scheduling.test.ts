/**
 * Pool scheduling with FAKE workers (stand-ins, no Lean): routing, queueing, refusal,
 * replacement and recycling are pure scheduling logic. The same behaviours with real Lean
 * workers are tested in worker-pool.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { PoolError } from '../../server/pool/worker-pool.js';
import { fakePool, FakeWorker, gate } from '../support/fake-worker.js';

describe('WorkerPool scheduling (fake workers)', () => {
  test('one job per worker at a time; the next waits and then runs', async () => {
    const { pool } = fakePool(1);
    await pool.start();
    const g = gate();
    const order: string[] = [];
    const a = pool.run({ tenant: 't' }, async () => {
      order.push('a start');
      await g.promise;
      order.push('a end');
    });
    const b = pool.run({ tenant: 't' }, async () => void order.push('b'));
    await new Promise((r) => setTimeout(r, 10));
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1 });
    g.open();
    await Promise.all([a, b]);
    expect(order).toEqual(['a start', 'a end', 'b']);
  });

  test('a free worker that has the header is preferred; pinned jobs wait for their worker', async () => {
    const { pool, spawned } = fakePool(2);
    await pool.start();
    await pool.run({ tenant: 't' }, async ({ worker }) => worker.import('H'));
    const holder = spawned.find((w) => w.hasHeader('H'))!;
    for (let i = 0; i < 3; i++) expect(await pool.run({ tenant: 't', header: 'H' }, async ({ worker }) => worker)).toBe(holder);
    const g = gate();
    const first = pool.run({ tenant: 'x' }, async (lease) => {
      await g.promise;
      return lease;
    });
    await new Promise((r) => setTimeout(r, 5));
    const busy = spawned.find((w) => pool.workers().some((s) => s.pid === w.pid && s.busy))!;
    const slot = pool.workers().find((s) => s.pid === busy.pid)!;
    const pinned = pool.run({ tenant: 'y', on: { slot: slot.slot, generation: slot.generation } }, async ({ worker }) => worker);
    const free = pool.run({ tenant: 'z' }, async ({ worker }) => worker);
    expect(await free).not.toBe(busy);
    g.open();
    await first;
    expect(await pinned).toBe(busy);
  });

  test('a full queue refuses at once with overloaded and a retry hint; a flooding tenant is capped', async () => {
    const { pool } = fakePool(1, { maxQueue: 3, maxPerTenant: 2 });
    await pool.start();
    const g = gate();
    const held = pool.run({ tenant: 'a' }, () => g.promise);
    const queued = [pool.run({ tenant: 'a' }, async () => 1), pool.run({ tenant: 'a' }, async () => 2)];
    const flood = await pool.run({ tenant: 'a' }, async () => 3).catch((e: unknown) => e);
    expect(flood).toBeInstanceOf(PoolError);
    expect((flood as PoolError).kind).toBe('overloaded');
    expect((flood as PoolError).data).toMatchObject({ reason: 'tenant_full' });
    const other = pool.run({ tenant: 'b' }, async () => 'b');
    const full = (await pool.run({ tenant: 'c' }, async () => 0).catch((e: unknown) => e)) as PoolError;
    expect(full.kind).toBe('overloaded');
    expect(full.data?.retryAfterMs).toBeGreaterThan(0);
    g.open();
    await held;
    expect(await Promise.all([...queued, other])).toEqual([1, 2, 'b']);
  });

  test('a crashed worker is replaced at once with a new generation; its pinned jobs go anywhere', async () => {
    const { pool, spawned } = fakePool(1);
    await pool.start();
    const before = await pool.run({ tenant: 't' }, async (l) => l);
    spawned[0]!.crash();
    await new Promise((r) => setTimeout(r, 5));
    const after = await pool.run({ tenant: 't', on: { slot: before.slot, generation: before.generation } }, async (l) => l);
    expect(after.worker).not.toBe(before.worker);
    expect(after.generation).toBe(before.generation + 1);
    expect(pool.stats().restarts).toBe(1);
  });

  test('workers are recycled past the memory ceiling or the request budget, between jobs', async () => {
    const { pool, spawned } = fakePool(1, { maxRssBytes: 1000, recycleAfterRequests: 3 });
    await pool.start();
    spawned[0]!.rss = 5000;
    await pool.run({ tenant: 't' }, async () => undefined);
    await pool.ready();
    expect(spawned.length).toBe(2);
    for (let i = 0; i < 3; i++) await pool.run({ tenant: 't' }, async () => undefined);
    await pool.ready();
    expect(spawned.length).toBe(3);
    expect(pool.stats().recycles).toBe(2);
    expect(spawned[0]!.alive).toBe(false);
  });

  test('close drains queued and running jobs within the grace period, then refuses new ones', async () => {
    const { pool, spawned } = fakePool(1);
    await pool.start();
    const g = gate();
    const running = pool.run({ tenant: 't' }, async () => {
      await g.promise;
      return 'ran';
    });
    const queued = pool.run({ tenant: 't' }, async () => 'queued ran');
    const closing = pool.close(10_000);
    await expect(pool.run({ tenant: 't' }, async () => 0)).rejects.toMatchObject({ kind: 'shutting_down' });
    g.open();
    await closing;
    expect(await running).toBe('ran');
    expect(await queued).toBe('queued ran');
    expect(spawned[0]!.alive).toBe(false);
  });

  test('close with a short grace period rejects what is still queued', async () => {
    const { pool } = fakePool(1);
    await pool.start();
    const g = gate();
    const running = pool.run({ tenant: 't' }, () => g.promise);
    const queued = pool.run({ tenant: 't' }, async () => 'never').catch((e: unknown) => e);
    await pool.close(20);
    expect(((await queued) as PoolError).kind).toBe('shutting_down');
    g.open();
    await running;
  });
  test('spares: started after the slots, promoted at once when a worker dies, then replaced in the background', async () => {
    const { pool, spawned } = fakePool(2, { spares: 1 });
    const events: string[] = [];
    pool.onEvent((e) => events.push(e.kind));
    await pool.start();
    expect(spawned.length).toBe(3);
    expect(events).toEqual(['ready', 'assigned', 'ready', 'assigned', 'ready']);
    expect(pool.stats()).toMatchObject({ ready: 2, spares: 1, spareTarget: 1, starting: 0 });
    const before = await pool.run({ tenant: 't' }, async (l) => l);
    const spare = spawned[2]!;
    (before.worker as FakeWorker).crash();
    // Synchronously: the spare holds the slot already, a new spare is starting.
    expect(pool.workers().find((w) => w.slot === before.slot)).toMatchObject({ pid: spare.pid, generation: before.generation + 1 });
    expect(pool.stats()).toMatchObject({ ready: 2, spares: 0, starting: 1, promotions: 1, restarts: 1 });
    await pool.start();
    expect(pool.stats()).toMatchObject({ ready: 2, spares: 1, starting: 0 });
    expect(spawned.length).toBe(4);
    expect(events.slice(5)).toEqual(['lost', 'promoted', 'ready']);
  });

  test('spares: a recycled worker hands its slot to a spare; a dead spare is replaced', async () => {
    const { pool, spawned } = fakePool(1, { spares: 1, recycleAfterRequests: 1 });
    await pool.start();
    const a = await pool.run({ tenant: 't' }, async (l) => l);
    expect(pool.workers()[0]!.pid).toBe(spawned[1]!.pid);
    expect(a.worker.alive).toBe(false);
    await pool.start();
    expect(pool.stats()).toMatchObject({ recycles: 1, promotions: 1, spares: 1 });
    spawned[2]!.crash(); // the new spare
    expect(pool.stats()).toMatchObject({ spares: 0, starting: 1, restarts: 1, promotions: 1 });
    await pool.start();
    expect(pool.stats().spares).toBe(1);
  });

  test('close cancels worker starts in progress and stops the spares', async () => {
    const hold = gate();
    let gated = false;
    const { pool, spawned } = fakePool(1, { spares: 1, startGate: () => (gated ? hold.promise : Promise.resolve()) });
    await pool.start();
    gated = true;
    spawned[0]!.crash(); // the spare takes the slot, a new spare's start hangs
    expect(pool.stats()).toMatchObject({ starting: 1, spares: 0 });
    const closed = pool.close();
    hold.open();
    await closed;
    expect(spawned.length).toBe(2); // the cancelled start made no worker
    expect(spawned.every((w) => !w.alive)).toBe(true);
    expect(pool.stats()).toMatchObject({ starting: 0, spares: 0, ready: 0 });
  });
});
