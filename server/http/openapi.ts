/**
 * The OpenAPI document of the HTTP API, generated from the routes' zod schemas (the same
 * ones the routes validate with, from `protocol/`), served at `GET /openapi.json`, with a
 * Swagger UI page at `/docs` whose assets come from the installed package (no CDN).
 * A route documents itself through its `schema` (summary, description, querystring, body,
 * response — errors through {@link httpErrorResponses}); routes declared after
 * {@link registerApiDocs} are listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { HttpErrorBody, type ApiErrorSpec } from '../../protocol/api.js';
import { PROJECT_ROOT } from '../provision/paths.js';

const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Response schemas for the errors a route can answer with, keyed by HTTP status (all of them `HttpErrorBody`). */
export function httpErrorResponses(...specs: ApiErrorSpec[]): Record<number, typeof HttpErrorBody> {
  const byStatus = new Map<number, string[]>();
  for (const s of specs) byStatus.set(s.httpStatus, [...(byStatus.get(s.httpStatus) ?? []), `\`${s.code}\`: ${s.message}`]);
  return Object.fromEntries([...byStatus].map(([status, lines]) => [status, HttpErrorBody.describe(lines.join('; '))]));
}

/** Register the OpenAPI generator, `GET /openapi.json` and the `/docs` page. */
export async function registerApiDocs(app: FastifyInstance, o: { authToken?: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'leanenv HTTP API',
        version: PACKAGE_VERSION,
        description:
          'Batch proof checking and server state. The prover-agent API is JSON-RPC over the WebSocket at `/v1/ws` (see docs/websocket-api.md). Every error has the body `{error: {code, message, ...data}}` with a code of the error registry.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      ...(o.authToken ? { security: [{ bearer: [] }] } : {}),
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
