/**
 * The HTTP application: `build(opts)` returns a fastify instance (tests use `inject`),
 * `main.ts` only listens. For now it serves `GET /health` for the worker it owns.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { LeanWorker } from './lean/worker.js';

/** What the app needs: a ready worker (or a promise of one) and a logger level. */
export interface AppOptions {
  worker: Promise<LeanWorker>;
  logLevel?: string;
}

/** Build the fastify app. */
export function build(opts: AppOptions): FastifyInstance {
  const app = Fastify({ logger: { level: opts.logLevel ?? 'info' } });
  let worker: LeanWorker | undefined;
  let startError: string | undefined;
  opts.worker.then(
    (w) => (worker = w),
    (e: unknown) => (startError = e instanceof Error ? e.message : String(e)),
  );

  /** `GET /health`: backend, Lean version and whether the worker is ready. */
  app.get('/health', async (_req, reply) => {
    const ready = worker?.alive === true;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ok' : startError ? 'failed' : 'starting',
      backend: worker?.spawnSpec.backend,
      lean: worker?.info?.version,
      workers: { ready: ready ? 1 : 0 },
      error: startError,
    });
  });

  app.addHook('onClose', async () => {
    await worker?.dispose();
  });
  return app;
}
