/**
 * `POST /v1/check` with `trace: true` on a real server and Lean worker: each tactic of a checked
 * multi-tactic proof with its range and its goals before and after, the same goals as stepping
 * the same tactics over the WebSocket; the verdict is the judge's either way (a `sorry` proof is
 * traced but stays incomplete); without `trace` nothing is added.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import type { CheckResult } from '../../protocol/check.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.app.close();
});

const STATEMENT = 'theorem tr3 (p q : Prop) (hp : p) (hq : q) : p ∧ q';
const TACTICS = ['constructor', 'exact hp', 'exact hq'];
const CODE = `-- a traced proof\n\n${STATEMENT} := by\n  ${TACTICS.join('\n  ')}\n`;

async function check(items: unknown[], trace?: boolean): Promise<CheckResult[]> {
  const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items, ...(trace === undefined ? {} : { trace }) } });
  expect(r.statusCode, r.body).toBe(200);
  return (r.json() as { results: CheckResult[] }).results;
}

test('each tactic with its range and goals before/after, as stepping the same tactics over the WebSocket gives them', async () => {
  const [r] = await check([{ id: 'p', code: CODE }], true);
  expect(r!.verdict).toBe('proved');
  const trace = r!.trace!;
  expect(trace.map((t) => t.tactic)).toEqual(TACTICS);
  const lines = CODE.split('\n');
  for (const t of trace) {
    expect(t.pos.line).toBe(t.endPos.line);
    expect(lines[t.pos.line - 1]!.slice(t.pos.column, t.endPos.column)).toBe(t.tactic);
  }
  const client = await LeanEnvClient.connect(server.url);
  try {
    const { sessionId } = await client.openSession('');
    let state = await client.start(sessionId, { statement: `${STATEMENT} := by sorry` });
    for (const [i, tactic] of TACTICS.entries()) {
      expect(trace[i]!.goalsBefore, tactic).toEqual(state.goals);
      const o = await client.apply(state.stateId, tactic);
      if (o.status === 'failed') throw new Error(o.error);
      expect(trace[i]!.goalsAfter, tactic).toEqual(o.goals);
      state = await client.state(o.stateId);
    }
  } finally {
    await client.close();
  }
});

test('the verdict stays the judge\'s: a sorry proof is traced and incomplete; without trace nothing is added', async () => {
  const body = `${STATEMENT} := by\n  constructor\n  exact hp\n  sorry\n`;
  const [traced] = await check([{ id: 's', header: '', body }], true);
  expect(traced!.verdict).toBe('incomplete');
  expect(traced!.trace!.map((t) => t.tactic)).toEqual(['constructor', 'exact hp', 'sorry']);
  expect(traced!.trace![0]!.pos.line).toBe(2);
  const [plain] = await check([{ id: 's', header: '', body }]);
  expect(plain!.verdict).toBe('incomplete');
  expect(plain!.trace).toBeUndefined();
  const bad = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: [{ id: 'x', code: 'theorem x : True := trivial' }], trace: 'yes' } });
  expect(bad.statusCode).toBe(400);
});
