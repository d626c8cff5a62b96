/**
 * Spare promotion time, for `npm run bench`: a pool of one serving worker and one spare; a job
 * keeps the worker busy, the worker is killed (SIGKILL), and the time from the kill until the
 * next request on that slot is answered is measured — served by the promoted spare, not after
 * a fresh start. Then the time until a new spare is ready.
 */
import { performance } from 'node:perf_hooks';
import type { Config } from '../../server/config/config.js';
import { workerOptions } from '../../server/lean/backend.js';
import { LeanWorker, type WorkerSpawn } from '../../server/lean/worker.js';
import { WorkerPool } from '../../server/pool/worker-pool.js';

/** What the spare-promotion part of the bench measured. */
export interface SparePromotionResult {
  /** Kill of a busy worker to the next request on its slot answered (ms). */
  promotionMs: number;
  /** Whether that request ran on the former spare (else it waited for a start). */
  servedBySpare: boolean;
  /** Kill to a new spare ready (ms): a cold start in the background. */
  newSpareReadyMs: number;
}

/** Measure on a pool of one worker plus one spare on `spec`. */
export async function benchSparePromotion(spec: WorkerSpawn, config: Config): Promise<SparePromotionResult> {
  const pool = new WorkerPool<LeanWorker>({ size: 1, spares: 1, spawn: (signal) => LeanWorker.start(spec, workerOptions(config), signal), maxQueue: 16, maxQueuePerTenant: 16 });
  try {
    await pool.start();
    const spare = pool.spares()[0]!;
    const busy = pool
      .run({ tenant: 'bench' }, async ({ worker }) => {
        const env = await worker.importHeader('');
        const st = await worker.startProof(env.env, { statement: 'theorem busy : True' });
        return worker.applyTactic(st.proofState, 'sleep 60000');
      })
      .catch(() => undefined);
    while (!pool.workers()[0]?.busy) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200)); // the tactic is running
    const victim = pool.workers()[0]!;
    const t0 = performance.now();
    process.kill(victim.pid!, 'SIGKILL');
    const servedBy = await pool.run({ tenant: 'bench-next' }, async ({ worker, slot }) => {
      await worker.stats();
      return { pid: worker.pid, slot };
    });
    const promotionMs = performance.now() - t0;
    await busy;
    await pool.start(); // resolves when the new spare is ready
    const newSpareReadyMs = performance.now() - t0;
    return { promotionMs, servedBySpare: servedBy.pid === spare.pid && servedBy.slot === victim.slot, newSpareReadyMs };
  } finally {
    await pool.close();
  }
}
