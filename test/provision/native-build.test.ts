/**
 * The native build's pure parts (no Lean): which toolchains are known, tried or refused, how a
 * toolchain's build directory is laid out (the Compat override), which errors a failed build
 * reports, and the Mathlib revision read from a project's manifest.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildSources, firstErrors, MAX_ERROR_LINES, toolchainSlug } from '../../server/provision/native-build.js';
import { leanVersionIn, mathlibVersion } from '../../server/provision/native.js';
import { LEAN_SOURCES, PROJECT_ROOT } from '../../server/provision/paths.js';
import { compatFileFor, KNOWN_TOOLCHAINS, MIN_TRIED_VERSION, normalizeToolchain, toolchainSupport, toolchainVersion } from '../../server/provision/toolchains.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-native-build-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('toolchains', () => {
  test("our own lean-toolchain is among the known toolchains", () => {
    const ours = fs.readFileSync(path.join(PROJECT_ROOT, 'lean-toolchain'), 'utf8').trim();
    expect(KNOWN_TOOLCHAINS).toContain(ours);
    expect(toolchainSupport(ours)).toEqual({ status: 'known' });
  });

  test('names are normalized and versions read', () => {
    expect(normalizeToolchain('v4.28.0')).toBe('leanprover/lean4:v4.28.0');
    expect(normalizeToolchain(' 4.27.0-rc1\n')).toBe('leanprover/lean4:v4.27.0-rc1');
    expect(normalizeToolchain('leanprover/lean4-nightly:nightly-2026-11-01')).toBe('leanprover/lean4-nightly:nightly-2026-11-01');
    expect(toolchainVersion('leanprover/lean4:v4.27.0-rc1')).toMatchObject({ major: 4, minor: 27, patch: 0, pre: 'rc1', text: '4.27.0-rc1' });
    expect(toolchainVersion('leanprover/lean4-nightly:nightly-2026-11-01')).toBeUndefined();
  });

  test('older than the minimum is refused with the range; newer, older-but-in-range and nightlies are tried', () => {
    const refused = toolchainSupport('leanprover/lean4:v4.3.0');
    expect(refused.status).toBe('refused');
    expect(refused.status === 'refused' && refused.detail).toContain(`v${MIN_TRIED_VERSION}`);
    expect(refused.status === 'refused' && refused.detail).toContain('known to build: leanprover/lean4:v4.28.0');
    for (const t of ['leanprover/lean4:v4.27.0', 'leanprover/lean4:v4.30.0-rc2', 'leanprover/lean4-nightly:nightly-2026-11-01', `leanprover/lean4:v${MIN_TRIED_VERSION}`]) {
      expect(toolchainSupport(t).status, t).toBe('untested');
    }
  });

  test('version text in `lean --version` and `lake --version` output', () => {
    expect(leanVersionIn('Lean (version 4.28.0, x86_64-unknown-linux-gnu, commit 38f3c0c, Release)')).toBe('4.28.0');
    expect(leanVersionIn('Lake version 5.0.0-src+38f3c0c (Lean version 4.29.0-rc1)')).toBe('4.29.0-rc1');
    expect(leanVersionIn('lake: command not found')).toBeUndefined();
  });
});

describe('build directory', () => {
  test('holds our lakefile, the toolchain and every REPL module', () => {
    const files = buildSources('leanprover/lean4:v4.27.0');
    expect(files.get('lean-toolchain')).toBe('leanprover/lean4:v4.27.0\n');
    expect(files.get('lakefile.lean')).toContain('lean_exe «leanenv-repl»');
    const modules = fs.readdirSync(path.join(LEAN_SOURCES, 'LeanEnv')).filter((f) => f.endsWith('.lean'));
    expect(modules).toContain('Compat.lean');
    for (const m of modules) expect(files.get(`lean-project/LeanEnv/${m}`), m).toBe(fs.readFileSync(path.join(LEAN_SOURCES, 'LeanEnv', m), 'utf8'));
    expect(toolchainSlug('leanprover/lean4:v4.27.0')).toBe('leanprover-lean4-v4.27.0');
  });

  test('a toolchain with its own compat file gets it in place of LeanEnv/Compat.lean, others do not', () => {
    const sources = path.join(tmp, 'lean-project');
    fs.cpSync(LEAN_SOURCES, sources, { recursive: true });
    expect(compatFileFor('leanprover/lean4:v4.27.0')).toBe('compat/v4.27.0.lean');
    fs.mkdirSync(path.join(sources, 'compat'), { recursive: true });
    fs.writeFileSync(path.join(sources, 'compat/v4.27.0.lean'), '-- Compat for v4.27.0\n');
    expect(buildSources('leanprover/lean4:v4.27.0', sources).get('lean-project/LeanEnv/Compat.lean')).toBe('-- Compat for v4.27.0\n');
    expect(buildSources('leanprover/lean4:v4.28.0', sources).get('lean-project/LeanEnv/Compat.lean')).toBe(fs.readFileSync(path.join(LEAN_SOURCES, 'LeanEnv/Compat.lean'), 'utf8'));
  });
});

describe('build failures and manifests', () => {
  test("a failed build's first errors, else its last lines", () => {
    const log = ['✔ [2/12] Built LeanEnv.Util', "error: ./lean-project/LeanEnv/Compat.lean:30:2: unknown constant 'X'", 'error: Lean exited with code 1', 'error: build failed'].join('\n');
    expect(firstErrors(log)).toEqual(["error: ./lean-project/LeanEnv/Compat.lean:30:2: unknown constant 'X'", 'error: Lean exited with code 1']);
    const quiet = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    expect(firstErrors(quiet)).toEqual(Array.from({ length: MAX_ERROR_LINES }, (_, i) => `line ${20 - MAX_ERROR_LINES + i}`));
  });

  test('the Mathlib revision comes from lake-manifest.json; none without one or without Mathlib', () => {
    const dir = (name: string, manifest?: unknown) => {
      const d = path.join(tmp, name);
      fs.mkdirSync(d, { recursive: true });
      if (manifest !== undefined) fs.writeFileSync(path.join(d, 'lake-manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
      return d;
    };
    const rev = 'b'.repeat(40);
    expect(mathlibVersion(dir('m1', { version: '1.1.0', packages: [{ name: 'batteries', rev: 'a' }, { name: 'mathlib', rev, inputRev: 'v4.28.0', type: 'git' }] }))).toEqual({ rev, inputRev: 'v4.28.0' });
    expect(mathlibVersion(dir('m2', { version: '1.1.0', name: 'mathlib', packages: [] }))).toEqual({ rev: 'project' });
    expect(mathlibVersion(dir('m3', { version: '1.1.0', packages: [{ name: 'batteries', rev: 'a' }] }))).toBeNull();
    expect(mathlibVersion(dir('m4'))).toBeNull();
    expect(mathlibVersion(dir('m5', '{not json'))).toBeNull();
    expect(mathlibVersion(dir('m6', { packages: 'nope' }))).toBeNull();
  });
});
