/**
 * The HTTP application: `build(opts)` returns a fastify instance (tests use `inject` or
 * listen on port 0); `main.ts` only listens. Routes: `GET /health`, `GET /metrics`, `GET /v1/ws`,
 * `POST /v1/check`, `GET /openapi.json`, `GET /docs`, `GET /` (the debugger page) and the compatibility fronts (`server/compat/`).
 *
 * Adding a route or a WebSocket method (the pattern):
 * - HTTP: declare it after `registerApiDocs` with a zod `schema` (summary, body/querystring from
 *   `protocol/`, `response` with `httpErrorResponses(...)`), through `withTypeProvider<ZodTypeProvider>()`;
 *   it is then validated and listed in /openapi.json. Throw, never build error bodies: an
 *   `ApiError` from the registry (`protocol/api.ts` ApiErrors, add an entry when none fits) or a
 *   lower layer's typed error, which `server/errors/to-api-error.ts` maps; `server/http/errors.ts`
 *   answers every error in the registry's shape.
 * - WebSocket: add the method to `ApiMethods` in `protocol/api.ts` (params, result, summary), a
 *   handler in `server/ws/routes.ts`, and run `npm run docs` (docs/websocket-api.md).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { LeanWorker } from './lean/worker.js';
import type { WorkerPool } from './pool/worker-pool.js';
import type { Judge } from './judge/judge.js';
import { SessionRegistry } from './sessions/registry.js';
import type { DatasetIndex } from './sessions/datasets.js';
import { wsRoutes } from './ws/routes.js';
import { checkRoutes } from './http/check.js';
import { traceRoutes } from './http/traces.js';
import { metricsRoutes, ServerMetrics } from './http/metrics.js';
import { requireToken } from './http/auth.js';
import { compatRoutes } from './compat/index.js';
import { webPageRoutes } from './http/web-page.js';
import { limitRequestRate, type HttpRateLimit } from './http/rate-limit.js';
import type { RateLimit } from './ws/token-bucket.js';
import { registerErrorHandler } from './http/errors.js';
import { registerApiDocs } from './http/openapi.js';
import { clusterGauges, type ClusterNode } from './cluster/cluster.js';

/** What the app needs. */
export interface AppOptions {
  pool: WorkerPool<LeanWorker>;
  /** The node's judge: decides every `proved` (`/v1/check`, the fronts, `proof.verify`); closed with the app. */
  judge: Judge;
  datasets?: DatasetIndex;
  defaultHeader?: string;
  sessionTtlMs?: number;
  maxMessageBytes?: number;
  /** Largest HTTP request body (default 64 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Per-connection WebSocket request rate, per-client HTTP request rate (both off when absent). */
  wsRateLimit?: RateLimit;
  httpRateLimit?: HttpRateLimit;
  /** Bearer token required on every request, the WebSocket upgrade included. */
  authToken?: string;
  /** On close, how long queued and running requests may finish before workers stop. */
  shutdownGraceMs?: number;
  /** Whether closing the app stops the pool (default true; false when apps share a pool). */
  ownsPool?: boolean;
  /** Directory under which the REPL front's `{"path": …}` commands may read files (none: file mode off). */
  replFileRoot?: string;
  /** Directory of the REPL front's pickle files (pickling off without one). */
  replPickleDir?: string;
  logLevel?: string;
  /** Cluster mode (server/cluster/): batches go through Redis; /health and /metrics show the cluster. */
  cluster?: ClusterNode;
}

/** `/health`'s `toolchain`: the toolchain the REPL reports it was compiled with, and on the native backend the project's toolchain, its source, support and Mathlib. */
function nativeHealth(worker: LeanWorker): Record<string, unknown> {
  const n = worker.spawnSpec.native;
  return {
    repl: worker.info?.toolchain,
    ...(n ? { project: n.toolchain, source: n.toolchainSource, support: n.support, mathlib: n.mathlib, projectDir: n.projectDir } : {}),
  };
}

/** Build the fastify app with its session registry. */
export async function build(opts: AppOptions): Promise<FastifyInstance> {
  const bodyLimit = opts.maxBodyBytes ?? 64 << 20;
  const app = Fastify({ logger: { level: opts.logLevel ?? 'info' }, bodyLimit });
  // Requests are validated with the routes' zod schemas; responses are sent as they are (their
  // schemas document them in /openapi.json).
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerErrorHandler(app, bodyLimit);
  const { pool } = opts;
  const registry = new SessionRegistry({
    pool,
    datasets: opts.datasets,
    ttlMs: opts.sessionTtlMs ?? 10 * 60_000,
    defaultHeader: opts.defaultHeader ?? '',
    store: opts.cluster?.sessions,
    judge: opts.judge,
  });
  const sweeper = setInterval(() => registry.sweep(), 5_000);
  sweeper.unref();
  await limitRequestRate(app, opts.httpRateLimit);
  requireToken(app, opts.authToken);
  await registerApiDocs(app, { authToken: opts.authToken });

  /** `GET /health`: backend, Lean version, sandbox, the pool (workers, restarts, queue), session counts; 503 until a worker is ready. */
  app.get('/health', { schema: { summary: 'Server, pool and session state; 503 until a worker is ready' } }, async (_req, reply) => {
    const worker = pool.any();
    const stats = pool.stats();
    return reply.code(worker ? 200 : 503).send({
      status: worker ? 'ok' : 'starting',
      backend: worker?.spawnSpec.backend,
      lean: worker?.info?.version,
      sandbox: worker?.spawnSpec.sandbox,
      // Native backend: the toolchain the REPL was built with (the project's) and the project's Mathlib.
      toolchain: worker ? nativeHealth(worker) : undefined,
      workers: { ...stats, live: pool.workers(), spareWorkers: pool.spares() },
      judge: opts.judge.stats(),
      ...registry.counts(),
      ...(opts.cluster ? { cluster: await opts.cluster.view() } : {}),
    });
  });

  const metrics = new ServerMetrics();
  await wsRoutes(app, { registry, metrics, maxMessageBytes: opts.maxMessageBytes ?? 1 << 20, rateLimit: opts.wsRateLimit });
  await checkRoutes(app, { pool, judge: opts.judge, metrics, cluster: opts.cluster?.batches });
  await traceRoutes(app, registry);
  await compatRoutes(app, { pool, judge: opts.judge, metrics, replFileRoot: opts.replFileRoot, replPickleDir: opts.replPickleDir });
  await webPageRoutes(app);
  await metricsRoutes(app, metrics, async () => {
    const s = pool.stats();
    const j = opts.judge.stats();
    metrics.queueDepth.set(s.queued);
    metrics.countForgedFrames(s.forgedFrames);
    return {
      workers: s.size,
      workers_ready: s.ready,
      workers_busy: s.busy,
      workers_starting: s.starting,
      workers_spare: s.spares,
      workers_spare_target: s.spareTarget,
      worker_promotions: s.promotions,
      worker_restarts: s.restarts,
      worker_recycles: s.recycles,
      header_imports: s.headerImports,
      header_evictions: s.headerEvictions,
      pool_jobs: s.jobs,
      worker_leftover_threads: s.leftoverThreads,
      judge_ready: j.ready ? 1 : 0,
      judge_checks: j.checks,
      judge_proofs: j.proofs,
      judge_restarts: j.restarts,
      judge_recycles: j.recycles,
      judge_failures: j.failures,
      ...registry.counts(),
      ...(opts.cluster ? clusterGauges(await opts.cluster.view()) : {}),
    };
  });

  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await opts.cluster?.close(opts.shutdownGraceMs ?? 0);
    if (opts.ownsPool !== false) await Promise.all([pool.close(opts.shutdownGraceMs ?? 0), opts.judge.close()]);
  });
  return app;
}
