/** Build the node's judge from the backend's worker spawn: the same REPL, started with `--judge`. */
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { workerOptions } from '../lean/backend.js';
import { LeanWorker, type WorkerSpawn } from '../lean/worker.js';
import { Judge } from './judge.js';

/** The judge for `spec`'s backend, with the configuration's limits. */
export function createJudge(spec: WorkerSpawn, config: Config, logger?: Logger): Judge {
  const judgeSpec: WorkerSpawn = { ...spec, args: [...spec.args, '--judge'] };
  const opts = workerOptions(config, logger);
  return new Judge({ spawn: (signal) => LeanWorker.start(judgeSpec, opts, signal), maxHeartbeats: config.maxHeartbeats, logger });
}
