/**
 * The reference of the WebSocket JSON-RPC methods and errors, rendered from the contract
 * (`protocol/api.ts`: ApiMethods, ApiErrors) so it cannot drift from it.
 * `npm run docs` writes docs/websocket-api.md; a test fails when the committed file is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ApiErrors, ApiMethods } from '../../protocol/api.js';

/** Where the reference is committed. */
export const WEBSOCKET_API_DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/websocket-api.md');

/** A schema as JSON Schema (params as the client sends them, results as the server sends them). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): string {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return JSON.stringify(rest, null, 2);
}

/** The Markdown reference. */
export function renderWebSocketApi(): string {
  const out: string[] = [
    '# WebSocket API reference',
    '',
    '<!-- Generated from protocol/api.ts by `npm run docs` (tools/docs/websocket-api.ts): do not edit by hand. -->',
    '',
    'JSON-RPC 2.0 over the WebSocket at `GET /v1/ws`, one message per text frame. Params are',
    'validated against the schemas below; an error is `{code, message, data: {code, ...}}` with',
    'the codes of the table at the end. [api.md](api.md) has the walkthrough and examples.',
    '',
    '| method | summary |',
    '| --- | --- |',
  ];
  const methods = Object.entries(ApiMethods) as [string, { params: z.ZodType; result: z.ZodType; summary?: string }][];
  for (const [name, m] of methods) out.push(`| [\`${name}\`](#${name.replace('.', '')}) | ${m.summary ?? ''} |`);
  for (const [name, m] of methods) {
    out.push('', `## ${name}`, '', m.summary ?? '', '', 'Params:', '', '```json', jsonSchema(m.params, 'input'), '```', '', 'Result:', '', '```json', jsonSchema(m.result, 'output'), '```');
  }
  out.push('', '## Errors', '', '| data.code | code | HTTP | meaning |', '| --- | --- | --- | --- |');
  for (const e of Object.values(ApiErrors)) out.push(`| \`${e.code}\` | ${e.rpcCode} | ${e.httpStatus} | ${e.message} |`);
  return out.join('\n') + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(path.dirname(WEBSOCKET_API_DOC), { recursive: true });
  fs.writeFileSync(WEBSOCKET_API_DOC, renderWebSocketApi());
  console.log(`wrote ${path.relative(process.cwd(), WEBSOCKET_API_DOC)}`);
}
