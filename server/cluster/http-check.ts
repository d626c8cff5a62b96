/**
 * `POST /v1/check` in cluster mode: the batch is accepted into Redis (one job per item) and
 * its results are read back from the batch's stream as any node finishes them. The answer
 * has the same shapes as on one node — `{results, summary, batchId}` in item order, or one
 * NDJSON line per item then `{summary, batchId}` — with `summary.retried` added.
 */
import type { FastifyReply } from 'fastify';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import type { CheckItem, CheckRequest, CheckResult, CheckSummary } from '../../protocol/check.js';
import type { ItemResult } from './jobs.js';

/** What the route needs of the cluster (implemented by ClusterBatches). */
export interface ClusterChecks {
  submit(batchId: string, items: readonly CheckItem[], allowedAxioms: string[] | undefined): Promise<{ resubmitted: boolean; enqueued: number }>;
  results(batchId: string, total: number, gone: () => boolean): AsyncGenerator<ItemResult>;
  batchTotal(batchId: string): Promise<number | undefined>;
}

/** Counters the route updates. */
export interface ClusterCheckMetrics {
  verdicts: { inc(labels: { verdict: string }): void };
}

/** Answer one batch through the cluster. */
export async function runClusterCheck(
  reply: FastifyReply,
  cluster: ClusterChecks,
  body: CheckRequest & { batchId: string },
  stream: boolean,
  summarize: (results: readonly CheckResult[]) => CheckSummary,
  metrics: ClusterCheckMetrics,
): Promise<FastifyReply> {
  const { items, allowedAxioms, batchId } = body;
  try {
    await cluster.submit(batchId, items, allowedAxioms);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const headers = e.data?.retryAfterMs ? { 'retry-after': String(Math.ceil(Number(e.data.retryAfterMs) / 1000)) } : {};
    return reply.code(e.spec.httpStatus).headers(headers).send({ error: { code: e.spec.code, message: e.message, ...e.data } });
  }
  const gone = () => reply.raw.destroyed;
  let retried = 0;
  const finished: CheckResult[] = [];
  if (!stream) {
    const results: CheckResult[] = new Array(items.length);
    for await (const r of cluster.results(batchId, items.length, gone)) {
      results[r.index] = r.result;
      finished.push(r.result);
      if (r.retried) retried += 1;
      metrics.verdicts.inc({ verdict: r.result.verdict });
    }
    if (gone()) return reply;
    return reply.send({ results, summary: { ...summarize(results), retried }, batchId });
  }
  reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for await (const r of cluster.results(batchId, items.length, gone)) {
    finished.push(r.result);
    if (r.retried) retried += 1;
    metrics.verdicts.inc({ verdict: r.result.verdict });
    reply.raw.write(JSON.stringify(r.result) + '\n');
  }
  reply.raw.end(JSON.stringify({ summary: { ...summarize(finished), retried }, batchId }) + '\n');
  return reply;
}

/**
 * `GET /v1/check/{batchId}`: a batch's results from any node, as NDJSON — every item once (the
 * ones recorded already first, then the rest as they finish), then `{summary, batchId}`. For a
 * client whose `POST` connection (or the node holding it) was lost. Throws `unknown_batch` when
 * no such batch is stored, `cluster_unavailable` while Redis is unreachable.
 */
export async function followClusterBatch(reply: FastifyReply, cluster: ClusterChecks, batchId: string, summarize: (results: readonly CheckResult[]) => CheckSummary): Promise<FastifyReply> {
  const total = await cluster.batchTotal(batchId);
  if (total === undefined) throw new ApiError(ApiErrors.UnknownBatch, `unknown batch ${batchId}: never submitted, or its results expired`);
  reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const finished: CheckResult[] = [];
  let retried = 0;
  for await (const r of cluster.results(batchId, total, () => reply.raw.destroyed)) {
    finished.push(r.result);
    if (r.retried) retried += 1;
    reply.raw.write(JSON.stringify(r.result) + '\n');
  }
  reply.raw.end(JSON.stringify({ summary: { ...summarize(finished), retried }, batchId }) + '\n');
  return reply;
}
