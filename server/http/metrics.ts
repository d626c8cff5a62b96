/**
 * `GET /metrics` in Prometheus text format (prom-client): requests and their latencies per
 * method, check verdicts, worker restarts, sessions and queue depth. One registry per app.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The server's metrics. */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'leanenv_requests_total', help: 'API requests by method and outcome', labelNames: ['method', 'outcome'], registers: [this.registry] });
  readonly latency = new Histogram({
    name: 'leanenv_request_duration_seconds',
    help: 'API request latency by method',
    labelNames: ['method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: [this.registry],
  });
  readonly verdicts = new Counter({ name: 'leanenv_check_verdicts_total', help: 'Checked items by verdict', labelNames: ['verdict'], registers: [this.registry] });
  readonly queueDepth = new Gauge({ name: 'leanenv_queue_depth', help: 'Requests waiting for a worker', registers: [this.registry] });
  /** Forged replies from workers (code under check writing frames): a security event each. */
  readonly forgedFrames = new Counter({ name: 'leanenv_forged_frames_total', help: 'Forged worker replies seen (frames not authenticated by the private channel, or framed messages in program output)', registers: [this.registry] });
  private forgedSeen = 0;

  /** Bring `leanenv_forged_frames_total` up to the pool's running total. */
  countForgedFrames(total: number): void {
    if (total > this.forgedSeen) this.forgedFrames.inc(total - this.forgedSeen);
    this.forgedSeen = Math.max(this.forgedSeen, total);
  }

  /** Time an async call of `method`, counting it as ok or error. */
  async observe<T>(method: string, f: () => Promise<T>): Promise<T> {
    const end = this.latency.startTimer({ method });
    try {
      const r = await f();
      this.requests.inc({ method, outcome: 'ok' });
      return r;
    } catch (e) {
      this.requests.inc({ method, outcome: 'error' });
      throw e;
    } finally {
      end();
    }
  }
}

/** Register `GET /metrics`; `gauges` reads live values (workers, sessions) at scrape time. */
export async function metricsRoutes(app: FastifyInstance, metrics: ServerMetrics, gauges: () => Promise<Record<string, number>>): Promise<void> {
  const live = new Gauge({ name: 'leanenv_state', help: 'Live server state (workers ready, worker restarts, sessions, proofs, states)', labelNames: ['what'], registers: [metrics.registry] });
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text format)' } }, async (_req, reply) => {
    for (const [what, value] of Object.entries(await gauges())) live.set({ what }, value);
    return reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
