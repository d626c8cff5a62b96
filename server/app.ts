/**
 * The HTTP application: `build(opts)` returns a fastify instance (tests use `inject` or
 * listen on port 0); `main.ts` only listens. Routes: `GET /health`, `GET /metrics`, `GET /v1/ws`, `POST /v1/check`, `GET /` (the debugger page).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { LeanWorker } from './lean/worker.js';
import type { WorkerPool } from './pool/worker-pool.js';
import { SessionRegistry } from './sessions/registry.js';
import type { DatasetIndex } from './sessions/datasets.js';
import { wsRoutes } from './ws/routes.js';
import { checkRoutes } from './http/check.js';
import { metricsRoutes, ServerMetrics } from './http/metrics.js';
import { requireToken } from './http/auth.js';
import { webPageRoutes } from './http/web-page.js';
import { limitRequestRate, type HttpRateLimit } from './http/rate-limit.js';
import type { RateLimit } from './ws/token-bucket.js';

/** What the app needs. */
export interface AppOptions {
  pool: WorkerPool<LeanWorker>;
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
  logLevel?: string;
}

/** Build the fastify app with its session registry. */
export async function build(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: opts.logLevel ?? 'info' }, bodyLimit: opts.maxBodyBytes ?? 64 << 20 });
  const { pool } = opts;
  const registry = new SessionRegistry({
    pool,
    datasets: opts.datasets,
    ttlMs: opts.sessionTtlMs ?? 10 * 60_000,
    defaultHeader: opts.defaultHeader ?? '',
  });
  const sweeper = setInterval(() => registry.sweep(), 5_000);
  sweeper.unref();
  app.decorate('registry', registry);
  await limitRequestRate(app, opts.httpRateLimit);
  requireToken(app, opts.authToken);

  /** `GET /health`: backend, Lean version, sandbox, the pool (workers, restarts, queue), session counts; 503 until a worker is ready. */
  app.get('/health', async (_req, reply) => {
    const worker = pool.any();
    const stats = pool.stats();
    return reply.code(worker ? 200 : 503).send({
      status: worker ? 'ok' : 'starting',
      backend: worker?.spawnSpec.backend,
      lean: worker?.info?.version,
      sandbox: worker?.spawnSpec.sandbox,
      workers: { ...stats, live: pool.workers() },
      ...registry.counts(),
    });
  });

  const metrics = new ServerMetrics();
  await wsRoutes(app, { registry, metrics, maxMessageBytes: opts.maxMessageBytes ?? 1 << 20, rateLimit: opts.wsRateLimit });
  await checkRoutes(app, { pool, metrics });
  await webPageRoutes(app);
  await metricsRoutes(app, metrics, async () => {
    const s = pool.stats();
    metrics.queueDepth.set(s.queued);
    return {
      workers: s.size,
      workers_ready: s.ready,
      workers_busy: s.busy,
      workers_starting: s.starting,
      worker_restarts: s.restarts,
      worker_recycles: s.recycles,
      header_imports: s.headerImports,
      header_evictions: s.headerEvictions,
      pool_jobs: s.jobs,
      ...registry.counts(),
    };
  });

  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    if (opts.ownsPool !== false) await pool.close(opts.shutdownGraceMs ?? 0);
  });
  return app;
}
