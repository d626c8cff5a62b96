/**
 * Compatibility fronts for tools prover teams already run: the Kimina Lean Server's HTTP API
 * (`/api/check`, `/verify`, `/one_pass_verify_batch`) and the Lean REPL's JSON protocol over a
 * WebSocket (`/v1/repl`; file mode under the configured `replFileRoot`).
 */
import type { FastifyInstance } from 'fastify';
import type { LeanWorker } from '../lean/worker.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import type { Judge } from '../judge/judge.js';
import type { ServerMetrics } from '../http/metrics.js';
import { kiminaRoutes } from './kimina.js';
import { replRoutes } from './repl-routes.js';

/** Register every compatibility route (after the WebSocket plugin). */
export async function compatRoutes(app: FastifyInstance, o: { pool: WorkerPool<LeanWorker>; judge: Judge; metrics?: ServerMetrics; replFileRoot?: string; replPickleDir?: string }): Promise<void> {
  await kiminaRoutes(app, o);
  await replRoutes(app, { pool: o.pool, fileRoot: o.replFileRoot, pickleDir: o.replPickleDir });
}
