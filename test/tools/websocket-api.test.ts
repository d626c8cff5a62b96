/** docs/websocket-api.md is generated from the contract: it must match what `npm run docs` writes now. */
import fs from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ApiErrors, ApiMethods } from '../../protocol/api.js';
import { renderWebSocketApi, WEBSOCKET_API_DOC } from '../../tools/docs/websocket-api.js';

describe('WebSocket API reference', () => {
  test('the committed docs/websocket-api.md is up to date (else: npm run docs)', () => {
    expect(fs.readFileSync(WEBSOCKET_API_DOC, 'utf8')).toBe(renderWebSocketApi());
  });

  test('it lists every method and every error code of the contract', () => {
    const doc = renderWebSocketApi();
    for (const m of Object.keys(ApiMethods)) expect(doc).toContain(`## ${m}\n`);
    for (const e of Object.values(ApiErrors)) expect(doc).toContain(`| \`${e.code}\` | ${e.rpcCode} |`);
  });
});
