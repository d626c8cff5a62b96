/**
 * Bearer-token access control. With a token configured every route (the WebSocket upgrade
 * included: it is a GET through the router) needs `Authorization: Bearer <token>`; without
 * one the server may only listen on loopback (`assertSafeBinding`). A browser cannot set
 * headers on a WebSocket, so the upgrade also accepts the token as a subprotocol
 * (`Sec-WebSocket-Protocol: leanenv, leanenv.bearer.<base64url of the token>`; the server
 * answers `leanenv`). The debugger page's static files (`/`, `/assets/…`) need no token:
 * the page asks for it and uses it on its own requests.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError, ApiErrors } from '../../protocol/api.js';
import { httpErrorBody } from './errors.js';

/** Whether a host name or address is loopback only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Refuse to serve a non-loopback address without a token. */
export function assertSafeBinding(host: string, token: string | undefined): void {
  if (!isLoopback(host) && !token) {
    throw new Error(`refusing to listen on ${host} without an auth token: set LEANENV_AUTH_TOKEN or --auth-token`);
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The subprotocol a WebSocket client offers (besides `leanenv`) to carry its token. */
export const TOKEN_SUBPROTOCOL_PREFIX = 'leanenv.bearer.';

/** The token a request carries: `Authorization: Bearer …`, else a `leanenv.bearer.<base64url>` WebSocket subprotocol. */
export function requestToken(headers: { authorization?: string; 'sec-websocket-protocol'?: string | string[] }): string | undefined {
  const m = /^Bearer (.+)$/.exec(headers.authorization ?? '');
  if (m) return m[1]!;
  const offered = [headers['sec-websocket-protocol'] ?? []].flat().flatMap((h) => h.split(','));
  const p = offered.map((x) => x.trim()).find((x) => x.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  return p === undefined ? undefined : Buffer.from(p.slice(TOKEN_SUBPROTOCOL_PREFIX.length), 'base64url').toString('utf8');
}

/** Whether a GET path is one of the debugger page's static files (served without a token). */
export function isPublicPagePath(method: string, url: string): boolean {
  const path = url.split('?')[0]!;
  return (method === 'GET' || method === 'HEAD') && (path === '/' || path === '/index.html' || path.startsWith('/assets/'));
}

/** Require the bearer token on every request but the page's static files (no-op without a token). */
export function requireToken(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  app.addHook('onRequest', async (req, reply) => {
    if (isPublicPagePath(req.method, req.url)) return;
    const given = requestToken(req.headers);
    if (given === undefined || !sameToken(given, token)) {
      // Answered here rather than thrown: the WebSocket upgrade passes this hook too.
      const e = new ApiError(ApiErrors.Unauthorized, given === undefined ? 'missing bearer token' : 'wrong token');
      // A refused WebSocket upgrade would otherwise leave its socket open (and app.close() waiting for it).
      if (req.headers.upgrade) reply.raw.once('finish', () => req.raw.socket?.destroy());
      return reply.code(e.spec.httpStatus).header('www-authenticate', 'Bearer').send(httpErrorBody(e));
    }
  });
}
