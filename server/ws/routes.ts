/**
 * `GET /v1/ws`: the prover-agent API, JSON-RPC 2.0 over a WebSocket, one vscode-jsonrpc
 * connection per socket. Params are validated with the protocol's zod schemas; errors
 * use the registry in `protocol/api.ts` and never close the connection.
 */
import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { createMessageConnection, ResponseError } from 'vscode-jsonrpc';
import type { z } from 'zod';
import { ApiError, ApiErrors, ApiMethods, type ApiMethod } from '../../protocol/api.js';
import type { SessionRegistry } from '../sessions/registry.js';
import { traceRecords } from '../sessions/traces.js';
import { TRACE_SCHEMA_VERSION } from '../../protocol/traces.js';
import { WebSocketMessageReader, WebSocketMessageWriter } from './socket-transport.js';
import type { ServerMetrics } from '../http/metrics.js';
import { describeIssues } from '../../protocol/issues.js';
import { toApiError } from '../errors/to-api-error.js';
import type { RateLimit } from './token-bucket.js';

/** Options of the WebSocket route. */
export interface WsRouteOptions {
  registry: SessionRegistry;
  metrics: ServerMetrics;
  maxMessageBytes: number;
  /** Requests per second (and burst) each connection may send; none when absent. */
  rateLimit?: RateLimit;
}

/** Frames larger than this many times `maxMessageBytes` close the connection instead of getting an error. */
export const WS_HARD_LIMIT_FACTOR = 8;

/** Turn any thrown value into a JSON-RPC error response (through the one mapper to the registry). */
function toResponseError(e: unknown): ResponseError<unknown> {
  const api = toApiError(e);
  return new ResponseError(api.spec.rpcCode, api.message, { code: api.spec.code, ...api.data });
}

/** Validate params against a method's schema; invalid params name every issue. */
function parseParams<S extends z.ZodType>(schema: S, params: unknown): z.infer<S> {
  const r = schema.safeParse(params ?? {});
  if (!r.success) {
    const issues = describeIssues(r.error, 'params');
    throw new ApiError(ApiErrors.InvalidParams, `invalid params: ${issues.join('; ')}`, { issues });
  }
  return r.data;
}

/** Register the WebSocket plugin and the `/v1/ws` route. */
export async function wsRoutes(app: FastifyInstance, opts: WsRouteOptions): Promise<void> {
  // Frames up to 8x the limit are read and answered with a message_too_large error (the
  // connection stays open); beyond that the WebSocket layer closes the connection (1009).
  // A client offering subprotocols gets `leanenv` (browsers pass their token as a second one,
  // see server/http/auth.ts); the token-carrying protocol is never echoed back.
  const handleProtocols = (offered: Set<string>) => (offered.has('leanenv') ? 'leanenv' : false);
  await app.register(websocket, { options: { maxPayload: opts.maxMessageBytes * WS_HARD_LIMIT_FACTOR, handleProtocols } });
  const { registry } = opts;

  const schema = { summary: 'WebSocket upgrade: the prover-agent API, JSON-RPC 2.0 (docs/websocket-api.md)' };
  app.get('/v1/ws', { websocket: true, schema }, (socket) => {
    /** Sessions this connection opened or resumed: the only ones whose states it can use. */
    const attached = new Set<string>();
    /** Sessions this connection watches read-only, with the function that stops each watch. */
    const watching = new Map<string, () => void>();
    /** Sessions whose trees and states this connection may read: its own and the watched ones. */
    const readable = (): ReadonlySet<string> => (watching.size === 0 ? attached : new Set([...attached, ...watching.keys()]));
    const conn = createMessageConnection(new WebSocketMessageReader(socket, opts.maxMessageBytes, opts.rateLimit), new WebSocketMessageWriter(socket));
    const handlers: { [M in ApiMethod]: (p: z.infer<(typeof ApiMethods)[M]['params']>) => unknown } = {
      'session.open': async (p) => {
        const r = await registry.open(p.header);
        attached.add(r.sessionId);
        return r;
      },
      'session.resume': async (p) => {
        const r = await registry.resume(p.sessionId);
        attached.add(r.sessionId);
        return r;
      },
      'session.close': (p) => {
        attached.delete(p.sessionId);
        return { closed: registry.close(p.sessionId) };
      },
      'proof.start': (p) => registry.start(p.sessionId, p, attached),
      'proof.apply': (p) => registry.apply(p.stateId, p.tactic, attached, p.meta),
      'proof.expand': (p) => registry.expand(p.stateId, p.tactics, attached, p.meta),
      'proof.tree': (p) => registry.tree(p.proofId, readable()),
      'proof.verify': (p) => registry.verify(p.stateId, attached, p.allowedAxioms),
      'proof.state': (p) => registry.state(p.stateId, readable()),
      'session.watch': (p) => {
        watching.get(p.sessionId)?.();
        const { result, stop } = registry.watch(p.sessionId, (change) => void conn.sendNotification('proof.treeChanged', change).catch(() => undefined));
        watching.set(p.sessionId, stop);
        return result;
      },
      'session.unwatch': (p) => {
        const stop = watching.get(p.sessionId);
        stop?.();
        watching.delete(p.sessionId);
        return { watching: false };
      },
      'proof.traces': (p) => ({ schemaVersion: TRACE_SCHEMA_VERSION, records: registry.readableTrees(p, readable()).flatMap((t) => [...traceRecords(t)]) }),
      'dataset.search': (p) => registry.searchDatasets(p.query, p.limit),
      'lean.tactics': () => registry.tacticNames(),
    };
    for (const method of Object.keys(ApiMethods) as ApiMethod[]) {
      conn.onRequest(method, async (params: unknown) => {
        try {
          return await opts.metrics.observe(method, async () => {
            const p = parseParams(ApiMethods[method].params, params);
            return (handlers[method] as (p: unknown) => unknown)(p);
          });
        } catch (e) {
          app.log.debug({ err: e, method }, 'request failed');
          return toResponseError(e);
        }
      });
    }
    conn.onClose(() => {
      for (const id of attached) registry.detach(id);
      for (const stop of watching.values()) stop();
      conn.dispose();
    });
    conn.listen();
  });
}
