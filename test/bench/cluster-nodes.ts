/**
 * Cluster nodes for the bench: node instances in the bench process, each with its own pool
 * (of the bench's warm workers, borrowed), BullMQ consumer and Redis connections.
 */
import { performance } from 'node:perf_hooks';
import type { CheckItem } from '../../server/check/checker.js';
import { ClusterNode, poolItemRunner } from '../../server/cluster/cluster.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import { WorkerPool } from '../../server/pool/worker-pool.js';
import { benchJudge } from './judge.js';

/** The worker, with dispose() a no-op: the bench pool owns it. */
function borrowed(w: LeanWorker): LeanWorker {
  return new Proxy(w, {
    get: (t, k) => {
      if (k === 'dispose') return async () => undefined;
      const v = Reflect.get(t, k, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** Start one node per group of workers on `url` (header affinity on unless `affinity: false`); resolves once each consumer runs. */
export async function startNodes(url: string, groups: LeanWorker[][], affinity = true): Promise<{ nodes: ClusterNode[]; pools: WorkerPool<LeanWorker>[]; close: () => Promise<void> }> {
  const pools = groups.map((g) => {
    const queue = g.map(borrowed);
    return new WorkerPool<LeanWorker>({ size: g.length, spawn: async () => queue.shift()!, maxQueue: 10_000, maxQueuePerTenant: 10_000 });
  });
  await Promise.all(pools.map((p) => p.start()));
  const judge = await benchJudge();
  const nodes = pools.map((p) => new ClusterNode(p, poolItemRunner(p, judge), { url, maxQueue: 1_000_000, affinity }));
  nodes.forEach((n, i) => n.start(pools[i]!.ready()));
  await new Promise((r) => setTimeout(r, 500));
  return {
    nodes,
    pools,
    close: async () => {
      await Promise.all(nodes.map((n) => n.close(10_000)));
      await Promise.all(pools.map((p) => p.close()));
    },
  };
}

/** Items per second of one batch submitted to the first node. */
export async function batchRate(node: ClusterNode, items: CheckItem[], batchId: string): Promise<number> {
  const t0 = performance.now();
  await node.batches.submit(batchId, items, undefined);
  let n = 0;
  for await (const _ of node.batches.results(batchId, items.length, () => false)) n++;
  return n / ((performance.now() - t0) / 1000);
}

