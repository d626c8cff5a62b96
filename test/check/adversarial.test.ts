/**
 * The adversarial corpus (`adversarial-corpus.ts`) through `POST /v1/check` on a real
 * server and Lean worker: every trick gets its verdict and a reason naming the cause,
 * and the honest proofs of the same statements stay `proved`. The worker has two slots, so
 * items run two at a time in one Lean process.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckResult } from '../../server/check/checker.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { HONEST, NATIVE_CASES, REFUSALS, WITH_NATIVE, type AdversarialCase } from './adversarial-corpus.js';

let server: TestServer;

beforeAll(async () => {
  // Two slots on the one worker: the corpus runs two items at a time in one Lean process (issue 29).
  server = await startTestServer({ config: { slotsPerWorker: 2 } });
});
afterAll(async () => {
  await server?.app.close();
});

/** POST the cases' items over real HTTP (streamed NDJSON), results by item id. */
async function check(cases: readonly AdversarialCase[], allowedAxioms?: string[]): Promise<Map<string, CheckResult>> {
  const res = await fetch(`${server.url}/v1/check?stream=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items: cases.map((c) => c.item), ...(allowedAxioms ? { allowedAxioms } : {}) }),
  });
  expect(res.status).toBe(200);
  const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as CheckResult & { summary?: unknown });
  return new Map(lines.filter((l) => !l.summary).map((l) => [l.id, l]));
}

/** Every case got its verdict, and each refusal a reason that names its cause. */
function expectVerdicts(cases: readonly AdversarialCase[], results: Map<string, CheckResult>): void {
  const got = cases.map((c) => ({ trick: c.trick, verdict: results.get(c.item.id)?.verdict, reason: results.get(c.item.id)?.reason }));
  expect(got.map(({ trick, verdict }) => ({ trick, verdict }))).toEqual(cases.map((c) => ({ trick: c.trick, verdict: c.verdict })));
  for (const [i, c] of cases.entries()) {
    if (c.reason) expect(got[i]!.reason, c.trick).toMatch(c.reason);
    else expect(got[i]!.reason, c.trick).toBeUndefined();
  }
}

describe('adversarial corpus through POST /v1/check', () => {
  test('every trick is refused with its reason; honest proofs of the same statements are proved', async () => {
    const cases = [...REFUSALS, ...HONEST];
    const results = await check(cases);
    expectVerdicts(cases, results);
    expect(results.get('mathd_numbertheory_66:native')?.axioms).toContain('Lean.ofReduceBool');
    expect(results.get('mathd_numbertheory_81:axiom')?.axioms).toContain('cheat');
  });

  test('with Lean.ofReduceBool allowed, native_decide proves and implemented_by cannot fool the kernel', async () => {
    const results = await check(NATIVE_CASES, WITH_NATIVE);
    expectVerdicts(NATIVE_CASES, results);
    expect(results.get('mathd_numbertheory_66:native-allowed')?.axioms).toEqual(['Lean.ofReduceBool']);
  });

  test('an allowed axiom list without Lean.ofReduceBool still refuses native_decide', async () => {
    const native = REFUSALS.find((c) => c.item.id === 'mathd_numbertheory_66:native')!;
    const results = await check([native], ['propext']);
    expect(results.get(native.item.id)).toMatchObject({ verdict: 'failed', reason: expect.stringMatching(/Lean\.ofReduceBool/) });
  });
});
