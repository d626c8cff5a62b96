/**
 * A tactic step behaves exactly as the same tactic in a file (issue 16), and deep recursion is
 * an error, never a dead worker (issue 9 §1), on a real server and Lean worker: each input is
 * given as a `proof.apply` step and as a whole proof to `POST /v1/check`; both must agree, a
 * failure with the same Lean message, and `/health` must show no worker restart.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import { coreSubset } from '../support/lean.js';
import type { CheckResult } from '../../protocol/check.js';
import { checkOne, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: LeanEnvClient;
const items = coreSubset();
const HEADER = items.get('aime_1984_p7')!.header;
// The same header with `autoImplicit` at its default (on): Lean's frontend then elaborates a
// theorem's body one recursion level deeper (`runTermElabM`'s `Term.withAutoBoundImplicit`).
const HEADER_AUTO_IMPLICIT = HEADER.replace('set_option autoImplicit false\n', '');
const sessions = new Map<string, string>();

beforeAll(async () => {
  server = await startTestServer();
  client = await LeanEnvClient.connect(server.url);
  for (const h of [HEADER, HEADER_AUTO_IMPLICIT]) sessions.set(h, (await client.openSession(h)).sessionId);
  expect(HEADER_AUTO_IMPLICIT).not.toBe(HEADER);
});
afterAll(async () => {
  await client?.close();
  await server?.app.close();
});

/** The dataset statement of `id` (without its `:= by sorry`). */
function statementOf(id: string): string {
  return items.get(id)!.body.replace(/\s*:=\s*by\s+sorry\s*$/, '');
}

/** `statement := by` + the tactic, checked through `POST /v1/check` with the statement as reference. */
async function checkAsFile(statement: string, tactic: string, header = HEADER): Promise<CheckResult> {
  const body = `${statement} := by\n  ${tactic.split('\n').join('\n  ')}\n`;
  return checkOne(server, { id: 'x', header, body, reference: statement });
}

/** The tactic as one step from the statement's start state, in a session on `header`. */
async function asStep(statement: string, tactic: string, header = HEADER) {
  const start = await client.start(sessions.get(header)!, { statement });
  return client.apply(start.stateId, tactic);
}

async function restarts(): Promise<number> {
  const r = await server.app.inject({ method: 'GET', url: '/health' });
  return (r.json() as { workers: { restarts: number } }).workers.restarts;
}

/** Step and file agree: both solve, or both fail with the same first error message. */
async function expectAgreement(statement: string, tactic: string, header = HEADER): Promise<{ step: Awaited<ReturnType<typeof asStep>>; file: CheckResult }> {
  const step = await asStep(statement, tactic, header);
  const file = await checkAsFile(statement, tactic, header);
  if (step.status === 'solved') {
    expect(file.verdict, `${tactic}: solved as a step, ${file.verdict} in a file: ${file.reason}`).toBe('proved');
  } else if (step.status === 'failed') {
    expect(['failed', 'timeout'], `${tactic}: failed as a step (${step.error}), ${file.verdict} in a file`).toContain(file.verdict);
    const firstError = file.messages.find((m) => m.severity === 'error')!;
    expect(firstError.data, tactic).toBe(step.error);
  } else {
    // Goals left: the file reports them as unsolved.
    expect(file.verdict, `${tactic}: goals left as a step, ${file.verdict} in a file`).toBe('failed');
    expect(file.reason, tactic).toMatch(/unsolved goals/);
  }
  return { step, file };
}

describe('a tactic step behaves as the same tactic in a file', () => {
  test('aime_1984_p7 with simp_all: the step fails with the maximum recursion depth error, like the file', async () => {
    const before = await restarts();
    const { step, file } = await expectAgreement(statementOf('aime_1984_p7'), 'simp_all');
    expect(step.status).toBe('failed');
    expect(file.verdict).toBe('failed');
    expect(file.messages.find((m) => m.severity === 'error')!.data).toMatch(/maximum recursion depth has been reached/);
    expect(await restarts()).toBe(before);
  });

  test('set_option maxRecDepth N in a tactic behaves as in a file, for several N', async () => {
    const statement = statementOf('aime_1984_p7');
    const seen = new Set<string>();
    for (const n of [64, 512, 2000]) {
      const { step } = await expectAgreement(statement, `set_option maxRecDepth ${n} in simp_all`);
      seen.add(step.status);
    }
    // The limit matters: a low one fails and a high one lets simp_all through.
    expect(seen).toContain('failed');
    expect(seen.size).toBeGreaterThan(1);
  });
});

describe('recursion-sensitive tactics reach the limit at the same point as a step and in a file', () => {
  test('repeat (have : 1 = 1 := rfl): the same outcome and message', async () => {
    const before = await restarts();
    const { step, file } = await expectAgreement('theorem t1 : True', 'repeat (have : 1 = 1 := rfl)');
    console.log(`repeat (have : 1 = 1 := rfl): step ${step.status} ${step.status === 'failed' ? step.error : ''}; file ${file.verdict}`);
    expect(await restarts()).toBe(before);
  });

  // Lean's `withIncRecDepth` throws when the depth *equals* the limit, so `set_option maxRecDepth N
  // in exact True.intro` fails exactly for N between the depth the tactic starts at and the deepest
  // level it reaches: a step that started at another depth than a file's `by` block (as it did
  // before, one level shallower) disagrees at the window's edge.
  for (const [name, header] of [['autoImplicit off', HEADER], ['autoImplicit on', HEADER_AUTO_IMPLICIT]] as const) {
    test(`set_option maxRecDepth N in exact True.intro, N = 1..12 (${name}): a step starts at the depth of a file's by block`, async () => {
      const outcomes = new Map<number, string>();
      for (let n = 1; n <= 12; n++) outcomes.set(n, (await expectAgreement('theorem t2 : True', `set_option maxRecDepth ${n} in exact True.intro`, header)).step.status);
      console.log(`set_option maxRecDepth N in exact True.intro (${name}): ${[...outcomes].map(([n, s]) => `${n} ${s}`).join(', ')}`);
      // Not vacuous: below the starting depth the limit is never met, within the window it is.
      expect(outcomes.get(1)).toBe('solved');
      expect([...outcomes.values()]).toContain('failed');
    });
  }

  test('set_option maxRecDepth N in (repeat) have : 1 = 1 := rfl: where each limit is reached decides the outcome', async () => {
    const before = await restarts();
    const outcomes = new Set<string>();
    // One `have`: around N = 22 the limit is reached inside the instance search for the numeral
    // (`OfNat ?α 1`), which turns it into an ordinary "failed to synthesize" error.
    for (let n = 18; n <= 26; n++) await expectAgreement('theorem t3 : True', `set_option maxRecDepth ${n} in have : 1 = 1 := rfl`);
    // `repeat` is `first | (tac; repeat tac) | skip`: an ordinary error ends it with the goals
    // left, a runtime one fails it; which one happens cycles with N (period 4 here).
    for (let n = 505; n <= 516; n++) outcomes.add((await expectAgreement('theorem t3 : True', `set_option maxRecDepth ${n} in repeat (have : 1 = 1 := rfl)`)).step.status);
    expect(outcomes).toEqual(new Set(['open', 'failed']));
    expect(await restarts()).toBe(before);
  });

  test('iterate, nested first and a long tactic sequence agree', async () => {
    const before = await restarts();
    const cases: [string, string][] = [
      ['theorem t4 : True', 'iterate 300 skip'],
      ['theorem t5 : True', 'iterate 600 skip'],
      ['theorem t6 : True', `${'first | ('.repeat(120)}trivial${')'.repeat(120)}`],
      ['theorem t7 (n : Nat) : n + 0 = n', `${'try simp only []\n'.repeat(40)}omega`],
    ];
    for (const [statement, tactic] of cases) await expectAgreement(statement, tactic);
    expect(await restarts()).toBe(before);
  });
});

describe('the term and meta settings of a file hold for a step', () => {
  // The instance-search limits are options the frontend reads from the scope when it searches.
  const DECIDE = 'theorem t9 : ∀ x, x < 10 → x * x < 100';
  for (const [option, low, high] of [['synthInstance.maxHeartbeats', 1, 64], ['synthInstance.maxSize', 2, 64]] as const) {
    test(`set_option ${option} N in decide behaves as in a file, and N changes the outcome`, async () => {
      const low_ = await expectAgreement(DECIDE, `set_option ${option} ${low} in decide`);
      expect(low_.step.status === 'failed' && low_.step.error).toMatch(/failed to synthesize/);
      expect((await expectAgreement(DECIDE, `set_option ${option} ${high} in decide`)).step.status).toBe('solved');
    });
  }

  test('a set_option in the header holds for a step as for a file', async () => {
    const header = `${HEADER}set_option synthInstance.maxSize 2\n`;
    sessions.set(header, (await client.openSession(header)).sessionId);
    const { step } = await expectAgreement(DECIDE, 'decide', header);
    expect(step.status).toBe('failed');
    expect((await expectAgreement(DECIDE, 'decide')).step.status).toBe('solved');
  });

  test('an elaboration error fails the step with the error a file reports first', async () => {
    const { step } = await expectAgreement('theorem t10 (x : Nat) (h : x = 2) : x + x = 4', 'exact no_such_lemma');
    expect(step.status).toBe('failed');
  });

  test("higher-order unification with the frontend's approximations solves as in a file", async () => {
    const { step } = await expectAgreement('theorem t11 (f : Nat → Nat) (h : ∀ g : Nat → Nat, g 0 = g 0) : f 0 = f 0', 'exact h _');
    console.log(`exact h _: step ${step.status}`);
  });
});

describe('kernel checks are bounded', () => {
  test('proof.verify of the state simp_all solves with a raised maxRecDepth ends with a verdict, not a dead worker', async () => {
    const before = await restarts();
    const tactic = 'set_option maxRecDepth 2000 in simp_all';
    const t0 = Date.now();
    const step = await asStep(statementOf('aime_1984_p7'), tactic);
    const stepMs = Date.now() - t0;
    expect(step.status).toBe('solved');
    const t1 = Date.now();
    const v = await client.verify(step.status === 'solved' ? step.stateId : '');
    const verifyMs = Date.now() - t1;
    console.log(`aime_1984_p7 "${tactic}": step ${stepMs} ms, proof.verify ${verifyMs} ms: ${JSON.stringify({ proved: v.proved, reason: v.reason?.slice(0, 200) })}`);
    if (!v.proved) expect(v.reason).toMatch(/deterministic\)? timeout|maximum number of heartbeats|re-check/);
    expect(await restarts()).toBe(before);
  }, 300_000);
});

describe('deep recursion ends in an error, never a dead worker', () => {
  const cases: [string, string, RegExp][] = [
    ['repeat (first | skip)', 'theorem t1 : True', /maximum recursion depth has been reached/],
    // Ended the worker with Lean's default 8 MB thread stack (test/bench/stack-depth.ts).
    ['set_option maxRecDepth 20000 in repeat (first | skip)', 'theorem t2 : True', /maximum recursion depth has been reached|deep recursion/],
  ];
  for (const [tactic, statement, error] of cases) {
    test(`${tactic} on ${statement.slice(0, 40)}: a failed step and a failed check with Lean's message`, async () => {
      const before = await restarts();
      const { step, file } = await expectAgreement(statement, tactic);
      expect(step.status).toBe('failed');
      expect(step.status === 'failed' && step.error).toMatch(error);
      expect(file.messages.find((m) => m.severity === 'error')!.data).toMatch(error);
      expect(await restarts()).toBe(before);
    });
  }

  // A term thousands of levels deep: `1 + 1 + … + 1` (N ones) through the elaborator, `decide`/`rfl` and the kernel.
  const ones = (n: number) => Array(n).fill('1').join(' + ');
  for (const [n, proof] of [[3000, 'by decide'], [3000, 'by rfl'], [3000, 'rfl']] as const) {
    test(`theorem : 1 + … + 1 (${n} ones) = ${n} := ${proof} through /v1/check: a verdict, no restart`, async () => {
      const before = await restarts();
      const statement = `theorem deep_sum : ${ones(n)} = ${n}`;
      const file = await checkOne(server, { id: 'deep', header: HEADER, body: `${statement} := ${proof}\n`, reference: statement });
      console.log(`${n} ones, ${proof}: ${file.verdict}${file.reason ? `: ${file.reason.slice(0, 160)}` : ''}`);
      expect(['proved', 'failed', 'timeout'], JSON.stringify(file).slice(0, 400)).toContain(file.verdict);
      if (file.verdict !== 'proved') expect(file.reason).toBeTruthy();
      expect(await restarts()).toBe(before);
    }, 300_000);
  }

  test('grind on the start state of aime_1984_p7: an error as a step and in a check, no restart', async () => {
    const before = await restarts();
    const { step, file } = await expectAgreement(statementOf('aime_1984_p7'), 'grind');
    expect(step.status).toBe('failed');
    expect(['failed', 'timeout']).toContain(file.verdict);
    expect(await restarts()).toBe(before);
  });
});
