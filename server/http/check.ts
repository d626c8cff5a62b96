/**
 * `POST /v1/check`: batch proof checking. Body `{items: [{id, code} | {id, header, body},
 * with optional reference], allowedAxioms?}`. Small batches get `{results, summary}`;
 * large ones (more than `streamThreshold` items, or `?stream=true`, or `Accept:
 * application/x-ndjson`) stream one NDJSON line per item as it finishes, then a summary line.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiErrors } from '../protocol/api.js';
import { CheckItem, checkItem, type CheckResult, type Verdict } from '../check/checker.js';
import type { WorkerSource } from '../lean/worker-handle.js';
import type { ServerMetrics } from './metrics.js';
import { describeIssues } from '../protocol/issues.js';

/** The request body. */
export const CheckRequest = z
  .object({
    items: z.array(CheckItem).min(1).max(100_000),
    allowedAxioms: z.array(z.string()).optional(),
  })
  .strict();

/** Counts per verdict. */
export function summarize(results: readonly CheckResult[]): Record<Verdict, number> & { total: number } {
  const s = { total: results.length, proved: 0, failed: 0, incomplete: 0, timeout: 0 };
  for (const r of results) s[r.verdict] += 1;
  return s;
}

/** Register the route. */
export async function checkRoutes(app: FastifyInstance, opts: { workers: WorkerSource; metrics: ServerMetrics; streamThreshold?: number }): Promise<void> {
  app.post('/v1/check', async (req, reply) => {
    const parsed = CheckRequest.safeParse(req.body);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error, 'body');
      return reply.code(400).send({ error: { code: ApiErrors.InvalidParams.code, message: `invalid request: ${issues.join('; ')}`, issues } });
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
    const run = async (it: CheckItem): Promise<CheckResult> => {
      const t0 = Date.now();
      try {
        const r = await opts.metrics.observe('check.item', async () => checkItem((await opts.workers.acquire()).worker, it, { allowedAxioms }));
        opts.metrics.verdicts.inc({ verdict: r.verdict });
        return r;
      } catch (e) {
        return { id: it.id, verdict: 'failed', reason: `not checked: ${e instanceof Error ? e.message : String(e)}`, messages: [], axioms: [], elapsedMs: Date.now() - t0 };
      }
    };
    if (!stream) {
      const results: CheckResult[] = [];
      for (const it of items) results.push(await run(it));
      return reply.send({ results, summary: summarize(results) });
    }
    reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const results: CheckResult[] = [];
    for (const it of items) {
      if (reply.raw.destroyed) break; // the client went away
      const r = await run(it);
      results.push(r);
      reply.raw.write(JSON.stringify(r) + '\n');
    }
    reply.raw.end(JSON.stringify({ summary: summarize(results) }) + '\n');
    return reply;
  });
}
