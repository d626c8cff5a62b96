/**
 * Hot standby with real Lean workers behind a real server: one serving worker and one spare.
 * kill -9 of the serving worker: the spare takes the slot at once, the next request runs on it
 * without waiting for a start, and a new spare starts; a shutdown while a worker is starting
 * leaves no worker process behind.
 */
import { execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import { ApiErrors } from '../../protocol/api.js';
import { shutdown } from '../../server/lifecycle.js';
import type { PoolEvent } from '../../server/pool/worker-pool.js';
import { coreSubset } from '../support/lean.js';
import { rpcError } from '../support/rpc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
const events: PoolEvent[] = [];
const header = coreSubset().get('amc12b_2002_p2')!.header;

beforeAll(async () => {
  server = await startTestServer({ config: { workers: 1, spareWorkers: 1 } });
  server.pool.onEvent((e) => events.push(e));
});
afterAll(async () => {
  await server?.app.close();
});

/** Pids of this process's Lean worker children (the embedded Lean's Node running the glue), from `ps`. */
function workerProcesses(): number[] {
  const out = execaSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { reject: false }).stdout;
  return out
    .split('\n')
    .filter((l) => /lean\.cjs|leanenv-repl|lake/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

/** A serving worker a job is running on now. */
async function busyWorker(): Promise<{ slot: number; pid?: number; generation: number }> {
  for (;;) {
    const busy = server.pool.workers().filter((w) => w.busy);
    if (busy.length) return busy[0]!;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('hot standby (real Lean)', () => {
  test('/health shows the spare beside the serving worker', async () => {
    const health = (await (await fetch(`${server.url}/health`)).json()) as { workers: { ready: number; spares: number; spareTarget: number; spareWorkers: { pid: number }[]; live: { pid: number }[] } };
    expect(health.workers).toMatchObject({ ready: 1, spares: 1, spareTarget: 1 });
    expect(health.workers.spareWorkers).toHaveLength(1);
    expect(health.workers.spareWorkers[0]!.pid).not.toBe(health.workers.live[0]!.pid);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/leanenv_state\{what="workers_spare"\} 1/);
  });

  test('kill -9 of a busy worker: the spare serves the next request without a start, and a new spare appears', async () => {
    const [spare] = server.pool.spares();
    const c = await LeanEnvClient.connect(server.url);
    const s = await c.openSession(header);
    const root = await c.start(s.sessionId, { datasetId: 'amc12b_2002_p2' });
    const slow = c.apply(root.stateId, 'sleep 20000');
    const victim = await busyWorker();
    const mark = events.length;
    process.kill(victim.pid!, 'SIGKILL');
    expect((await rpcError(slow)).tag).toBe(ApiErrors.WorkerUnavailable.code);
    // The next request on the session (its state is rebuilt by replay) is served by the former spare.
    const next = await c.apply(root.stateId, 'subst h₀');
    expect(next.status).toBe('open');
    const after = events.slice(mark);
    expect(after.map((e) => e.kind).slice(0, 2)).toEqual(['lost', 'promoted']);
    // No worker became ready between the kill and the answer: nothing waited for a start.
    expect(after.filter((e) => e.kind === 'ready')).toHaveLength(0);
    expect(server.pool.workers()).toMatchObject([{ slot: victim.slot, pid: spare!.pid, generation: victim.generation + 1 }]);
    expect(server.pool.stats()).toMatchObject({ promotions: 1, restarts: 1, ready: 1 });
    // A new spare starts in the background and becomes ready.
    await expect.poll(() => server.pool.stats().spares, { timeout: 300_000, interval: 500 }).toBe(1);
    const [fresh] = server.pool.spares();
    expect([victim.pid, spare!.pid]).not.toContain(fresh!.pid);
    await c.close();
  }, 400_000);

  test('shutdown while a worker is starting leaves no worker process', async () => {
    const serving = server.pool.workers()[0]!;
    process.kill(serving.pid!, 'SIGKILL');
    await expect.poll(() => server.pool.stats().starting, { timeout: 10_000, interval: 50 }).toBe(1);
    expect(workerProcesses().length).toBeGreaterThanOrEqual(2); // the promoted spare and the starting one
    await shutdown(server.app, server.pool, 0);
    expect(workerProcesses()).toEqual([]);
    expect(server.pool.stats()).toMatchObject({ ready: 0, spares: 0, starting: 0 });
  }, 120_000);
});
