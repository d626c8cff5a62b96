/** Start the real server (fastify + one real Lean worker) on a free loopback port. */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { build } from '../../server/app.js';
import { loadConfig } from '../../server/config/config.js';
import { resolveBackend, workerOptions } from '../../server/lean/backend.js';
import { RestartingWorker } from '../../server/lean/worker-handle.js';
import { DatasetIndex } from '../../server/sessions/datasets.js';
import { PROJECT_ROOT } from '../../server/provision/paths.js';

/** A running test server and its base URL. */
export interface TestServer {
  app: FastifyInstance;
  url: string;
  workers: RestartingWorker;
}

/** Build and listen; the worker is started (and awaited) before returning. */
export async function startTestServer(o: { sessionTtlMs?: number } = {}): Promise<TestServer> {
  const config = loadConfig([]);
  const spec = await resolveBackend(config);
  const workers = new RestartingWorker(spec, workerOptions(config, pino({ level: process.env.LOG_LEVEL ?? 'warn' })));
  await workers.acquire();
  const datasets = new DatasetIndex([path.resolve(PROJECT_ROOT, '../shared/benchmarks/core-subset.jsonl')]);
  const app = await build({ workers, datasets, sessionTtlMs: o.sessionTtlMs, logLevel: process.env.LOG_LEVEL ?? 'warn' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('server did not bind a TCP port');
  return { app, url: `http://127.0.0.1:${addr.port}`, workers };
}
