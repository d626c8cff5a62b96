/**
 * The kernel's resource limits in `POST /v1/check` and `proof.verify` (issue 9 §2): a proof whose
 * kernel re-check exceeds the heartbeat limit gets a `timeout` verdict (or a refusal) naming the
 * kernel, not a dead worker. The server runs with a small heartbeat limit (20000); a submission
 * lifts it for its own elaboration (`set_option maxHeartbeats 0 in`), a tactic step skips its own
 * kernel check (`debug.skipKernelTC`), and neither reaches the kernel re-check: it runs under the
 * server's limit with clean options. One real server and Lean worker.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import type { CheckResult } from '../../protocol/check.js';
import { checkOne, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let client: LeanEnvClient;

beforeAll(async () => {
  server = await startTestServer({ config: { maxHeartbeats: 20 } });
  client = await LeanEnvClient.connect(server.url);
});
afterAll(async () => {
  await client?.close();
  await server?.app.close();
});

/** A statement whose `decide` proof costs the kernel more than 20000 heartbeats. */
const COSTLY = '(List.range 1000).foldl (· + ·) 0 = 499500';

function check(code: string): Promise<CheckResult> {
  return checkOne(server, { id: 'k', code });
}

async function restarts(): Promise<number> {
  const r = await server.app.inject({ method: 'GET', url: '/health' });
  return (r.json() as { workers: { restarts: number } }).workers.restarts;
}

/** Apply `tactic` to `stateId`; it must solve the goal. The solved state's id. */
async function solve(stateId: string, tactic: string): Promise<string> {
  const r = await client.apply(stateId, tactic);
  if (r.status !== 'solved') throw new Error(`${tactic} did not solve the goal: ${JSON.stringify(r)}`);
  return r.stateId;
}

describe('kernel re-check under the heartbeat limit', () => {
  test('a cheap kernel check passes under the small limit', async () => {
    const r = await check('set_option maxHeartbeats 0 in\ntheorem cheap : 2 + 2 = 4 := rfl\n');
    expect(r, JSON.stringify(r)).toMatchObject({ verdict: 'proved' });
  });

  test('a kernel check past the limit is a timeout naming the kernel; the worker lives and later checks pass', async () => {
    const before = await restarts();
    const r = await check(`set_option maxHeartbeats 0 in\ntheorem costly : ${COSTLY} := by decide +kernel\n`);
    expect(r.verdict, JSON.stringify(r)).toBe('timeout');
    expect(r.reason).toMatch(/kernel/);
    expect(r.reason).toMatch(/heartbeat limit/);
    expect(r.reason).toMatch(/\(kernel\) deterministic timeout/);
    // Each kernel check has the whole limit: before, the count carried over on the REPL's thread
    // and every check after this one stopped at once.
    for (let i = 0; i < 3; i++) {
      const after = await check(`set_option maxHeartbeats 0 in\ntheorem after${i} : 2 + 2 = 4 := rfl\n`);
      expect(after, JSON.stringify(after)).toMatchObject({ verdict: 'proved' });
    }
    expect(await restarts()).toBe(before);
  });
});

describe('proof.verify under the heartbeat limit', () => {
  // The session's header defines the sum (lifting the limit for itself): the statement then
  // elaborates cheaply, and `decide +kernel` with its kernel check skipped solves it at once.
  const [sum, total] = COSTLY.split(' = ');
  const HEADER = `set_option maxHeartbeats 0 in\ndef costlySum : Nat := ${sum}\ndef expected : Nat := ${total}\n`;

  test('a solved state whose kernel check is past the limit is refused naming the kernel; later verifies in the session pass', async () => {
    const before = await restarts();
    const { sessionId } = await client.openSession(HEADER);
    const cheap = await client.start(sessionId, { statement: 'theorem cheap : expected = expected' });
    const first = await client.verify(await solve(cheap.stateId, 'rfl'));
    expect(first, JSON.stringify(first)).toMatchObject({ proved: true });
    const start = await client.start(sessionId, { statement: 'theorem costly : costlySum = expected' });
    const v = await client.verify(await solve(start.stateId, 'set_option debug.skipKernelTC true in decide +kernel'));
    expect(v, JSON.stringify(v)).toMatchObject({ proved: false, reason: expect.stringMatching(/kernel reached the heartbeat limit \((it uses \S+, which the kernel did not accept: )?\(kernel\) deterministic timeout\)/) });
    // Later verifies in the same session have the whole limit again (before, they stopped at once).
    const again = await client.start(sessionId, { statement: 'theorem cheap2 : expected = expected' });
    const later = await client.verify(await solve(again.stateId, 'rfl'));
    expect(later, JSON.stringify(later)).toMatchObject({ proved: true });
    expect(await restarts()).toBe(before);
  });
});
