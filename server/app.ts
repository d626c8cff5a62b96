/**
 * The HTTP application: `build(opts)` returns a fastify instance (tests use `inject` or
 * listen on port 0); `main.ts` only listens. Routes: `GET /health`, `GET /metrics`, `GET /v1/ws`, `POST /v1/check`.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { RestartingWorker } from './lean/worker-handle.js';
import { SessionRegistry } from './sessions/registry.js';
import type { DatasetIndex } from './sessions/datasets.js';
import { wsRoutes } from './ws/routes.js';
import { checkRoutes } from './http/check.js';
import { metricsRoutes, ServerMetrics } from './http/metrics.js';
import { requireToken } from './http/auth.js';
import { limitRequestRate, type HttpRateLimit } from './http/rate-limit.js';
import type { RateLimit } from './ws/token-bucket.js';

/** What the app needs. */
export interface AppOptions {
  workers: RestartingWorker;
  datasets?: DatasetIndex;
  defaultHeader?: string;
  sessionTtlMs?: number;
  maxMessageBytes?: number;
  /** Per-connection WebSocket request rate, per-client HTTP request rate (both off when absent). */
  wsRateLimit?: RateLimit;
  httpRateLimit?: HttpRateLimit;
  /** Bearer token required on every request, the WebSocket upgrade included. */
  authToken?: string;
  logLevel?: string;
}

/** Build the fastify app with its session registry. */
export async function build(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: opts.logLevel ?? 'info' }, bodyLimit: 64 << 20 });
  const registry = new SessionRegistry({
    workers: opts.workers,
    datasets: opts.datasets,
    ttlMs: opts.sessionTtlMs ?? 10 * 60_000,
    defaultHeader: opts.defaultHeader ?? '',
  });
  const sweeper = setInterval(() => registry.sweep(), 5_000);
  sweeper.unref();
  app.decorate('registry', registry);
  await limitRequestRate(app, opts.httpRateLimit);
  requireToken(app, opts.authToken);

  /** `GET /health`: backend, Lean version, worker state, session counts. */
  app.get('/health', async (_req, reply) => {
    const worker = await opts.workers.peek();
    return reply.code(worker ? 200 : 503).send({
      status: worker ? 'ok' : 'starting',
      backend: worker?.spawnSpec.backend,
      lean: worker?.info?.version,
      workers: { ready: worker ? 1 : 0, restarts: opts.workers.restarts },
      ...registry.counts(),
    });
  });

  const metrics = new ServerMetrics();
  await wsRoutes(app, { registry, metrics, maxMessageBytes: opts.maxMessageBytes ?? 1 << 20, rateLimit: opts.wsRateLimit });
  await checkRoutes(app, { workers: opts.workers, metrics });
  await metricsRoutes(app, metrics, async () => ({
    workers_ready: (await opts.workers.peek()) ? 1 : 0,
    worker_restarts: opts.workers.restarts,
    ...registry.counts(),
  }));

  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    await opts.workers.dispose();
  });
  return app;
}
