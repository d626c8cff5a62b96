/**
 * Batch-check throughput of the worker pool and the cost of header reuse, for `npm run bench`:
 * the same items checked with one worker and with all N, and one item checked with its header
 * imported fresh versus already imported.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Config } from '../../server/config/config.js';
import { checkItem, type CheckItem } from '../../server/check/checker.js';
import { workerOptions } from '../../server/lean/backend.js';
import { LeanWorker } from '../../server/lean/worker.js';
import { forEachLimited, WorkerPool } from '../../server/pool/worker-pool.js';
import type { BenchmarkItem } from '../support/lean.js';
import { benchCluster, type ClusterBenchResult } from './cluster.js';

/** What the pool part of the bench measured. */
export interface PoolBenchResult {
  workers: number;
  checks: number;
  itemsPerSecOneWorker: number;
  itemsPerSecAllWorkers: number;
  /** All-worker over one-worker throughput (goal >= 0.9 N). */
  speedup: number;
  /** CPU cores the workers kept busy on average while checking with one worker and with all. */
  coresBusyOneWorker: number;
  coresBusyAllWorkers: number;
  /** Cores the server process itself kept busy in the two runs. */
  serverCoresOneWorker: number;
  serverCoresAllWorkers: number;
  /** First check on a fresh worker: imports the header's modules, elaborates it, checks. */
  coldCheckMs: number;
  /** A header text new to the worker whose import list it has loaded (a new variant of the prelude). */
  newHeaderTextCheckMs: number;
  /** The same check again, header environment reused. */
  reusedCheckMs: number;
  /** Reused-header check cost over cold (goal <= 5%). */
  reusedOverCold: number;
  /** The same items through Redis + BullMQ: one node, then one node per worker (see cluster.ts). */
  cluster?: ClusterBenchResult;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc), or 0. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** Run `f`; items per second and the average cores kept busy by the pool's workers and by this (server) process. */
async function measured(pool: WorkerPool<LeanWorker>, f: () => Promise<number>): Promise<{ rate: number; cores: number; serverCores: number }> {
  const pids = pool.workers().map((w) => w.pid);
  const total = (): number => pids.map(cpuSeconds).reduce((a: number, b: number) => a + b, 0);
  const cpu0 = total();
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const rate = await f();
  const wall = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(self0);
  return { rate, cores: (total() - cpu0) / wall, serverCores: (self.user + self.system) / 1e6 / wall };
}

/** Candidate proofs tried on every statement (some fail: checking a failure is work too). */
const CANDIDATES = ['by omega', 'by simp', 'by decide'];

/** Check `items` through `pool` with at most `lanes` at a time; items per second. */
async function throughput(pool: WorkerPool<LeanWorker>, items: CheckItem[], lanes: number): Promise<number> {
  const t0 = performance.now();
  await forEachLimited(items, lanes, async (it) => void (await pool.run({ tenant: 'bench', header: 'header' in it ? it.header : undefined }, ({ worker }) => checkItem(worker, it))));
  return items.length / ((performance.now() - t0) / 1000);
}

/** The median of a list. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Measure with a pool of `size` workers whose first worker is `first` (already started);
 * the others are started here and stopped at the end.
 */
export async function benchPool(first: LeanWorker, statements: BenchmarkItem[], config: Config, size: number): Promise<PoolBenchResult> {
  let reuse: LeanWorker | undefined = first;
  const pool = new WorkerPool<LeanWorker>({
    size,
    spawn: async () => {
      const w = reuse ?? (await LeanWorker.start(first.spawnSpec, workerOptions(config)));
      reuse = undefined;
      return w;
    },
    maxQueue: 10_000,
    maxQueuePerTenant: 10_000,
  });
  await pool.start();
  const items: CheckItem[] = statements.flatMap((s) =>
    CANDIDATES.map((proof, k) => ({ id: `${s.id}#${k}`, header: s.header, body: s.body.replace(/:=\s*by\s+sorry\s*$/, `:= ${proof}\n`) })),
  );
  const timedCheck = (on: { slot: number; generation: number }, it: CheckItem) =>
    pool.run({ tenant: 'bench', on }, async ({ worker }) => {
      const t0 = performance.now();
      await checkItem(worker, it);
      return performance.now() - t0;
    });
  // Cold: the first check on a worker that has imported nothing yet (every worker but `first`).
  const fresh = pool.workers().find((w) => w.pid !== first.pid)!;
  const coldCheckMs = await timedCheck(fresh, items[0]!);
  const reusedOnFresh = await timedCheck(fresh, items[0]!);
  // Warm up: every worker imports the header and has elaborated once.
  await Promise.all(pool.workers().map((w) => pool.run({ tenant: 'warm', on: w }, ({ worker }) => checkItem(worker, items[0]!))));
  const one = await measured(pool, () => throughput(pool, items, 1));
  const all = await measured(pool, () => throughput(pool, items, size));

  // A header text the worker has not seen (a trailing comment makes it new) over modules it has loaded; then the same again.
  const variant: number[] = [];
  const reused: number[] = [reusedOnFresh];
  for (let i = 0; i < 5; i++) {
    const it = { ...items[0]!, header: `${'header' in items[0]! ? items[0].header : ''}\n-- bench variant ${i}\n` } as CheckItem;
    variant.push(await timedCheck(fresh, it));
    reused.push(await timedCheck(fresh, it));
  }
  // Cluster section, on the same warm workers (before they are stopped).
  const live = pool.workers().map((w) => pool.peek(w.slot, w.generation)!);
  const cluster = await benchCluster(live, items, all.rate, 30);
  await pool.close();
  const reusedCheckMs = median(reused);
  return {
    workers: size,
    checks: items.length,
    itemsPerSecOneWorker: one.rate,
    itemsPerSecAllWorkers: all.rate,
    speedup: all.rate / one.rate,
    coresBusyOneWorker: one.cores,
    coresBusyAllWorkers: all.cores,
    serverCoresOneWorker: one.serverCores,
    serverCoresAllWorkers: all.serverCores,
    coldCheckMs,
    newHeaderTextCheckMs: median(variant),
    reusedCheckMs,
    reusedOverCold: reusedCheckMs / coldCheckMs,
    cluster,
  };
}
