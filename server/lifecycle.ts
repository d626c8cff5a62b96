/**
 * Graceful shutdown (SIGTERM / SIGINT): stop accepting work — new requests get the
 * `shutting_down` error (HTTP 503) —, let queued and in-flight requests finish within a
 * bound, stop the workers, then close the HTTP server and its WebSockets.
 */
import type { FastifyInstance } from 'fastify';

/** Drain the pool for at most `graceMs`, then close the app. */
export async function shutdown(app: FastifyInstance, pool: { close(graceMs: number): Promise<void>; stats(): { queued: number; busy: number } }, graceMs: number): Promise<void> {
  const t0 = Date.now();
  const before = pool.stats();
  app.log.info({ graceMs, queued: before.queued, busy: before.busy }, 'shutting down: draining requests');
  await pool.close(graceMs);
  await app.close();
  app.log.info({ ms: Date.now() - t0 }, 'shut down');
}
