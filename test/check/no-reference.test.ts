/**
 * Checks without a reference judge what Lean declared: every case of `NO_REFERENCE` through
 * `POST /v1/check` (a `code` item, no reference) and through `leanenv check` on a `.lean`
 * file. Also references as users give them: a reference carrying the item's header and
 * preamble is accepted; one that cannot be used is a 400 naming the item.
 * One real server and Lean worker for the file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CheckResult } from '../../server/check/checker.js';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { LeanEnvClient } from '../../client/sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { HEADER, NO_REFERENCE, statementOf, type FileCase } from './adversarial-corpus.js';

let server: TestServer;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-noref-'));

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** POST items; returns the status and the parsed body. */
async function post(items: unknown[]): Promise<{ status: number; body: { results?: CheckResult[]; error?: { code: string; message: string; item?: string } } }> {
  const res = await fetch(`${server.url}/v1/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
  return { status: res.status, body: (await res.json()) as never };
}

/** Each case got its verdict and (for a refusal) a reason naming its cause. */
function expectCases(cases: readonly FileCase[], got: ReadonlyMap<string, { verdict?: string; reason?: string }>): void {
  expect(cases.map((c) => ({ trick: c.trick, verdict: got.get(c.id)?.verdict }))).toEqual(cases.map((c) => ({ trick: c.trick, verdict: c.verdict })));
  for (const c of cases) {
    if (c.reason) expect(got.get(c.id)?.reason, c.trick).toMatch(c.reason);
    else expect(got.get(c.id)?.reason, c.trick).toBeUndefined();
  }
}

describe('checks without a reference', () => {
  test('POST /v1/check: every declared proof is audited, honest files are proved', async () => {
    const r = await post(NO_REFERENCE.map((c) => ({ id: c.id, code: c.code })));
    expect(r.status).toBe(200);
    expectCases(NO_REFERENCE, new Map(r.body.results!.map((x) => [x.id, x])));
  });

  test('leanenv check on .lean files gives the same verdicts', async () => {
    const files = NO_REFERENCE.map((c) => {
      const file = path.join(dir, `${c.id}.lean`);
      fs.writeFileSync(file, c.code);
      return file;
    });
    const r = await execa(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), [path.join(PROJECT_ROOT, 'client/cli/main.ts'), 'check', ...files, '--server', server.url, '--json'], { reject: false, cwd: dir });
    expect(r.exitCode, r.stderr).toBe(1); // some cases are refused
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as CheckResult);
    expectCases(NO_REFERENCE, new Map(lines.map((l) => [path.basename(l.id, '.lean'), l])));
  });
});

describe('references as users give them', () => {
  const id = 'mathd_numbertheory_254';
  const statement = statementOf(id);
  const whole = `${HEADER}\n${statement} := by sorry`;

  test('a reference carrying the header (the whole formal statement) is accepted, for code and header/body items', async () => {
    const r = await post([
      { id: 'code', code: `${HEADER}\n${statement} := by decide\n`, reference: whole },
      { id: 'header-body', header: HEADER, body: `${statement} := by decide\n`, reference: whole },
      { id: 'bare', header: HEADER, body: `${statement} := by decide\n`, reference: statement },
      { id: 'sorry-beside', code: `${HEADER}\n${statement} := by decide\ntheorem extra : (1 : ℕ) = 1 := by sorry\n`, reference: whole },
    ]);
    expect(r.status).toBe(200);
    const byId = new Map(r.body.results!.map((x) => [x.id, x]));
    expect(byId.get('code')).toMatchObject({ verdict: 'proved' });
    expect(byId.get('header-body')).toMatchObject({ verdict: 'proved' });
    expect(byId.get('bare')).toMatchObject({ verdict: 'proved' });
    expect(byId.get('sorry-beside')).toMatchObject({ verdict: 'incomplete', reason: expect.stringMatching(/sorry \(in extra\)/) });
  });

  test('a statement mismatch under a header-carrying reference is refused', async () => {
    const r = await post([{ id: 'mismatch', code: `${HEADER}\n${statement.replace('= 6', '= 6 ∨ True')} := by decide\n`, reference: whole }]);
    expect(r.status).toBe(200);
    expect(r.body.results![0]).toMatchObject({ verdict: 'failed', reason: expect.stringMatching(/statement mismatch/) });
  });

  test('a reference whose preamble the item does not start with is a 400 naming the item', async () => {
    const other = `notation "ℕ" => Int\n${statement} := by sorry`;
    const r = await post([{ id: 'other-preamble', code: `${HEADER}\n${statement} := by decide\n`, reference: other }]);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_params', item: 'other-preamble', message: expect.stringMatching(/other-preamble/) });
  });

  test('a reference that does not elaborate is a 400, not a verdict', async () => {
    const r = await post([{ id: 'broken', header: HEADER, body: `${statement} := by decide\n`, reference: 'theorem broken : undefined_thing = 1' }]);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_params', item: 'broken' });
  });

  test('proof.start from a statement carrying the session header starts from its theorem, and verifies', async () => {
    const client = await LeanEnvClient.connect(server.url);
    try {
      const session = await client.openSession(HEADER);
      const root = await client.start(session.sessionId, { statement: whole });
      expect(root.goals.length).toBe(1);
      const solved = await client.apply(root.stateId, 'decide');
      if (solved.status !== 'solved') throw new Error(`not solved: ${JSON.stringify(solved)}`);
      expect(await client.verify(solved.stateId)).toMatchObject({ proved: true });
    } finally {
      await client.close();
    }
  });

  test('an example statement is verified over the WebSocket without renaming it', async () => {
    const client = await LeanEnvClient.connect(server.url);
    try {
      const session = await client.openSession(HEADER);
      const root = await client.start(session.sessionId, { statement: 'example (n : ℕ) (h : n = 2) : n + n = 4' });
      const solved = await client.apply(root.stateId, 'subst h; decide');
      if (solved.status !== 'solved') throw new Error(`not solved: ${JSON.stringify(solved)}`);
      expect(await client.verify(solved.stateId)).toMatchObject({ proved: true });
    } finally {
      await client.close();
    }
  });
});
