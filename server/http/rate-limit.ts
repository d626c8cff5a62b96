/**
 * Per-client HTTP request limits (@fastify/rate-limit): at most `max` requests per
 * `windowMs`, keyed by the bearer token when one is sent, else by the client's address.
 * Over the limit: 429 with `Retry-After` (seconds) and `{error: {code: 'rate_limited', message, retryAfterMs}}`.
 * The WebSocket upgrade counts as one request; messages on the socket have their own limit.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { ApiError, ApiErrors } from '../../protocol/api.js';

/** Requests allowed per window; `max: 0` turns the limit off. */
export interface HttpRateLimit {
  max: number;
  windowMs: number;
}

/** The key a request is counted under: a hash of its bearer token, or its address. */
export function rateLimitKey(req: FastifyRequest): string {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  return m ? `token:${createHash('sha256').update(m[1]!).digest('hex').slice(0, 32)}` : `ip:${req.ip}`;
}

/** Register the limit on every route declared after this call (no-op when off). */
export async function limitRequestRate(app: FastifyInstance, limit: HttpRateLimit | undefined): Promise<void> {
  if (!limit || limit.max <= 0) return;
  await app.register(rateLimit, {
    global: true,
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: rateLimitKey,
    // The plugin throws what this returns (after setting Retry-After): the app's error handler answers it.
    errorResponseBuilder: (_req, ctx) =>
      ctx.ban
        ? new ApiError(ApiErrors.Forbidden, `${ApiErrors.Forbidden.message}: banned after exceeding the rate limit; retry in ${ctx.after}`, { retryAfterMs: ctx.ttl })
        : new ApiError(ApiErrors.RateLimited, `${ApiErrors.RateLimited.message}: more than ${ctx.max} requests in ${limit.windowMs} ms; retry in ${ctx.after}`, { retryAfterMs: ctx.ttl }),
  });
}
