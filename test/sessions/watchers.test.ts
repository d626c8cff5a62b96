/** Session watchers: listeners per session, removal, a failing listener does not stop the others. */
import { expect, test } from 'vitest';
import { SessionWatchers } from '../../server/sessions/watchers.js';
import type { ProofTreeChanged } from '../../protocol/api.js';

const change = (sessionId: string): ProofTreeChanged => ({ sessionId, proofId: 'prf_1', statement: 's', root: 'st_1', nodes: [], edges: [], failed: [] });

test('listeners get their session only, until stopped or the session is dropped', () => {
  const w = new SessionWatchers();
  const got: string[] = [];
  const stopA = w.add('a', (c) => got.push(`1:${c.sessionId}`));
  w.add('a', () => {
    throw new Error('closed socket');
  });
  w.add('a', (c) => got.push(`3:${c.sessionId}`));
  w.add('b', (c) => got.push(`b:${c.sessionId}`));
  w.emit(change('a'));
  expect(got).toEqual(['1:a', '3:a']);
  expect(w.count('a')).toBe(3);
  stopA();
  expect(w.count('a')).toBe(2);
  w.drop('a');
  w.emit(change('a'));
  expect(got).toEqual(['1:a', '3:a']);
  w.emit(change('b'));
  expect(got).toEqual(['1:a', '3:a', 'b:b']);
  expect(w.count('a')).toBe(0);
});
