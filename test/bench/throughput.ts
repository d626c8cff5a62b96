/**
 * Batch-check throughput of the worker pool and the cost of header reuse, for `npm run bench`:
 * the same items checked with one worker and with all N, and one item checked with its header
 * imported fresh versus already imported.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../../server/config/config.js';
import { checkItem, type CheckItem } from '../../server/check/checker.js';
import { workerOptions } from '../../server/lean/backend.js';
import { LeanWorker } from '../../server/lean/worker.js';
import { forEachLimited, WorkerPool } from '../../server/pool/worker-pool.js';
import type { BenchmarkItem } from '../support/lean.js';

/** What the pool part of the bench measured. */
export interface PoolBenchResult {
  workers: number;
  checks: number;
  itemsPerSecOneWorker: number;
  itemsPerSecAllWorkers: number;
  /** All-worker over one-worker throughput (goal >= 0.9 N). */
  speedup: number;
  coldCheckMs: number;
  reusedCheckMs: number;
  /** Reused-header check cost over cold (goal <= 5%). */
  reusedOverCold: number;
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
  // Warm up: every worker imports the header and has elaborated once.
  await Promise.all(pool.workers().map((w) => pool.run({ tenant: 'warm', on: w }, ({ worker }) => checkItem(worker, items[0]!))));
  const one = await throughput(pool, items, 1);
  const all = await throughput(pool, items, size);

  // Cold: a header text no worker has seen (a trailing comment makes it new); reused: the same again.
  const cold: number[] = [];
  const reused: number[] = [];
  const probe = items.find((i) => i.id.endsWith('#0'))!;
  for (let i = 0; i < 5; i++) {
    const it = { ...probe, header: `${'header' in probe ? probe.header : ''}\n-- bench variant ${i} ${Date.now()}\n` } as CheckItem;
    const run = () => pool.run({ tenant: 'bench', on: pool.workers()[0] }, async ({ worker }) => {
      const t0 = performance.now();
      await checkItem(worker, it);
      return performance.now() - t0;
    });
    cold.push(await run());
    reused.push(await run());
  }
  await pool.close();
  const coldCheckMs = median(cold);
  const reusedCheckMs = median(reused);
  return {
    workers: size,
    checks: items.length,
    itemsPerSecOneWorker: one,
    itemsPerSecAllWorkers: all,
    speedup: all / one,
    coldCheckMs,
    reusedCheckMs,
    reusedOverCold: reusedCheckMs / coldCheckMs,
  };
}
