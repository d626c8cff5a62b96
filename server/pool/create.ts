/** Build the worker pool of real Lean workers from the configuration. */
import type { Logger } from 'pino';
import { spareWorkersFor, type Config } from '../config/config.js';
import { workerOptions } from '../lean/backend.js';
import { LeanWorker, type WorkerSpawn } from '../lean/worker.js';
import { WorkerPool } from './worker-pool.js';

/**
 * A pool of `config.workers` Lean workers on `spec` plus its spares, with the configured queue
 * and recycling limits. `spares` defaults to the configuration's (see `spareWorkersFor`).
 */
export function createPool(spec: WorkerSpawn, config: Config, logger?: Logger, size = config.workers, spares = spareWorkersFor(config)): WorkerPool<LeanWorker> {
  const opts = workerOptions(config, logger);
  return new WorkerPool({
    size,
    spares,
    spawn: (signal) => LeanWorker.start(spec, opts, signal),
    maxQueue: config.maxQueue,
    maxQueuePerTenant: config.maxQueuePerSession,
    maxRssBytes: config.maxWorkerRssMb * 2 ** 20,
    recycleAfterRequests: config.recycleAfterRequests,
    logger,
  });
}
