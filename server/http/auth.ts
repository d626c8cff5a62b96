/**
 * Bearer-token access control. With a token configured every route (the WebSocket upgrade
 * included: it is a GET through the router) needs `Authorization: Bearer <token>`; without
 * one the server may only listen on loopback (`assertSafeBinding`).
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

/** Require the bearer token on every request (no-op without a token). */
export function requireToken(app: FastifyInstance, token: string | undefined): void {
  if (!token) return;
  app.addHook('onRequest', async (req, reply) => {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m || !sameToken(m[1]!, token)) {
      // Answered here rather than thrown: the WebSocket upgrade passes this hook too.
      const e = new ApiError(ApiErrors.Unauthorized, m ? 'wrong token' : 'missing bearer token');
      return reply.code(e.spec.httpStatus).header('www-authenticate', 'Bearer').send(httpErrorBody(e));
    }
  });
}
