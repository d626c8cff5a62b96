/**
 * `POST /v1/check`: batch proof checking. Body `{items: [{id, code} | {id, header, body},
 * with optional reference], allowedAxioms?}`. Items run on the worker pool, as many at a time
 * as there are workers, each on a worker that has its header imported when one is free.
 * Small batches get `{results, summary}` in item order; large ones (more than
 * `streamThreshold` items, or `?stream=true`, or `Accept: application/x-ndjson`) stream one
 * NDJSON line per item as it finishes, then a summary line. `GET /v1/check/{batchId}` (cluster
 * mode) streams a submitted batch's results from any node.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import { BatchParams, CheckQuery, CheckRequest, CheckResponse, CheckStreamLine, type CheckItem, type CheckResult, type CheckSummary } from '../../protocol/check.js';
import { checkItem, ReferenceError, type CheckOptions } from '../check/checker.js';
import { traceItem } from '../check/trace.js';
import type { Judge } from '../judge/judge.js';
import { splitHeader } from '../check/header-split.js';
import type { LeanWorker } from '../lean/worker.js';
import { forEachLimited, PoolError, type WorkerPool } from '../pool/worker-pool.js';
import type { ServerMetrics } from './metrics.js';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { httpErrorResponses } from './openapi.js';
import { followClusterBatch, runClusterCheck, type ClusterChecks } from '../cluster/http-check.js';

/** Counts per verdict. */
export function summarize(results: readonly CheckResult[]): CheckSummary {
  const s = { total: results.length, proved: 0, failed: 0, incomplete: 0, timeout: 0, error: 0 };
  for (const r of results) s[r.verdict] += 1;
  return s;
}

/** Options of the route. */
export interface CheckRouteOptions {
  pool: WorkerPool<LeanWorker>;
  /** Decides every `proved` (see `server/judge/judge.ts`). */
  judge: Judge;
  metrics: ServerMetrics;
  streamThreshold?: number;
  /** Cluster mode: items go to the cluster queue and any node runs them (server/cluster/). */
  cluster?: ClusterChecks;
}

/** Register the route. */
/** Check an item; with `trace`, then (the verdict decided) trace its tactics on the same worker. */
async function checkThenTrace(worker: LeanWorker, it: CheckItem, o: CheckOptions, trace: boolean | undefined): Promise<CheckResult> {
  const r = await checkItem(worker, it, o);
  if (!trace || r.verdict === 'timeout' || r.verdict === 'error') return r;
  const traced = await traceItem(worker, it).catch(() => undefined);
  return traced ? { ...r, trace: traced } : r;
}

export async function checkRoutes(app: FastifyInstance, opts: CheckRouteOptions): Promise<void> {
  const schema = {
    summary: 'Check whole proofs in batch',
    description:
      'Each item is a whole file (`code`) or a header and a body, with an optional reference statement. Up to 16 items the answer is `{results, summary}` in item order; larger batches (or `?stream=true`, or `Accept: application/x-ndjson`) stream one NDJSON line per item as it finishes, then `{"summary": …}`.',
    querystring: CheckQuery,
    body: CheckRequest,
    response: { 200: CheckResponse, ...httpErrorResponses(ApiErrors.InvalidParams, ApiErrors.ParseError, ApiErrors.Unauthorized, ApiErrors.MessageTooLarge, ApiErrors.RateLimited, ApiErrors.ShuttingDown) },
  };
  app.withTypeProvider<ZodTypeProvider>().post('/v1/check', { schema }, async (req, reply) => {
    if (opts.pool.isClosing) throw new ApiError(ApiErrors.ShuttingDown);
    const { items, allowedAxioms, trace } = req.body;
    const ids = new Set<string>();
    for (const it of items) {
      if (ids.has(it.id)) throw new ApiError(ApiErrors.InvalidParams, `duplicate item id ${it.id}`);
      ids.add(it.id);
    }
    const stream =
      req.query.stream === 'true' || (req.headers.accept ?? '').includes('application/x-ndjson') || items.length > (opts.streamThreshold ?? 16);
    if (opts.cluster && trace) throw new ApiError(ApiErrors.InvalidParams, 'trace is not available in cluster mode: check traced proofs on a single node');
    if (opts.cluster) return runClusterCheck(reply, opts.cluster, { ...req.body, batchId: req.body.batchId ?? `b_${randomUUID()}` }, stream, summarize, opts.metrics);
    const tenant = `chk_${randomUUID()}`;
    /** Check one item; an overloaded queue makes the item wait (the client is waiting anyway). */
    const run = async (it: CheckItem): Promise<CheckResult> => {
      const t0 = Date.now();
      const header = 'code' in it ? splitHeader(it.code).header : it.header;
      for (;;) {
        try {
          const r = await opts.metrics.observe('check.item', () => opts.pool.run({ tenant, header, finishOnShutdown: true }, ({ worker }) => checkThenTrace(worker, it, { judge: opts.judge, allowedAxioms }, trace)));
          opts.metrics.verdicts.inc({ verdict: r.verdict });
          return r;
        } catch (e) {
          if (e instanceof ReferenceError) throw e;
          if (e instanceof PoolError && e.kind === 'overloaded' && !reply.raw.destroyed) {
            await new Promise((r) => setTimeout(r, Number(e.data?.retryAfterMs ?? 1000)));
            continue;
          }
          opts.metrics.verdicts.inc({ verdict: 'error' });
          return { id: it.id, verdict: 'error', reason: `not checked: ${e instanceof Error ? e.message : String(e)}`, messages: [], axioms: [], elapsedMs: Date.now() - t0 };
        }
      }
    };
    const { size, slotsPerWorker } = opts.pool.stats();
    const lanes = size * slotsPerWorker;
    return opts.pool.admit(async () => {
      if (!stream) {
        const results: CheckResult[] = new Array(items.length);
        try {
          await forEachLimited(items, lanes, async (it, i) => void (results[i] = await run(it)));
        } catch (e) {
          if (!(e instanceof ReferenceError)) throw e;
          throw new ApiError(ApiErrors.InvalidParams, e.message, { item: e.itemId });
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

  const followSchema = {
    summary: "A batch's results, from any node (cluster mode)",
    description:
      'Streams NDJSON (`application/x-ndjson`): one result per item, each item exactly once — the results recorded already, then the others as nodes finish them — then `{"summary": …, "batchId": …}`. For a client whose `POST /v1/check` connection, or the node holding it, was lost: ask any node. Batches are kept one hour. Each line is a `CheckStreamLine`.',
    params: BatchParams,
    response: { 200: { description: 'NDJSON: one `CheckStreamLine` per line', content: { 'application/x-ndjson': { schema: CheckStreamLine } } }, ...httpErrorResponses(ApiErrors.UnknownBatch, ApiErrors.InvalidParams, ApiErrors.Unauthorized, ApiErrors.RateLimited, ApiErrors.ClusterUnavailable) },
  };
  app.withTypeProvider<ZodTypeProvider>().get('/v1/check/:batchId', { schema: followSchema }, async (req, reply) => {
    if (!opts.cluster) throw new ApiError(ApiErrors.UnknownBatch, `unknown batch ${req.params.batchId}: batches are stored only in cluster mode (REDIS_URL); on one node results come back on the POST's connection only`);
    return followClusterBatch(reply, opts.cluster, req.params.batchId, summarize);
  });
}
