/**
 * Header affinity across nodes, measured on REAL Lean (part of the cluster section of
 * `npm run bench`): two nodes of one worker each on a real redis-server, one batch whose
 * items use several distinct header texts (the bench items' header plus a `-- variant k`
 * line: a header text the worker has not imported, so Lean elaborates it again), items of
 * the headers interleaved. Run once with affinity and once without; reported: header imports
 * the batch cost (the pools' `headerImports`), items/s, and where the items were taken from.
 * Alone: `lean-slot npx tsx test/bench/cluster-affinity.ts` (starts two workers).
 */
import { performance } from 'node:perf_hooks';
import type { CheckItem } from '../../server/check/checker.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import { TestRedis } from '../support/redis.js';
import { startNodes } from './cluster-nodes.js';

/** One batch with or without affinity. */
export interface AffinityRun {
  headerImports: number;
  itemsPerSec: number;
  /** Items taken from a node's own header queues / the general queue / other nodes' header queues. */
  picks: { own: number; general: number; other: number };
}

/** One scenario: `headers` distinct header texts, `perHeader` items each. */
export interface AffinityScenario {
  headers: number;
  perHeader: number;
  on: AffinityRun;
  off: AffinityRun;
}

/** The batch: `headers` variants of each item's header, interleaved (item i has variant i mod headers). */
function variantBatch(items: CheckItem[], headers: number, perHeader: number, tag: string): CheckItem[] {
  const base = items.filter((i): i is Extract<CheckItem, { header: string }> => 'header' in i);
  return Array.from({ length: headers * perHeader }, (_, i) => {
    const it = base[i % base.length]!;
    return { ...it, id: `${tag}-${i}`, header: `${it.header}\n-- variant ${tag} ${i % headers}\n` };
  });
}

async function runOnce(url: string, workers: LeanWorker[], batch: CheckItem[], affinity: boolean, batchId: string): Promise<AffinityRun> {
  const nodes = await startNodes(url, workers.map((w) => [w]), affinity);
  try {
    const importsBefore = nodes.pools.reduce((n, p) => n + p.stats().headerImports, 0);
    const t0 = performance.now();
    await nodes.nodes[0]!.batches.submit(batchId, batch, undefined);
    let n = 0;
    for await (const _ of nodes.nodes[0]!.batches.results(batchId, batch.length, () => false)) n++;
    const itemsPerSec = n / ((performance.now() - t0) / 1000);
    const headerImports = nodes.pools.reduce((k, p) => k + p.stats().headerImports, 0) - importsBefore;
    const picks = { own: 0, general: 0, other: 0 };
    for (const node of nodes.nodes) for (const k of ['own', 'general', 'other'] as const) picks[k] += node.consumer.stats.picks[k];
    return { headerImports, itemsPerSec, picks };
  } finally {
    await nodes.close();
  }
}

/** Measure affinity on and off for each scenario, each run on its own fresh Redis and fresh header variants. */
export async function benchAffinity(workers: LeanWorker[], items: CheckItem[], scenarios: { headers: number; perHeader: number }[]): Promise<AffinityScenario[]> {
  const out: AffinityScenario[] = [];
  for (const [k, s] of scenarios.entries()) {
    const runs: AffinityRun[] = [];
    for (const affinity of [true, false]) {
      const redis = await TestRedis.start();
      try {
        const tag = `s${k}-${affinity ? 'on' : 'off'}-${Date.now()}`;
        runs.push(await runOnce(redis.url, workers, variantBatch(items, s.headers, s.perHeader, tag), affinity, tag));
      } finally {
        await redis.stop();
      }
    }
    out.push({ ...s, on: runs[0]!, off: runs[1]! });
  }
  return out;
}

/** Table rows for the bench. */
export function affinityRows(xs: AffinityScenario[]): string[][] {
  return xs.map((s) => [
    `cluster: header affinity, 2 nodes x 1 worker, ${s.headers} headers x ${s.perHeader} items`,
    `imports ${s.on.headerImports} vs ${s.off.headerImports} without; ${s.on.itemsPerSec.toFixed(2)} vs ${s.off.itemsPerSec.toFixed(2)} items/s (picks own/general/other ${s.on.picks.own}/${s.on.picks.general}/${s.on.picks.other})`,
  ]);
}

if (process.argv[1]?.endsWith('cluster-affinity.ts')) {
  const { startTestWorker, coreSubset } = await import('../support/lean.js');
  const workers = await Promise.all([startTestWorker(), startTestWorker()]);
  const items = [...coreSubset().values()].slice(0, 20).map((it) => ({ id: it.id, header: it.header, body: it.body.replace(/:=\s*by\s+sorry\s*$/, ':= by decide\n') }));
  // Warm both workers on the plain header (as in the bench, where they ran the pool section first).
  await Promise.all(workers.map((w) => w.importHeader(items[0]!.header)));
  const r = await benchAffinity(workers, items, [
    { headers: 4, perHeader: 6 },
    { headers: 12, perHeader: 3 },
  ]);
  console.log(JSON.stringify(r, null, 2));
  for (const row of affinityRows(r)) console.log(row.join(': '));
  await Promise.all(workers.map((w) => w.dispose()));
  process.exit(0);
}
