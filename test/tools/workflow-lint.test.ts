/**
 * The native CI workflow (`.github/workflows/native.yml`) is not run on our machines (no native
 * Lean, no internet); here it is linted with actionlint (pinned v1.7.12, installed by
 * `tools/ci/install-actionlint.sh`) and kept in step with the toolchains the REPL is declared
 * to build with (`server/provision/toolchains.ts`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { beforeAll, describe, expect, test } from 'vitest';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { KNOWN_TOOLCHAINS, toolchainVersion } from '../../server/provision/toolchains.js';

const WORKFLOW = path.join(PROJECT_ROOT, '.github/workflows/native.yml');
const ACTIONLINT = path.join(PROJECT_ROOT, '.leanenv/bin/actionlint');

/** One actionlint finding (`-format '{{json .}}'`). */
const Finding = z.object({ message: z.string(), filepath: z.string(), line: z.number(), column: z.number(), kind: z.string() }).loose();

/** Lint workflow text (given on stdin, reported under `name`); the findings. */
async function lint(text: string, name: string): Promise<z.infer<typeof Finding>[]> {
  const r = await execa(ACTIONLINT, ['-format', '{{json .}}', '-stdin-filename', name, '-'], { input: text, cwd: PROJECT_ROOT, reject: false });
  expect(r.exitCode === 0 || r.exitCode === 1, r.stderr).toBe(true);
  return z.array(Finding).parse(JSON.parse(r.stdout || '[]'));
}

beforeAll(async () => {
  await execa('bash', [path.join(PROJECT_ROOT, 'tools/ci/install-actionlint.sh')], { cwd: PROJECT_ROOT });
});

describe('native CI workflow', () => {
  test('actionlint finds nothing in .github/workflows/native.yml', async () => {
    const findings = await lint(fs.readFileSync(WORKFLOW, 'utf8'), '.github/workflows/native.yml');
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  test('the linter does lint: a broken workflow gets findings', async () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n';
    const findings = await lint(broken, 'broken.yml');
    expect(findings.some((f) => f.kind === 'expression' && /nope/.test(f.message))).toBe(true);
  });

  test('the matrix covers every toolchain the REPL is declared to build with, and fetches Mathlib at its tag', () => {
    const text = fs.readFileSync(WORKFLOW, 'utf8');
    for (const t of KNOWN_TOOLCHAINS) expect(text).toContain(`toolchain: v${toolchainVersion(t)!.text}`);
    expect(text).toMatch(/lake exe cache get/);
    expect(text).toMatch(/LEANENV_BACKEND: native/);
    expect(text).toMatch(/test\/native\/mathlib-smoke\.test\.ts/);
  });
});
