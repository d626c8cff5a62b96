/**
 * Batch-check throughput of the worker pool and the cost of header reuse, for `npm run bench`:
 * the same items checked with one worker and with all N, each ratio beside the batch's own
 * bound (no pool can beat total / max(longest item, total / N)); two workloads: the standard
 * one (3 candidate proofs per statement; one `omega` item dominates) and a fair one with no
 * dominating item (the standard batch's items that took under a second, repeated to 250+ checks),
 * every worker warmed to the same steady state first. Also one item checked with its header
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
import { benchJudge, checkOnWorkerOnly } from './judge.js';

/** One workload measured with one worker and with all. */
export interface WorkloadResult {
  checks: number;
  itemsPerSecOneWorker: number;
  itemsPerSecAllWorkers: number;
  /** All-worker over one-worker throughput. */
  speedup: number;
  /** The batch's own bound on that ratio: total item time / max(longest item, total / N), from the one-worker run. */
  bound: number;
  /** Longest item and total item time in the one-worker run (ms). */
  longestItemMs: number;
  totalItemMs: number;
  /** CPU cores the workers kept busy on average (user + system), and the system part, with one worker and with all. */
  coresBusyOneWorker: number;
  coresBusyAllWorkers: number;
  systemCoresOneWorker: number;
  systemCoresAllWorkers: number;
  /** Cores the server process itself kept busy in the two runs. */
  serverCoresOneWorker: number;
  serverCoresAllWorkers: number;
  /** Share of worker-time spent inside jobs in the all-worker run (the rest: waiting between jobs). */
  busyShareAllWorkers: number;
  /** REPL requests per check (round trips). */
  requestsPerCheck: number;
  /** All-worker items/s per GB of worker resident memory. */
  itemsPerSecPerGB: number;
}

/** What the pool part of the bench measured. */
export interface PoolBenchResult extends WorkloadResult {
  workers: number;
  /** Sum of the workers' resident memory after the runs (GB). */
  workerRssGB: number;
  /** The workload with no dominating item. */
  fair: WorkloadResult;
  /** The fair batch checked as before the judge (the worker's own kernel replay and report decide). */
  fairWorkerOnly: WorkloadResult;
  /** The judge process's RSS after the fair batch. */
  judgeRssGB: number;
  /** Fair batch items/s with the judge over without it (N workers; goal >= 0.85). */
  judgeOverWorkerOnly: number;
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

/** CPU seconds [user, system] a process has used so far (Linux /proc), or zeros. */
function cpuSeconds(pid: number | undefined): [number, number] {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return [Number(fields[11]) / 100, Number(fields[12]) / 100]; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return [0, 0];
  }
}

/** One timed run: items/s, per-item times, cores kept busy by the workers (and the system part) and by this process. */
interface Run {
  rate: number;
  itemMs: number[];
  wallMs: number;
  cores: number;
  systemCores: number;
  serverCores: number;
}

/** Run `f`; items per second and the average cores kept busy by the pool's workers and by this (server) process. */
async function measured(pool: WorkerPool<LeanWorker>, f: () => Promise<{ rate: number; itemMs: number[] }>): Promise<Run> {
  const pids = pool.workers().map((w) => w.pid);
  const total = (): [number, number] => pids.map(cpuSeconds).reduce((a, b) => [a[0] + b[0], a[1] + b[1]], [0, 0]);
  const cpu0 = total();
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const { rate, itemMs } = await f();
  const wallMs = performance.now() - t0;
  const wall = wallMs / 1000;
  const self = process.cpuUsage(self0);
  const cpu1 = total();
  return { rate, itemMs, wallMs, cores: (cpu1[0] + cpu1[1] - cpu0[0] - cpu0[1]) / wall, systemCores: (cpu1[1] - cpu0[1]) / wall, serverCores: (self.user + self.system) / 1e6 / wall };
}

/** Candidate proofs tried on every statement (some fail: checking a failure is work too). */
const CANDIDATES = ['by omega', 'by simp', 'by decide'];

/** REPL requests sent by the bench's workers (to count round trips per check). */
let requestCount = 0;

/** How the bench checks an item on a worker: through the judge (as the server does), or as before the judge (for comparison). */
type CheckFn = (worker: LeanWorker, item: CheckItem) => Promise<unknown>;
let check: CheckFn = () => Promise.reject(new Error('benchPool sets the check'));

/** Count every request `w` sends. */
function countRequests(w: LeanWorker): void {
  const original = w.request.bind(w);
  w.request = ((...args: Parameters<LeanWorker['request']>) => {
    requestCount += 1;
    return original(...args);
  }) as LeanWorker['request'];
}

/** Check `items` through `pool` with at most `lanes` at a time; items per second and each item's time on its worker. */
async function throughput(pool: WorkerPool<LeanWorker>, items: CheckItem[], lanes: number): Promise<{ rate: number; itemMs: number[] }> {
  const itemMs: number[] = [];
  const t0 = performance.now();
  await forEachLimited(items, lanes, async (it, i) => {
    await pool.run({ tenant: 'bench', header: 'header' in it ? it.header : undefined }, async ({ worker }) => {
      const s = performance.now();
      await check(worker, it);
      itemMs[i] = performance.now() - s;
    });
  });
  return { rate: items.length / ((performance.now() - t0) / 1000), itemMs };
}

/** Measure `items` with one worker then all `size`; the ratio beside the batch's bound. */
async function workload(pool: WorkerPool<LeanWorker>, items: CheckItem[], size: number, rssGB: () => number): Promise<WorkloadResult & { itemMsOneWorker: number[] }> {
  const requests0 = requestCount;
  const one = await measured(pool, () => throughput(pool, items, 1));
  const requestsPerCheck = (requestCount - requests0) / items.length;
  const all = await measured(pool, () => throughput(pool, items, size));
  const total = one.itemMs.reduce((a, b) => a + b, 0);
  const longest = Math.max(...one.itemMs);
  return {
    checks: items.length,
    itemsPerSecOneWorker: one.rate,
    itemsPerSecAllWorkers: all.rate,
    speedup: all.rate / one.rate,
    bound: total / Math.max(longest, total / size),
    longestItemMs: longest,
    totalItemMs: total,
    coresBusyOneWorker: one.cores,
    coresBusyAllWorkers: all.cores,
    systemCoresOneWorker: one.systemCores,
    systemCoresAllWorkers: all.systemCores,
    serverCoresOneWorker: one.serverCores,
    serverCoresAllWorkers: all.serverCores,
    busyShareAllWorkers: all.itemMs.reduce((a, b) => a + b, 0) / (size * all.wallMs),
    requestsPerCheck,
    itemsPerSecPerGB: all.rate / rssGB(),
    itemMsOneWorker: one.itemMs,
  };
}

/** The median of a list. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The fair batch's least size (the full bench's 149 short items twice over; --quick's ~30 nine times). */
const FAIR_CHECKS = 250;

/** Checks each worker makes before anything is timed. */
const WARM_CHECKS = 300;

/**
 * Bring every worker of `pool` to the same steady state before timing: each checks the batch's
 * items (again and again up to WARM_CHECKS, leaving out the items over a second after the first
 * pass). A worker gets faster as it runs (V8 tiers Lean's hot wasm code up): measured on one
 * fresh worker, the 149 short items took 7.0 s in the first pass and 4.9-5.8 s from the third
 * on. Before this, the one-worker run used the busiest worker and the N-worker run added fresh
 * ones, so the ratio measured the warm-up, not the pool.
 */
async function warmUp(pool: WorkerPool<LeanWorker>, items: CheckItem[]): Promise<void> {
  await Promise.all(
    pool.workers().map((w) =>
      pool.run({ tenant: 'warm', on: w }, async ({ worker }) => {
        const slow = new Set<number>();
        for (let n = 0, i = 0; n < WARM_CHECKS; i = (i + 1) % items.length) {
          if (slow.has(i)) continue;
          const t0 = performance.now();
          await check(worker, items[i]!);
          if (performance.now() - t0 > 1000) slow.add(i);
          n += 1;
          if (slow.size === items.length) return;
        }
      }),
    ),
  );
}

/**
 * Measure with a pool of `size` workers whose first worker is `first` (already started);
 * the others are started here and stopped at the end. `cluster: false` leaves the cluster section out.
 */
export async function benchPool(first: LeanWorker, statements: BenchmarkItem[], config: Config, size: number, o: { cluster?: boolean } = {}): Promise<PoolBenchResult> {
  const judge = await benchJudge();
  const judged: CheckFn = (worker, it) => checkItem(worker, it, { judge });
  check = judged;
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
  for (const w of pool.workers()) countRequests(pool.peek(w.slot, w.generation)!);
  const rssGB = () => pool.workers().reduce((a, w) => a + (w.rssBytes ?? 0), 0) / 1e9;
  const items: CheckItem[] = statements.flatMap((s) =>
    CANDIDATES.map((proof, k) => ({ id: `${s.id}#${k}`, header: s.header, body: s.body.replace(/:=\s*by\s+sorry\s*$/, `:= ${proof}\n`) })),
  );
  const timedCheck = (on: { slot: number; generation: number }, it: CheckItem) =>
    pool.run({ tenant: 'bench', on }, async ({ worker }) => {
      const t0 = performance.now();
      await check(worker, it);
      return performance.now() - t0;
    });
  // Cold: the first check on a worker that has imported nothing yet (every worker but `first`).
  const fresh = pool.workers().find((w) => w.pid !== first.pid)!;
  const coldCheckMs = await timedCheck(fresh, items[0]!);
  const reusedOnFresh = await timedCheck(fresh, items[0]!);
  await warmUp(pool, items);
  const { itemMsOneWorker, ...standard } = await workload(pool, items, size, rssGB);
  // No dominating item: the standard batch's items that took under a second on one worker, repeated
  // to at least FAIR_CHECKS checks (a batch of a second or two measures its own start and end).
  const short = items.filter((_, i) => itemMsOneWorker[i]! < 1000);
  const repeats = Math.max(1, Math.ceil(FAIR_CHECKS / Math.max(1, short.length)));
  const fairItems = Array.from({ length: repeats }, () => short).flat();
  const { itemMsOneWorker: _t, ...fair } = await workload(pool, fairItems, size, rssGB);
  const workerRssGB = rssGB();
  // The same fair batch checked as before the judge (the worker's own replay decides), side by side.
  check = checkOnWorkerOnly;
  const { itemMsOneWorker: _w, ...fairWorkerOnly } = await workload(pool, fairItems, size, rssGB);
  check = judged;
  const judgeStats = judge.stats();

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
  const cluster = o.cluster === false ? undefined : await benchCluster(live, items, standard.itemsPerSecAllWorkers, 30);
  await pool.close();
  const reusedCheckMs = median(reused);
  return {
    workers: size,
    ...standard,
    workerRssGB,
    fair,
    fairWorkerOnly,
    judgeRssGB: (judgeStats.rssBytes ?? 0) / 1e9,
    judgeOverWorkerOnly: fair.itemsPerSecAllWorkers / fairWorkerOnly.itemsPerSecAllWorkers,
    coldCheckMs,
    newHeaderTextCheckMs: median(variant),
    reusedCheckMs,
    reusedOverCold: reusedCheckMs / coldCheckMs,
    cluster,
  };
}
