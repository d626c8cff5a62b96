/** Start the real server (fastify + a pool of real Lean workers) on a free loopback port. */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { expect } from 'vitest';
import type { CheckItem, CheckResult } from '../../protocol/check.js';
import { build, type AppOptions } from '../../server/app.js';
import { loadConfig, type ConfigInput } from '../../server/config/config.js';
import { resolveBackend } from '../../server/lean/backend.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import { createPool } from '../../server/pool/create.js';
import { createJudge } from '../../server/judge/create.js';
import type { Judge } from '../../server/judge/judge.js';
import type { WorkerPool } from '../../server/pool/worker-pool.js';
import { DatasetIndex } from '../../server/sessions/datasets.js';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { watchErrorShapes } from './http.js';

/** A running test server and its base URL. */
export interface TestServer {
  app: FastifyInstance;
  url: string;
  pool: WorkerPool<LeanWorker>;
  /** The server's judge (started with the pool). */
  judge: Judge;
}

/** Options: configuration overrides (`workers` defaults to 1, `spareWorkers` to 0 and `slotsPerWorker` to 1 in tests) and app options. */
export interface TestServerOptions {
  config?: ConfigInput;
  app?: Partial<AppOptions>;
}

/** Build and listen; every worker is started (and awaited) before returning. */
export async function startTestServer(o: TestServerOptions = {}): Promise<TestServer> {
  const config = loadConfig([], process.env, { workers: 1, spareWorkers: 0, slotsPerWorker: 1, ...o.config });
  const spec = await resolveBackend(config);
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const pool = createPool(spec, config, logger);
  const judge = createJudge(spec, config, logger);
  await Promise.all([pool.start(), judge.start()]);
  const datasets = new DatasetIndex([path.resolve(PROJECT_ROOT, '../shared/benchmarks/core-subset.jsonl')]);
  const app = await build({ pool, judge, datasets, sessionTtlMs: config.sessionTtlMs, logLevel: process.env.LOG_LEVEL ?? 'warn', ...o.app });
  watchErrorShapes(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('server did not bind a TCP port');
  return { app, url: `http://127.0.0.1:${addr.port}`, pool, judge };
}

/** Check one item through `POST /v1/check` (the answer must be 200); its result. */
export async function checkOne(server: TestServer, item: CheckItem): Promise<CheckResult> {
  const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: [item] } });
  expect(r.statusCode).toBe(200);
  return (r.json() as { results: CheckResult[] }).results[0]!;
}
