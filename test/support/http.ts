/** Helpers for tests of HTTP error answers: every one must have the registry's shape. */
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
