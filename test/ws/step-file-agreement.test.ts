/**
 * A tactic step behaves exactly as the same tactic in a file (issue 16), and deep recursion is
 * an error, never a dead worker (issue 9 §1), on a real server and Lean worker: each input is
 * given as a `proof.apply` step and as a whole proof to `POST /v1/check`; both must agree, a
 * failure with the same Lean message, and `/health` must show no worker restart.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import { coreSubset } from '../support/lean.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: LeanEnvClient;
let sessionId: string;
const items = coreSubset();
const HEADER = items.get('aime_1984_p7')!.header;

interface CheckResult {
  id: string;
  verdict: string;
  reason?: string;
  messages: { severity: string; data: string }[];
}

beforeAll(async () => {
  server = await startTestServer();
  client = await LeanEnvClient.connect(server.url);
  sessionId = (await client.openSession(HEADER)).sessionId;
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
async function checkAsFile(statement: string, tactic: string): Promise<CheckResult> {
  const body = `${statement} := by\n  ${tactic.split('\n').join('\n  ')}\n`;
  const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: [{ id: 'x', header: HEADER, body, reference: statement }] } });
  expect(r.statusCode).toBe(200);
  return (r.json() as { results: CheckResult[] }).results[0]!;
}

/** The tactic as one step from the statement's start state. */
async function asStep(statement: string, tactic: string) {
  const start = await client.start(sessionId, { statement });
  return client.apply(start.stateId, tactic);
}

async function restarts(): Promise<number> {
  const r = await server.app.inject({ method: 'GET', url: '/health' });
  return (r.json() as { workers: { restarts: number } }).workers.restarts;
}

/** Step and file agree: both solve, or both fail with the same first error message. */
async function expectAgreement(statement: string, tactic: string): Promise<{ step: Awaited<ReturnType<typeof asStep>>; file: CheckResult }> {
  const step = await asStep(statement, tactic);
  const file = await checkAsFile(statement, tactic);
  if (step.status === 'solved') {
    expect(file.verdict, `${tactic}: solved as a step, ${file.verdict} in a file: ${file.reason}`).toBe('proved');
  } else if (step.status === 'failed') {
    expect(['failed', 'timeout'], `${tactic}: failed as a step, ${file.verdict} in a file`).toContain(file.verdict);
    const firstError = file.messages.find((m) => m.severity === 'error')!;
    expect(firstError.data, tactic).toBe(step.error);
  } else {
    // Goals left: the file reports them as unsolved.
    expect(file.verdict, tactic).toBe('failed');
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
      const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items: [{ id: 'deep', header: HEADER, body: `${statement} := ${proof}\n`, reference: statement }] } });
      expect(r.statusCode).toBe(200);
      const file = (r.json() as { results: CheckResult[] }).results[0]!;
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
