/**
 * `GET /v1/sessions/{sessionId}/traces[?proofId=…]`: a session's search traces as NDJSON, one
 * `SearchTraceRecord` per line (protocol/traces.ts), written record by record (a large tree
 * is never held whole as text). The session id is the capability, as for `session.resume`;
 * in cluster mode any node answers (a session held elsewhere is read from Redis, not claimed).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { once } from 'node:events';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import { SearchTraceRecord } from '../../protocol/traces.js';
import type { SessionRegistry } from '../sessions/registry.js';
import { traceRecords } from '../sessions/traces.js';
import { httpErrorResponses } from './openapi.js';

/** Register the traces route. */
export async function traceRoutes(app: FastifyInstance, registry: SessionRegistry): Promise<void> {
  const schema = {
    summary: "A session's search traces (NDJSON)",
    description: 'One `SearchTraceRecord` per line (docs/traces.md): every tactic edge, then every failed attempt, of each proof of the session (or of `proofId` only).',
    params: z.object({ sessionId: z.string().min(1).max(200) }),
    querystring: z.object({ proofId: z.string().min(1).max(200).optional() }).strict(),
    response: {
      200: { description: 'NDJSON: one `SearchTraceRecord` per line', content: { 'application/x-ndjson': { schema: SearchTraceRecord } } },
      ...httpErrorResponses(ApiErrors.UnknownSession, ApiErrors.UnknownProof, ApiErrors.InvalidParams, ApiErrors.Unauthorized, ApiErrors.RateLimited, ApiErrors.ClusterUnavailable),
    },
  };
  app.withTypeProvider<ZodTypeProvider>().get('/v1/sessions/:sessionId/traces', { schema }, async (req, reply) => {
    const { proofId } = req.query;
    let trees = await registry.sessionTrees(req.params.sessionId);
    if (proofId !== undefined) {
      trees = trees.filter((t) => t.proofId === proofId);
      if (trees.length === 0) throw new ApiError(ApiErrors.UnknownProof, `unknown proof ${proofId} in session ${req.params.sessionId}`);
    }
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'application/x-ndjson' });
    for (const tree of trees) {
      for (const record of traceRecords(tree)) {
        if (out.destroyed) return;
        if (!out.write(JSON.stringify(record) + '\n')) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      }
    }
    out.end();
  });
}
