/** Helpers for tests of HTTP error answers: every one must have the registry's shape. */
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { ApiErrors, HttpErrorBody, type ApiErrorCode } from '../../protocol/api.js';

/** Check an HTTP error answer: the registry's status for `code` and an `HttpErrorBody`; returns the body's `error`. */
export function expectHttpError(status: number, body: unknown, code: ApiErrorCode): HttpErrorBody['error'] {
  const parsed = HttpErrorBody.safeParse(body);
  expect(parsed.success, `not the registry's error shape: ${JSON.stringify(body)}`).toBe(true);
  const error = parsed.data!.error;
  expect(error.code).toBe(code);
  const spec = Object.values(ApiErrors).find((e) => e.code === code)!;
  expect(status).toBe(spec.httpStatus);
  return error;
}

/**
 * Watch every HTTP error an app answers (status >= 400, `GET /health`'s 503 aside: that is the
 * health document): one that does not have the registry's shape makes `app.close()` fail, so
 * the suite that provoked it fails. Register before the app listens.
 */
export function watchErrorShapes(app: FastifyInstance): void {
  const bad: string[] = [];
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.statusCode < 400 || (req.url === '/health' && reply.statusCode === 503)) return payload;
    let body: unknown;
    try {
      body = typeof payload === 'string' ? JSON.parse(payload) : undefined;
    } catch {
      body = payload;
    }
    if (!HttpErrorBody.safeParse(body).success) bad.push(`${req.method} ${req.url} → ${reply.statusCode}: ${String(payload).slice(0, 200)}`);
    return payload;
  });
  app.addHook('onClose', async () => {
    if (bad.length > 0) throw new Error(`HTTP errors without the registry's shape:\n${bad.join('\n')}`);
  });
}
