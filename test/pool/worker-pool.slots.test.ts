/**
 * Slots: a worker runs `slotsPerWorker` jobs at once; a job whose worker was lost while it shared
 * it runs again, once, alone on a worker; a worker to be recycled takes no new job and goes when
 * its running jobs end. Pure scheduling logic with stand-in workers (test/support/fake-worker.ts);
 * the same with real Lean workers: test/lean/slots.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { fakePool, gate, type FakeWorker } from '../support/fake-worker.js';

class Lost extends Error {}
const isWorkerLoss = (e: unknown) => e instanceof Lost;
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('WorkerPool with several slots per worker (stand-in workers)', () => {
  test('one worker runs two jobs at once; a third waits for a slot', async () => {
    const { pool, spawned } = fakePool(1, { slotsPerWorker: 2 });
    await pool.start();
    const g = gate();
    const running: number[] = [];
    const job = (i: number) =>
      pool.run({ tenant: `t${i}` }, async ({ worker }) => {
        running.push(i);
        await g.promise;
        return worker;
      });
    const jobs = [job(1), job(2), job(3)];
    await tick();
    expect(running).toEqual([1, 2]);
    expect(pool.stats()).toMatchObject({ size: 1, slotsPerWorker: 2, busy: 2, queued: 1 });
    expect(pool.workers()[0]).toMatchObject({ running: 2, busy: true });
    g.open();
    const workers = await Promise.all(jobs);
    expect(new Set(workers)).toEqual(new Set([spawned[0]]));
    expect(running).toEqual([1, 2, 3]);
  });

  test('jobs spread over workers before doubling up on one', async () => {
    const { pool } = fakePool(2, { slotsPerWorker: 2 });
    await pool.start();
    const g = gate();
    const pids = await Promise.all([1, 2].map(() => new Promise<number | undefined>((resolve) => void pool.run({ tenant: 't' }, async ({ worker }) => (resolve(worker.pid), g.promise)))));
    expect(new Set(pids).size).toBe(2);
    g.open();
  });

  test('a worker lost under two jobs: both run again, each alone, on the replacement; the pool counts the retries', async () => {
    const { pool, spawned } = fakePool(1, { slotsPerWorker: 2, isWorkerLoss });
    await pool.start();
    const g = gate();
    const attempts: { job: string; pid: number; alone: boolean }[] = [];
    const job = (name: string) =>
      pool.run({ tenant: name }, async ({ worker }) => {
        attempts.push({ job: name, pid: worker.pid, alone: pool.stats().busy === 1 });
        if (worker === spawned[0]) {
          await g.promise;
          throw new Lost(`worker ${worker.pid} was lost`);
        }
        return `${name} on ${worker.pid}`;
      });
    const a = job('a');
    const b = job('b');
    await tick();
    spawned[0]!.crash();
    g.open();
    expect(await Promise.all([a, b])).toEqual([`a on ${spawned[1]!.pid}`, `b on ${spawned[1]!.pid}`]);
    const retries = attempts.filter((x) => x.pid === spawned[1]!.pid);
    expect(retries.map((x) => x.job).sort()).toEqual(['a', 'b']);
    expect(retries.every((x) => x.alone)).toBe(true);
    expect(pool.stats()).toMatchObject({ retries: 2 });
  });

  test('a job that had its worker to itself is not retried; neither is a job that fails for its own reason', async () => {
    const { pool } = fakePool(1, { slotsPerWorker: 2, isWorkerLoss });
    await pool.start();
    await expect(pool.run({ tenant: 'a' }, async () => Promise.reject(new Lost('alone')))).rejects.toThrow('alone');
    const g = gate();
    const held = pool.run({ tenant: 'h' }, () => g.promise);
    await expect(pool.run({ tenant: 'b' }, async () => Promise.reject(new Error('its own')))).rejects.toThrow('its own');
    g.open();
    await held;
    expect(pool.stats()).toMatchObject({ retries: 0 });
  });

  test('a retry waits for a slot-sharing worker to empty, and no new job is given that worker meanwhile', async () => {
    const { pool, spawned } = fakePool(1, { slotsPerWorker: 2, isWorkerLoss, spares: 0 });
    await pool.start();
    const first = spawned[0]!;
    const hold = gate();
    const order: string[] = [];
    // Two jobs share the worker; one of them then reports a loss (as after a neighbour's crash).
    const loser = pool.run({ tenant: 'l' }, async ({ worker }) => {
      order.push(`loser on ${worker.pid}`);
      if (order.length === 1) {
        await tick();
        throw new Lost('lost');
      }
      return 'retried';
    });
    const long = pool.run({ tenant: 'k' }, async () => {
      order.push('long');
      await hold.promise;
    });
    await tick();
    await tick();
    const newcomer = pool.run({ tenant: 'n' }, async () => void order.push('newcomer'));
    await tick();
    // The retry is waiting for the worker to be free of `long`; the newcomer waits behind it.
    expect(order).toEqual([`loser on ${first.pid}`, 'long']);
    hold.open();
    expect(await loser).toBe('retried');
    await Promise.all([long, newcomer]);
    expect(order.slice(2)).toEqual([`loser on ${first.pid}`, 'newcomer']);
  });

  test('a worker that asks to be retired takes no new job while its other jobs run, then goes', async () => {
    const { pool, spawned } = fakePool(1, { slotsPerWorker: 2 });
    await pool.start();
    const first = spawned[0]! as FakeWorker;
    const hold = gate();
    const long = pool.run({ tenant: 'k' }, () => hold.promise);
    await pool.run({ tenant: 'r' }, async () => void (first.retireReason = 'heap past the limit'));
    const next = pool.run({ tenant: 'n' }, async ({ worker }) => worker);
    await tick();
    expect(pool.stats()).toMatchObject({ busy: 1, queued: 1, recycles: 0 });
    hold.open();
    await long;
    const w = await next;
    expect(w).not.toBe(first);
    expect(first.alive).toBe(false);
    expect(pool.stats()).toMatchObject({ recycles: 1 });
  });
});
