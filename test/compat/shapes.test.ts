/**
 * Pure shaping of the compatibility fronts (no Lean): REPL-style command responses with line
 * numbers moved to the snippet as written, exact repeats of a message dropped, FastAPI-style
 * validation errors. The real Lean paths are tested by the Python suites (test/python/).
 */
import { describe, expect, test } from 'vitest';
import { replResponse } from '../../server/compat/kimina.js';
import { KiminaCheckRequest, validationDetail } from '../../server/compat/kimina-schema.js';
import { uniqueMessages } from '../../server/compat/repl-session.js';

const msg = (line: number, data: string) => ({ severity: 'error' as const, pos: { line, column: 2 }, endPos: null, data });
const goal = { caseName: null, hyps: [], target: 'True', pretty: '⊢ True' };

describe('Kimina response shape', () => {
  test('moves positions down by the header lines, keeps endPos null, omits empty lists', () => {
    const r = replResponse({ messages: [msg(1, 'boom')], sorries: [] }, 2);
    expect(r).toEqual({ env: 0, messages: [{ severity: 'error', pos: { line: 3, column: 2 }, endPos: null, data: 'boom' }] });
    expect(replResponse({ messages: [], sorries: [] }, 0)).toEqual({ env: 0 });
  });

  test('a sorry carries its goal text and shifted positions, not a proof state id', () => {
    const r = replResponse({ messages: [], sorries: [{ proofState: 4, goals: [goal], pos: { line: 1, column: 5 }, endPos: { line: 1, column: 10 } }] }, 1);
    expect(r.sorries).toEqual([{ pos: { line: 2, column: 5 }, endPos: { line: 2, column: 10 }, goal: '⊢ True' }]);
  });

  test('exact repeats of a message are dropped, distinct ones kept in order', () => {
    expect(uniqueMessages([msg(1, 'a'), msg(1, 'a'), msg(2, 'a'), msg(1, 'b')]).map((m) => [m.pos.line, m.data])).toEqual([
      [1, 'a'],
      [2, 'a'],
      [1, 'b'],
    ]);
  });

  test('request defaults are Kimina\'s; bad bodies get FastAPI-style details', () => {
    expect(KiminaCheckRequest.parse({ snippets: [{ id: 'a', code: '#check Nat' }], infotree: null })).toMatchObject({ timeout: 30, debug: false, reuse: true });
    const bad = KiminaCheckRequest.safeParse({ snippets: [{ id: 'a', code: 'x' }, { id: 'a', code: 'y' }] });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(validationDetail(bad.error).detail[0]).toMatchObject({ loc: ['body', 'snippets'], msg: '`snippets` must have unique ids' });
  });
});
