/**
 * `POST /v1/check`: batch proof checking. Body `{items: [{id, code} | {id, header, body},
 * with optional reference], allowedAxioms?}`. Items run on the worker pool, as many at a time
 * as there are workers, each on a worker that has its header imported when one is free.
 * Small batches get `{results, summary}` in item order; large ones (more than
 * `streamThreshold` items, or `?stream=true`, or `Accept: application/x-ndjson`) stream one
 * NDJSON line per item as it finishes, then a summary line.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import { CheckRequest, type CheckItem, type CheckResult, type CheckSummary } from '../../protocol/check.js';
import { checkItem, ReferenceError } from '../check/checker.js';
import type { LeanWorker } from '../lean/worker.js';
import { forEachLimited, type WorkerPool } from '../pool/worker-pool.js';
import type { ServerMetrics } from './metrics.js';
import { describeIssues } from '../../protocol/issues.js';

/**
 * The leading `import` lines of a file: only a hint for sending an item to a worker that has
 * that header imported (scheduling), never used for a verdict — Lean delimits the header itself.
 */
export function headerHint(code: string): string {
  const lines = code.split('\n');
  let i = 0;
  while (i < lines.length && /^\s*(import\s|--|$)/.test(lines[i]!)) i++;
  return lines.slice(0, i).join('\n');
}

/** Counts per verdict. */
export function summarize(results: readonly CheckResult[]): CheckSummary {
  const s = { total: results.length, proved: 0, failed: 0, incomplete: 0, timeout: 0, error: 0 };
  for (const r of results) s[r.verdict] += 1;
  return s;
}

/** Options of the route. */
export interface CheckRouteOptions {
  pool: WorkerPool<LeanWorker>;
  metrics: ServerMetrics;
  streamThreshold?: number;
}

/** Register the route. */
export async function checkRoutes(app: FastifyInstance, opts: CheckRouteOptions): Promise<void> {
  app.post('/v1/check', async (req, reply) => {
    const parsed = CheckRequest.safeParse(req.body);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error, 'body');
      return reply.code(400).send({ error: { code: ApiErrors.InvalidParams.code, message: `invalid request: ${issues.join('; ')}`, issues } });
    }
    if (opts.pool.isClosing) {
      return reply.code(ApiErrors.ShuttingDown.httpStatus).send({ error: { code: ApiErrors.ShuttingDown.code, message: ApiErrors.ShuttingDown.message } });
    }
    const { items, allowedAxioms } = parsed.data;
    const ids = new Set<string>();
    for (const it of items) {
      if (ids.has(it.id)) return reply.code(400).send({ error: { code: ApiErrors.InvalidParams.code, message: `duplicate item id ${it.id}` } });
      ids.add(it.id);
    }
    const query = req.query as { stream?: string };
    const stream =
      query.stream === 'true' || (req.headers.accept ?? '').includes('application/x-ndjson') || items.length > (opts.streamThreshold ?? 16);
    const tenant = `chk_${randomUUID()}`;
    /** Check one item; an overloaded queue makes the item wait (the client is waiting anyway). */
    const run = async (it: CheckItem): Promise<CheckResult> => {
      const t0 = Date.now();
      const header = 'code' in it ? headerHint(it.code) : it.header;
      for (;;) {
        try {
          const r = await opts.metrics.observe('check.item', () => opts.pool.run({ tenant, header, finishOnShutdown: true }, ({ worker }) => checkItem(worker, it, { allowedAxioms })));
          opts.metrics.verdicts.inc({ verdict: r.verdict });
          return r;
        } catch (e) {
          if (e instanceof ReferenceError) throw e;
          if (e instanceof ApiError && e.spec === ApiErrors.Overloaded && !reply.raw.destroyed) {
            await new Promise((r) => setTimeout(r, Number(e.data?.retryAfterMs ?? 1000)));
            continue;
          }
          opts.metrics.verdicts.inc({ verdict: 'error' });
          return { id: it.id, verdict: 'error', reason: `not checked: ${e instanceof Error ? e.message : String(e)}`, messages: [], axioms: [], elapsedMs: Date.now() - t0 };
        }
      }
    };
    const lanes = opts.pool.stats().size;
    return opts.pool.admit(async () => {
      if (!stream) {
        const results: CheckResult[] = new Array(items.length);
        try {
          await forEachLimited(items, lanes, async (it, i) => void (results[i] = await run(it)));
        } catch (e) {
          if (!(e instanceof ReferenceError)) throw e;
          return reply.code(400).send({ error: { code: ApiErrors.InvalidParams.code, message: e.message, item: e.itemId } });
        }
        return reply.send({ results, summary: summarize(results) });
      }
      reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const results: CheckResult[] = [];
      await forEachLimited(items, lanes, async (it) => {
        if (reply.raw.destroyed) return; // the client went away
        const r = await run(it).catch((e: unknown) => {
          if (!(e instanceof ReferenceError)) throw e;
          // Streaming has begun: the item's line carries the request error instead of a result.
          return { id: it.id, error: { code: ApiErrors.InvalidParams.code, message: e.message } };
        });
        if ('error' in r) {
          reply.raw.write(JSON.stringify(r) + '\n');
          return;
        }
        results.push(r);
        reply.raw.write(JSON.stringify(r) + '\n');
      });
      reply.raw.end(JSON.stringify({ summary: summarize(results) }) + '\n');
      return reply;
    });
  });
}
