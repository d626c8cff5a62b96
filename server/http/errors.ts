/**
 * The one HTTP error path: every error a route, a hook or fastify itself raises (schema
 * validation, bad JSON, body too large, unknown route, rate limit, auth) is answered with the
 * registry's status and `{error: {code, message, ...data}}` (`HttpErrorBody` in protocol/api.ts).
 * Routes and hooks throw (an ApiError, or a lower layer's typed error); they never build error
 * bodies themselves.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError, ApiErrors, type HttpErrorBody } from '../../protocol/api.js';
import { toApiError } from '../errors/to-api-error.js';

/** The HTTP body of a registry error. */
export function httpErrorBody(e: ApiError): HttpErrorBody {
  return { error: { ...e.data, code: e.spec.code as HttpErrorBody['error']['code'], message: e.message } };
}

/** A fastify error (request parsing, schema validation) as a registry error; undefined for others. */
function fromFastify(err: FastifyError, bodyLimit: number): ApiError | undefined {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'request';
    const issues = err.validation.map((v) => `${v.instancePath.slice(1).replaceAll('/', '.') || where}: ${v.message}`);
    return new ApiError(ApiErrors.InvalidParams, `invalid request: ${issues.join('; ')}`, { issues });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(ApiErrors.MessageTooLarge, `request body too large: over the limit of ${bodyLimit} bytes`, { maxBodyBytes: bodyLimit });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(ApiErrors.UnsupportedMediaType, err.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError(ApiErrors.ParseError, `${ApiErrors.ParseError.message}: ${err.message}`);
  }
  if (err instanceof SyntaxError && err.statusCode === 400) return new ApiError(ApiErrors.ParseError, `${ApiErrors.ParseError.message}: ${err.message}`);
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) return new ApiError(ApiErrors.InvalidRequest, err.message);
  return undefined;
}

/** Answer every HTTP error, and unknown routes, in the registry's shape. */
export function registerErrorHandler(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const api = err instanceof ApiError ? err : (fromFastify(err, bodyLimit) ?? toApiError(err));
    if (api.spec === ApiErrors.Internal) req.log.error({ err }, 'request failed');
    return reply.code(api.spec.httpStatus).send(httpErrorBody(api));
  });
  app.setNotFoundHandler((req, reply) => {
    const api = new ApiError(ApiErrors.NotFound, `no route ${req.method} ${req.url.split('?')[0]}`);
    return reply.code(api.spec.httpStatus).send(httpErrorBody(api));
  });
}
