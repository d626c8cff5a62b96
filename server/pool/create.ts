/** Build the worker pool of real Lean workers from the configuration. */
import type { Logger } from 'pino';
import { slotsPerWorkerFor, spareWorkersFor, type Config } from '../config/config.js';
import { workerOptions } from '../lean/backend.js';
import { LeanWorkerError } from '../lean/errors.js';
import { LeanWorker, type WorkerSpawn } from '../lean/worker.js';
import { WorkerPool } from './worker-pool.js';
import { RPC_POLL_ENV } from '../provision/glue-channel.js';

/**
 * Check one trivial file on a new worker before it serves (or waits as a spare): the first check
 * of a process imports the prelude and runs cold code (4-5 s measured), which would otherwise be
 * paid by the first request after a promotion. A failure is left to the first real request.
 */
async function warmUp(w: LeanWorker): Promise<LeanWorker> {
  try {
    const r = await w.checkSubmission('example : True := trivial\n');
    await w.drop({ envs: [r.env] });
  } catch {
    // The worker's own error handling (exit, kill) takes over.
  }
  return w;
}

/**
 * The embedded worker's spawn for `slots` slots: the REPL's `--slots`, the request device in
 * polling mode, and a pthread pool with a thread for the reader and each slot besides Lean's own.
 */
export function withSlots(spec: WorkerSpawn, slots: number, wasmThreads: number): WorkerSpawn {
  if (slots <= 1) return spec;
  return {
    ...spec,
    slots,
    args: [...spec.args, '--slots', String(slots)],
    env: { ...spec.env, [RPC_POLL_ENV]: '1', LEANENV_WASM_THREADS: String(Math.max(wasmThreads, slots + 2)) },
  };
}

/**
 * A pool of `config.workers` Lean workers on `spec` plus its spares, with the configured queue
 * and recycling limits. `spares` defaults to the configuration's (see `spareWorkersFor`).
 */
export function createPool(spec: WorkerSpawn, config: Config, logger?: Logger, size = config.workers, spares = spareWorkersFor(config)): WorkerPool<LeanWorker> {
  const opts = workerOptions(config, logger);
  const slots = spec.backend === 'wasm' ? slotsPerWorkerFor(config) : 1;
  const slotted = withSlots(spec, slots, config.wasmThreads);
  return new WorkerPool({
    size,
    slotsPerWorker: slots,
    isWorkerLoss: (e) => e instanceof LeanWorkerError && (e.kind === 'worker_exited' || e.kind === 'worker_tampered'),
    spares,
    spawn: async (signal) => warmUp(await LeanWorker.start(slotted, opts, signal)),
    maxQueue: config.maxQueue,
    maxQueuePerTenant: config.maxQueuePerSession,
    maxRssBytes: config.maxWorkerRssMb * 2 ** 20,
    recycleAfterRequests: config.recycleAfterRequests,
    logger,
  });
}
