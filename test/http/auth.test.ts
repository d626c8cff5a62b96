/** Where a request's token is read from, and which paths are the public page. */
import { describe, expect, test } from 'vitest';
import { isPublicPagePath, requestToken } from '../../server/http/auth.js';
import { tokenSubprotocols } from '../../client/sdk.js';

describe('requestToken', () => {
  test('the Authorization header wins; a browser subprotocol carries the token base64url-encoded', () => {
    expect(requestToken({ authorization: 'Bearer abc' })).toBe('abc');
    const token = 'tök/en+with=odd chars';
    const [plain, carrier] = tokenSubprotocols(token);
    expect(plain).toBe('leanenv');
    expect(carrier).toMatch(/^leanenv\.bearer\.[A-Za-z0-9_-]+$/);
    expect(requestToken({ 'sec-websocket-protocol': `${plain}, ${carrier}` })).toBe(token);
    expect(requestToken({ authorization: 'Bearer h', 'sec-websocket-protocol': carrier })).toBe('h');
  });
  test('no token, or only other subprotocols, is no token', () => {
    expect(requestToken({})).toBeUndefined();
    expect(requestToken({ authorization: 'Basic xyz', 'sec-websocket-protocol': 'leanenv, chat' })).toBeUndefined();
  });
});

test('only the page and its assets are public, and only for GET/HEAD', () => {
  expect(['/', '/?x=1', '/index.html', '/assets/index-1.js'].map((u) => isPublicPagePath('GET', u))).toEqual([true, true, true, true]);
  expect(isPublicPagePath('HEAD', '/')).toBe(true);
  expect(['/health', '/metrics', '/v1/ws', '/v1/check', '/assetsx'].map((u) => isPublicPagePath('GET', u))).toEqual([false, false, false, false, false]);
  expect(isPublicPagePath('POST', '/')).toBe(false);
});
