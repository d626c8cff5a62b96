/**
 * Slots against processes, for `npm run bench`: the same batch of checks (the fair batch's
 * statements x candidate proofs, on the worker only, warmed first) on one worker with one slot,
 * one worker with two and three slots, and two one-slot workers, each configuration alone on the
 * machine. Reports items/s, the workers' summed RSS after the batch, items/s per GB, and the
 * memory each added slot costs (RSS over the one-slot worker's, per slot).
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../server/config/config.js';
import { resolveBackend, workerOptions } from '../../server/lean/backend.js';
import { LeanWorker } from '../../server/lean/worker.js';
import { forEachLimited } from '../../server/pool/worker-pool.js';
import { withSlots } from '../../server/pool/create.js';
import type { BenchmarkItem } from '../support/lean.js';
import { checkOnWorkerOnly } from './judge.js';

/** One configuration: `workers` processes of `slots` slots each. */
export interface SlotsConfig {
  workers: number;
  slots: number;
}

/** What one configuration measured. */
export interface SlotsResult extends SlotsConfig {
  itemsPerSec: number;
  checks: number;
  /** Summed RSS of the workers after the batch (bytes). */
  rss: number;
  itemsPerSecPerGB: number;
  /** Verdicts of the warm pass, item by item (the same for every configuration, or concurrency changed an answer). */
  verdicts: string[];
}

/** The configurations a run measures (`quick`: one worker with two slots against two one-slot workers, and the one-slot baseline). */
export function slotsConfigs(quick: boolean): SlotsConfig[] {
  const all = [
    { workers: 1, slots: 1 },
    { workers: 1, slots: 2 },
    { workers: 2, slots: 1 },
    { workers: 1, slots: 3 },
  ];
  return quick ? all.slice(0, 3) : all;
}

const CANDIDATES = ['by omega', 'by simp', 'by decide'];

/** Run every configuration in turn on `statements` (at least `minChecks` timed checks each). */
export async function benchSlots(configs: SlotsConfig[], statements: BenchmarkItem[], minChecks: number, log: (l: string) => void): Promise<SlotsResult[]> {
  const items = statements.flatMap((s) => CANDIDATES.map((p) => ({ ...s, body: s.body.replace(/:=\s*by\s+sorry\s*$/, `:= ${p}\n`) })));
  const results: SlotsResult[] = [];
  for (const c of configs) {
    const config = loadConfig([], process.env, { slotsPerWorker: c.slots });
    const spec = withSlots(await resolveBackend(config), c.slots, config.wasmThreads);
    const name = `${c.workers} worker(s) x ${c.slots} slot(s)`;
    log(`${name}: starting`);
    const workers = await Promise.all(Array.from({ length: c.workers }, () => LeanWorker.start(spec, workerOptions(config))));
    try {
      const lanes = c.workers * c.slots;
      const run = async (list: BenchmarkItem[], onItem?: () => void) => {
        const verdicts: string[] = new Array(list.length);
        await forEachLimited(list, lanes, async (it, i) => {
          verdicts[i] = await checkOnWorkerOnly(workers[i % c.workers]!, it);
          onItem?.();
        });
        return verdicts;
      };
      // Warm: every worker imports the header and runs each item once.
      const verdicts = await run(items);
      if (c.workers > 1) await run(items);
      const timed = Array.from({ length: Math.ceil(minChecks / items.length) }, () => items).flat();
      let done = 0;
      const t0 = performance.now();
      await run(timed, () => {
        if (++done % 20 === 0) log(`${name}: ${done} of ${timed.length} timed checks`);
      });
      const itemsPerSec = timed.length / ((performance.now() - t0) / 1000);
      const rss = workers.reduce((a, w) => a + (w.rssBytes() ?? 0), 0);
      log(`${name}: ${itemsPerSec.toFixed(2)} items/s, ${(rss / 1e9).toFixed(2)} GB RSS`);
      results.push({ ...c, itemsPerSec, checks: timed.length, rss, itemsPerSecPerGB: itemsPerSec / (rss / 1e9), verdicts });
    } finally {
      await Promise.all(workers.map((w) => w.dispose()));
    }
  }
  return results;
}

/** Table rows: each configuration, then the ratios the issue asks for. */
export function slotsRows(results: SlotsResult[]): string[][] {
  const gb = (b: number) => (b / 1e9).toFixed(2);
  const rows = results.map((r) => [
    `slots: ${r.workers} worker(s) x ${r.slots} slot(s)`,
    `${r.itemsPerSec.toFixed(2)} items/s (${r.checks} checks), RSS ${gb(r.rss)} GB, ${r.itemsPerSecPerGB.toFixed(2)} items/s per GB`,
  ]);
  const one = results.find((r) => r.workers === 1 && r.slots === 1);
  const two = results.find((r) => r.workers === 1 && r.slots === 2);
  const pair = results.find((r) => r.workers === 2 && r.slots === 1);
  if (one) {
    for (const r of results.filter((x) => x.workers === 1 && x.slots > 1)) {
      rows.push([`slots: memory per added slot (${r.slots} slots)`, `${Math.round((r.rss - one.rss) / (r.slots - 1) / 2 ** 20)} MB`]);
    }
  }
  if (two && pair) {
    rows.push(['slots: 1 worker x 2 slots vs 2 workers x 1 slot', `throughput x${(two.itemsPerSec / pair.itemsPerSec).toFixed(2)}, items/s per GB x${(two.itemsPerSecPerGB / pair.itemsPerSecPerGB).toFixed(2)}`]);
  }
  const same = results.every((r) => JSON.stringify(r.verdicts) === JSON.stringify(results[0]!.verdicts));
  if (results.length > 1) rows.push(['slots: verdicts item by item, every configuration', same ? 'identical' : 'DIFFERENT: concurrency changed what Lean answers']);
  return rows;
}
