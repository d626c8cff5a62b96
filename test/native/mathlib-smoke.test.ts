/**
 * Mathlib smoke test for the native backend: a dozen miniF2F statements with known short proofs
 * (norm_num, linarith, nlinarith, decide) checked through `POST /v1/check`, stepped over the
 * WebSocket API, and searched by `leanenv prove` with a policy of those tactics.
 *
 * Runs only where `LEANENV_MATHLIB_SMOKE=1` and the server is configured for the native backend
 * in a Mathlib project (`LEANENV_BACKEND=native`, `LEANENV_PROJECT_DIR`): the native CI workflow
 * (`.github/workflows/native.yml`). Our own machines have neither native Lean nor Mathlib, so
 * it is skipped there. One server (two workers and the judge) for the file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import type { CheckResult } from '../../protocol/check.js';
import { runCli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

/** The miniF2F header (`../shared/benchmarks/minif2f-lean4.jsonl`). */
const HEADER = 'import Mathlib\n\nset_option maxHeartbeats 400000\n\nopen BigOperators Real Nat Topology Rat\n';

/** miniF2F statements (test split, as in the benchmark file) and a known proof of each. */
const ITEMS: { id: string; statement: string; proof: string }[] = [
  { id: 'mathd_numbertheory_229', statement: 'theorem mathd_numbertheory_229 : (5^30) % 7 = 1', proof: 'norm_num' },
  { id: 'mathd_numbertheory_102', statement: 'theorem mathd_numbertheory_102 : 2 ^ 8 % 5 = 1', proof: 'norm_num' },
  { id: 'mathd_numbertheory_254', statement: 'theorem mathd_numbertheory_254 : (239 + 174 + 83) % 10 = 6', proof: 'norm_num' },
  { id: 'mathd_algebra_304', statement: 'theorem mathd_algebra_304 : 91^2 = 8281', proof: 'norm_num' },
  { id: 'mathd_numbertheory_345', statement: 'theorem mathd_numbertheory_345 : (2000 + 2001 + 2002 + 2003 + 2004 + 2005 + 2006) % 7 = 0', proof: 'norm_num' },
  { id: 'mathd_numbertheory_961', statement: 'theorem mathd_numbertheory_961 : 2003 % 11 = 1', proof: 'norm_num' },
  { id: 'mathd_numbertheory_200', statement: 'theorem mathd_numbertheory_200 : 139 % 11 = 7', proof: 'decide' },
  { id: 'mathd_numbertheory_299', statement: 'theorem mathd_numbertheory_299 : (1 * 3 * 5 * 7 * 9 * 11 * 13) % 10 = 5', proof: 'decide' },
  { id: 'mathd_numbertheory_101', statement: 'theorem mathd_numbertheory_101 : 17 * 18 % 4 = 2', proof: 'decide' },
  { id: 'mathd_algebra_359', statement: 'theorem mathd_algebra_359 (y : ℝ) (h₀ : y + 6 + y = 2 * 12) : y = 9', proof: 'linarith' },
  { id: 'mathd_algebra_119', statement: 'theorem mathd_algebra_119 (d e : ℝ) (h₀ : 2 * d = 17 * e - 8) (h₁ : 2 * e = d - 9) : e = 2', proof: 'linarith' },
  { id: 'mathd_algebra_24', statement: 'theorem mathd_algebra_24 (x : ℝ) (h₀ : x / 50 = 40) : x = 2000', proof: 'linarith' },
  { id: 'mathd_algebra_141', statement: 'theorem mathd_algebra_141 (a b : ℝ) (h₁ : (a * b)=180) (h₂ : 2 * (a + b)=54) : (a^2 + b^2) = 369', proof: 'nlinarith [h₁, h₂, sq_nonneg (a + b), sq_nonneg (a - b)]' },
];

/** The `leanenv prove --json` line of one statement, as far as this test reads it. */
const ProveLine = z.object({ id: z.string(), status: z.string(), proved: z.boolean(), tactics: z.array(z.string()) }).loose();

const enabled = process.env.LEANENV_MATHLIB_SMOKE === '1';
let dir: string;
let server: TestServer;
let client: LeanEnvClient;

describe.skipIf(!enabled)('Mathlib smoke test on the native backend (LEANENV_MATHLIB_SMOKE=1)', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-mathlib-smoke-'));
    server = await startTestServer({ config: { workers: 2, requestTimeoutMs: 600_000 } });
    client = await LeanEnvClient.connect(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await server?.app.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('/health: native, sandboxed, the project toolchain and its Mathlib', async () => {
    const h = (await server.app.inject({ method: 'GET', url: '/health' })).json() as Record<string, unknown>;
    const projectDir = process.env.LEANENV_PROJECT_DIR!;
    const toolchain = fs.readFileSync(path.join(projectDir, 'lean-toolchain'), 'utf8').trim();
    expect(h).toMatchObject({ status: 'ok', backend: 'native', sandbox: { kind: 'bubblewrap' } });
    expect(h.toolchain).toMatchObject({ project: toolchain, repl: toolchain, projectDir: path.resolve(projectDir) });
    expect((h.toolchain as { mathlib: unknown }).mathlib).toMatchObject({ rev: expect.stringMatching(/^[0-9a-f]{40}$|^project$/) });
  });

  test('POST /v1/check: every proof is proved (a wrong one fails)', async () => {
    const items = [
      ...ITEMS.map((i) => ({ id: i.id, header: HEADER, body: `${i.statement} := by\n  ${i.proof}\n` })),
      { id: 'wrong', header: HEADER, body: 'theorem wrong : (2 : ℝ) + 2 = 5 := by\n  norm_num\n' },
    ];
    const r = await server.app.inject({ method: 'POST', url: '/v1/check', payload: { items } });
    expect(r.statusCode).toBe(200);
    const results = (r.json() as { results: CheckResult[] }).results;
    const verdicts = Object.fromEntries(results.map((x) => [x.id, x.verdict]));
    expect(verdicts).toEqual({ ...Object.fromEntries(ITEMS.map((i) => [i.id, 'proved'])), wrong: 'failed' });
  });

  test('WebSocket: each statement started, its proof applied as one step, verified proved', async () => {
    const { sessionId } = await client.openSession(HEADER);
    for (const item of ITEMS) {
      const start = await client.start(sessionId, { statement: item.statement });
      expect(start.status, item.id).toBe('open');
      const step = await client.apply(start.stateId, item.proof);
      expect(step.status, `${item.id}: ${JSON.stringify(step)}`).toBe('solved');
      const v = await client.verify((step as { stateId: string }).stateId);
      expect(v.proved, `${item.id}: ${JSON.stringify(v)}`).toBe(true);
    }
  });

  test('leanenv prove: a policy of the Mathlib closers finds every proof', async () => {
    const input = path.join(dir, 'smoke.jsonl');
    fs.writeFileSync(input, ITEMS.map((i) => JSON.stringify({ id: i.id, header: HEADER, body: `${i.statement} := by sorry` })).join('\n') + '\n');
    const rules = path.join(dir, 'rules.json');
    const closing = ['norm_num', 'decide', 'linarith', 'nlinarith [sq_nonneg (a + b), sq_nonneg (a - b)]'];
    fs.writeFileSync(rules, JSON.stringify({ rules: closing.map((tactic, k) => ({ tactic, score: -0.1 * (k + 1), closing: true })), residueSplitMaxModulus: 0, residueSplitScore: -2 }));
    const r = await runCli(dir, 'prove', input, '--server', server.url, '--policy', `builtin:${rules}`, '--json', '--budget', '8', '--depth', '3', '--concurrency', '2');
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => ProveLine.parse(JSON.parse(l)));
    expect(lines.map((l) => l.id).sort()).toEqual(ITEMS.map((i) => i.id).sort());
    for (const l of lines) expect(l.proved, JSON.stringify(l)).toBe(true);
    expect(r.exitCode, r.stderr).toBe(0);
  });
});
