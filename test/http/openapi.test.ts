/**
 * The OpenAPI document generated from the routes' zod schemas: served at /openapi.json, valid
 * (checked with @apidevtools/swagger-parser), listing the routes with their request and error
 * schemas; the /docs page is served with local assets only. No Lean worker is started.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import type { FastifyInstance } from 'fastify';
import { build } from '../../server/app.js';
import { WorkerPool } from '../../server/pool/worker-pool.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import { idleJudge } from '../support/judge.js';

let app: FastifyInstance;
beforeAll(async () => {
  const pool = new WorkerPool<LeanWorker>({ size: 1, spawn: () => Promise.reject(new Error('no worker in this test')), maxQueue: 1, maxQueuePerTenant: 1 });
  app = await build({ pool, judge: idleJudge(), logLevel: 'silent' });
});
afterAll(async () => {
  await app?.close();
});

describe('OpenAPI', () => {
  test('/openapi.json is a valid OpenAPI 3.1 document of the HTTP routes', async () => {
    const r = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json() as OpenAPIV3_1.Document;
    await SwaggerParser.validate(structuredClone(doc) as never);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths ?? {}).sort()).toEqual(['/api/check', '/api/check/', '/health', '/metrics', '/one_pass_verify_batch', '/v1/check', '/v1/check/{batchId}', '/v1/sessions/{sessionId}/traces', '/verify']);
    const check = doc.paths!['/v1/check']!.post!;
    const body = (check.requestBody as OpenAPIV3_1.RequestBodyObject).content['application/json']!.schema as OpenAPIV3_1.SchemaObject;
    expect(body.required).toEqual(['items']);
    expect(Object.keys(check.responses ?? {}).sort()).toEqual(['200', '400', '401', '413', '429', '503']);
    const tooMany = (check.responses!['429'] as OpenAPIV3_1.ResponseObject).content!['application/json']!.schema as OpenAPIV3_1.SchemaObject;
    expect(tooMany.required).toEqual(['error']);
    expect(check.parameters?.map((p) => (p as OpenAPIV3_1.ParameterObject).name)).toEqual(['stream']);
    const follow = doc.paths!['/v1/check/{batchId}']!.get!;
    expect(follow.parameters?.map((p) => [(p as OpenAPIV3_1.ParameterObject).name, (p as OpenAPIV3_1.ParameterObject).in])).toEqual([['batchId', 'path']]);
    expect(Object.keys(follow.responses ?? {}).sort()).toEqual(['200', '400', '401', '404', '429', '503']);
    const lines = (follow.responses!['200'] as OpenAPIV3_1.ResponseObject).content!['application/x-ndjson']!.schema as OpenAPIV3_1.SchemaObject;
    expect(lines.anyOf).toHaveLength(2);
    const traces = doc.paths!['/v1/sessions/{sessionId}/traces']!.get!;
    expect(traces.parameters?.map((p) => [(p as OpenAPIV3_1.ParameterObject).name, (p as OpenAPIV3_1.ParameterObject).in])).toEqual([['proofId', 'query'], ['sessionId', 'path']]);
    const record = (traces.responses!['200'] as OpenAPIV3_1.ResponseObject).content!['application/x-ndjson']!.schema as OpenAPIV3_1.SchemaObject;
    expect(record.required).toContain('onVerifiedProof');
  });

  test('without a cluster no batch is stored: GET /v1/check/{batchId} is 404 unknown_batch', async () => {
    const r = await app.inject({ method: 'GET', url: '/v1/check/b_1' });
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toMatchObject({ code: 'unknown_batch', message: expect.stringMatching(/cluster mode/) });
  });

  test('/docs serves Swagger UI from local assets (no CDN)', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const a of assets) expect(a).not.toMatch(/^(https?:)?\/\//);
    const bundle = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
  });
});
