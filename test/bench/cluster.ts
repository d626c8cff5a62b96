/**
 * The cluster section of `npm run bench`: batch-check throughput through Redis + BullMQ with
 * one node holding all the workers and with one node per worker (node instances in this
 * process, each with its own pool, BullMQ consumer and Redis connections, on a real
 * redis-server), as a ratio against the single-node pool with the same workers; and the
 * latency the queue adds per check (submit to result, minus the check's own time).
 * Reuses the bench's warm workers (no extra Lean memory).
 */
import { performance } from 'node:perf_hooks';
import type { CheckItem } from '../../server/check/checker.js';
import type { ClusterNode } from '../../server/cluster/cluster.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import type { WorkerPool } from '../../server/pool/worker-pool.js';
import { TestRedis } from '../support/redis.js';
import { build } from '../../server/app.js';
import { LeanEnvClient } from '../../client/sdk.js';
import { coreSubset } from '../support/lean.js';
import { benchAffinity, type AffinityScenario } from './cluster-affinity.js';
import { batchRate, startNodes } from './cluster-nodes.js';
import { benchJudge } from './judge.js';
import { percentile } from './stats.js';

/** What the cluster part of the bench measured. */
export interface ClusterBenchResult {
  workers: number;
  checks: number;
  itemsPerSecOneNode: number;
  itemsPerSecNodes: number;
  /** Throughput of one node per worker over the single-node pool without Redis (goal >= 0.9). */
  nodesOverPool: number;
  oneNodeOverPool: number;
  /** Per check: time from submit to its result minus the check's own time, single-item batches. */
  addedLatencyMs: { p50: number; p95: number };
  /** A session opened on node A resumed on node B (WebSocket round trip, snapshot loaded from Redis). */
  resumeOnOtherNodeMs: number;
  /** Then the first tactic there, on a state that must be rebuilt by replay on B's worker. */
  firstStepAfterResumeMs: number;
  /** The same kind of step on node A, for comparison. */
  stepOnOwnerMs: number;
  /** Header affinity across nodes, on vs off (cluster-affinity.ts). */
  affinity: AffinityScenario[];
}

/** The affinity scenarios the bench runs: fewer distinct headers than a worker keeps (8), and more. */
export const AFFINITY_SCENARIOS = [
  { headers: 4, perHeader: 6 },
  { headers: 12, perHeader: 3 },
];

/** Open a session on node A (over the WebSocket API), take a step, resume it on node B and take the next step there. */
async function resumeTimes(nodes: ClusterNode[], pools: WorkerPool<LeanWorker>[]): Promise<{ resumeOnOtherNodeMs: number; firstStepAfterResumeMs: number; stepOnOwnerMs: number }> {
  const judge = await benchJudge();
  const apps = await Promise.all(nodes.slice(0, 2).map((cluster, i) => build({ pool: pools[i]!, judge, cluster, ownsPool: false, logLevel: 'warn' })));
  const urls = await Promise.all(apps.map(async (a) => (await a.listen({ host: '127.0.0.1', port: 0 }), `http://127.0.0.1:${(a.server.address() as { port: number }).port}`)));
  try {
    const it = coreSubset().get('amc12b_2002_p2')!;
    const onA = await LeanEnvClient.connect(urls[0]!);
    const s = await onA.openSession(it.header);
    const root = await onA.start(s.sessionId, { statement: it.body });
    let t = performance.now();
    const step = (await onA.apply(root.stateId, 'subst h₀')) as { stateId: string };
    const stepOnOwnerMs = performance.now() - t;
    await onA.close();
    const onB = await LeanEnvClient.connect(urls[1]!);
    t = performance.now();
    await onB.resumeSession(s.sessionId);
    const resumeOnOtherNodeMs = performance.now() - t;
    t = performance.now();
    await onB.apply(step.stateId, 'decide');
    const firstStepAfterResumeMs = performance.now() - t;
    await onB.close();
    return { resumeOnOtherNodeMs, firstStepAfterResumeMs, stepOnOwnerMs };
  } finally {
    await Promise.all(apps.map((a) => a.close()));
  }
}

/** Measure the cluster with the bench's warm `workers`; `poolRate` is the single-node pool's items/s with the same workers. */
export async function benchCluster(workers: LeanWorker[], items: CheckItem[], poolRate: number, latencyChecks: number): Promise<ClusterBenchResult> {
  const redis = await TestRedis.start();
  try {
    const one = await startNodes(redis.url, [workers]);
    const rateOne = await batchRate(one.nodes[0]!, items, 'bench-one');
    await one.close();
    const many = await startNodes(redis.url, workers.map((w) => [w]));
    const rateMany = await batchRate(many.nodes[0]!, items, 'bench-many');
    const added: number[] = [];
    for (let i = 0; i < latencyChecks; i++) {
      const it = items[i % items.length]!;
      const t0 = performance.now();
      await many.nodes[0]!.batches.submit(`bench-lat-${i}`, [it], undefined);
      for await (const r of many.nodes[0]!.batches.results(`bench-lat-${i}`, 1, () => false)) added.push(performance.now() - t0 - r.result.elapsedMs);
    }
    const resume = await resumeTimes(many.nodes, many.pools);
    await many.close();
    const affinity = await benchAffinity(workers, items, AFFINITY_SCENARIOS);
    return {
      ...resume,
      affinity,
      workers: workers.length,
      checks: items.length,
      itemsPerSecOneNode: rateOne,
      itemsPerSecNodes: rateMany,
      nodesOverPool: rateMany / poolRate,
      oneNodeOverPool: rateOne / poolRate,
      addedLatencyMs: { p50: percentile(added, 50), p95: percentile(added, 95) },
    };
  } finally {
    await redis.stop();
  }
}
