/**
 * The native backend's code path, run against the real embedded Lean behind a `lake` SHIM.
 *
 * Our machines have no native Lean, so `test/support/lake-shim/lake` stands in for elan's `lake`:
 * it takes the toolchain the way elan does (ELAN_TOOLCHAIN, else ./lean-toolchain) and answers
 * `lake --version`, `lake env <cmd>` and `lake build leanenv-repl` with the embedded Lean 4.28,
 * whatever the toolchain (its build compiles the sources the server wrote for that toolchain;
 * its REPL runs in the embedded Lean's interpreter). Everything on the server's side is the real
 * native path: toolchain detection, the per-toolchain build directory and its cache, `lake env
 * <repl>` spawned in the project directory (under bubblewrap when it works here), the judge
 * started the same way, `/health`. One server (one worker, the judge) for the file, on a project
 * whose `lean-toolchain` (v4.27.0) differs from ours (v4.28.0).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig, type ConfigInput } from '../../server/config/config.js';
import { resolveBackend } from '../../server/lean/backend.js';
import type { WorkerSpawn } from '../../server/lean/spawn.js';
import { NativeBuildError, ensureNativeRepl } from '../../server/provision/native-build.js';
import { detectToolchain } from '../../server/provision/native.js';
import { ensureWasmLean } from '../../server/provision/wasm.js';
import { DEFAULT_CACHE_DIR, PROJECT_ROOT } from '../../server/provision/paths.js';
import { probeBubblewrap } from '../../server/lean/sandbox.js';
import { checkOne, startTestServer, type TestServer } from '../support/server.js';

const SHIM = path.join(PROJECT_ROOT, 'test/support/lake-shim/lake');
const TOOLCHAIN = 'leanprover/lean4:v4.27.0';
const MATHLIB_REV = '0123456789abcdef0123456789abcdef01234567';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-native-shim-'));
const shimLog = path.join(root, 'shim.log');
const cacheDir = path.join(root, 'cache');

/** A Lake project directory with a `lean-toolchain` (none when `toolchain` is undefined) and a manifest pinning a (made-up) Mathlib. */
function makeProject(name: string, toolchain: string | undefined): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  if (toolchain) fs.writeFileSync(path.join(dir, 'lean-toolchain'), `${toolchain}\n`);
  const manifest = { version: '1.1.0', name, packages: [{ name: 'mathlib', type: 'git', url: 'https://github.com/leanprover-community/mathlib4', rev: MATHLIB_REV, inputRev: 'v4.27.0' }] };
  fs.writeFileSync(path.join(dir, 'lake-manifest.json'), JSON.stringify(manifest));
  return dir;
}
const project = makeProject('project', TOOLCHAIN);

/** One call the shim logged. */
const ShimCall = z.object({ verb: z.enum(['version', 'env', 'build']), cwd: z.string(), toolchain: z.string(), elan: z.string(), args: z.string() });
type ShimCall = z.infer<typeof ShimCall>;
function shimCalls(): ShimCall[] {
  if (!fs.existsSync(shimLog)) return [];
  return fs.readFileSync(shimLog, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [verb, cwd, toolchain, elan, args] = l.split('\t');
    return ShimCall.parse({ verb, cwd, toolchain, elan, args });
  });
}

/** `/health` as far as this test reads it. */
const Health = z.object({
  status: z.literal('ok'),
  backend: z.literal('native'),
  lean: z.string(),
  sandbox: z.object({ kind: z.enum(['bubblewrap', 'none', 'node-permission']), detail: z.string() }),
  toolchain: z.object({
    repl: z.string(),
    project: z.string(),
    source: z.enum(['lean-toolchain', 'lean --version']),
    support: z.enum(['known', 'untested']),
    mathlib: z.object({ rev: z.string(), inputRev: z.string().optional() }).nullable(),
    projectDir: z.string(),
  }),
  judge: z.object({ ready: z.boolean(), pid: z.number().nullable() }).loose(),
  workers: z.object({ ready: z.number() }).loose(),
}).loose();

// The shim runs the checkout's Node and embedded Lean: kept visible in the sandbox when the checkout is under /tmp.
const overrides: ConfigInput = { backend: 'native', lakePath: SHIM, projectDir: project, cacheDir, workers: 1, spareWorkers: 0, sandboxReadPaths: PROJECT_ROOT };
const savedEnv = { ...process.env };
let first: WorkerSpawn;
let server: TestServer;
/** Whether bubblewrap works here (known before the tests are collected: one test needs it). */
const bwrap = !!(await probeBubblewrap()).bwrap;

beforeAll(async () => {
  // The shim runs the embedded Lean that set-up provisioned (cached: returns at once).
  const w = await ensureWasmLean({ cacheDir: DEFAULT_CACHE_DIR });
  Object.assign(process.env, { LAKE_SHIM_LOG: shimLog, LAKE_SHIM_WASM_DIR: path.dirname(w.leanJs) });
  // First start: detects the toolchain and builds the REPL with it.
  first = await resolveBackend(loadConfig([], {}, overrides));
  // Second start (the server's): must reuse that build.
  server = await startTestServer({ config: overrides });
});
afterAll(async () => {
  await server?.app.close();
  process.env = savedEnv;
  fs.rmSync(root, { recursive: true, force: true });
});

describe('native backend through the lake shim', () => {
  test('the project toolchain is detected and the REPL built with it, in a directory of its own', () => {
    const n = first.native!;
    expect(n).toMatchObject({ toolchain: TOOLCHAIN, toolchainSource: 'lean-toolchain', support: 'untested', projectDir: project });
    expect(n.buildDir).toBe(path.join(cacheDir, 'native', 'leanprover-lean4-v4.27.0'));
    expect(fs.readFileSync(path.join(n.buildDir, 'lean-toolchain'), 'utf8').trim()).toBe(TOOLCHAIN);
    const builds = shimCalls().filter((c) => c.verb === 'build');
    expect(builds).toEqual([{ verb: 'build', cwd: n.buildDir, toolchain: TOOLCHAIN, elan: TOOLCHAIN, args: 'leanenv-repl' }]);
    // Lake was asked which Lean it runs for that toolchain before the build.
    expect(shimCalls().some((c) => c.verb === 'version' && c.elan === TOOLCHAIN)).toBe(true);
  });

  test('a second start reuses the cached binary: no second build', async () => {
    const spec = server.pool.any()!.spawnSpec;
    expect(spec.native).toEqual(first.native);
    const again = await ensureNativeRepl({ lake: SHIM, projectDir: project, cacheDir });
    expect(again.built).toBe(false);
    expect(shimCalls().filter((c) => c.verb === 'build')).toHaveLength(1);
  });

  test('workers and the judge run `lake env <repl>` in the project directory', async () => {
    const worker = server.pool.any()!;
    expect(worker.spawnSpec).toMatchObject({ backend: 'native', command: SHIM, args: ['env', first.native!.replBinary], cwd: project });
    // The process started: bwrap running `lake env <repl>`, or (no sandbox) what the shim's
    // `exec` chain became, the embedded Lean running the IR the shim's build compiled.
    const cmdline = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const started = bwrap ? [SHIM, 'env', first.native!.replBinary] : [path.join(first.native!.buildDir, '.lake/build/shim/LeanEnvRepl.ir')];
    const w = cmdline(worker.pid!);
    expect(w).toEqual(expect.arrayContaining(started));
    expect(w).not.toContain('--judge');
    const judgePid = server.judge.stats().pid;
    expect(judgePid).toBeGreaterThan(0);
    expect(cmdline(judgePid!)).toEqual(expect.arrayContaining([...started, '--judge']));
    // Lean itself runs in the project directory.
    const env = (await worker.importHeader('')).env;
    const r = await worker.runCommand(env, '#eval IO.currentDir');
    expect(r.messages.map((m) => m.data).join('\n')).toContain(project);
  });

  test('/health and initialize report the toolchain and the project\'s Mathlib', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    const h = Health.parse(res.json());
    expect(h.toolchain).toMatchObject({ project: TOOLCHAIN, source: 'lean-toolchain', support: 'untested', projectDir: project, mathlib: { rev: MATHLIB_REV, inputRev: 'v4.27.0' } });
    const info = server.pool.any()!.info!;
    // The REPL's own `initialize`: the toolchain it was compiled with. Behind the shim that is
    // the embedded Lean (4.28) whatever the project asked for; with elan it is the project's.
    expect(info.toolchain).toBe('leanprover/lean4:v4.28.0');
    expect(h.toolchain.repl).toBe(info.toolchain);
    expect(h.lean).toBe(info.version);
    expect(h.judge.ready).toBe(true);
    expect(h.sandbox.kind).toBe(bwrap ? 'bubblewrap' : 'none');
  });

  test('a proof is checked end to end: the native worker elaborates, the native judge decides', async () => {
    const ok = await checkOne(server, { id: 'ok', header: '', body: 'theorem shim_ok (n : Nat) (h : n = 3) : n * 2 = 6 := by subst h; decide' });
    expect(ok.verdict, JSON.stringify(ok)).toBe('proved');
    const bad = await checkOne(server, { id: 'bad', header: '', body: 'theorem shim_bad : 2 + 2 = 5 := by decide' });
    expect(bad.verdict).toBe('failed');
    expect(server.judge.stats()).toMatchObject({ ready: true });
  });

  test.skipIf(!bwrap)('under bubblewrap Lean cannot write into the project', async () => {
    const worker = server.pool.any()!;
    const env = (await worker.importHeader('')).env;
    const file = path.join(project, 'written-by-lean');
    const r = await worker.runCommand(env, `#eval IO.FS.writeFile ${JSON.stringify(file)} "x"`);
    expect(r.hasErrors).toBe(true);
    expect(r.messages.map((m) => m.data).join('\n')).toMatch(/read-only|permission denied/i);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a toolchain older than the supported range is refused before any build', async () => {
    const old = makeProject('old', 'leanprover/lean4:v4.3.0');
    const e = await ensureNativeRepl({ lake: SHIM, projectDir: old, cacheDir }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(NativeBuildError);
    const err = e as NativeBuildError;
    expect(err.toolchain).toBe('leanprover/lean4:v4.3.0');
    expect(err.message).toMatch(/older than the REPL supports/);
    expect(err.message).toContain('known to build: leanprover/lean4:v4.28.0');
    expect(shimCalls().filter((c) => c.toolchain === 'leanprover/lean4:v4.3.0' || c.cwd === old)).toEqual([]);
  });

  test('a lake that runs another Lean than the project asks for is refused, naming both', async () => {
    process.env.LAKE_SHIM_FIXED_LEAN = '4.28.0';
    try {
      const e = await ensureNativeRepl({ lake: SHIM, projectDir: project, cacheDir: path.join(root, 'cache-fixed') }).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(NativeBuildError);
      expect((e as Error).message).toMatch(/runs Lean 4\.28\.0 there.*leanprover\/lean4:v4\.27\.0/);
    } finally {
      delete process.env.LAKE_SHIM_FIXED_LEAN;
    }
    expect(shimCalls().filter((c) => c.verb === 'build')).toHaveLength(1);
  });

  test('without lean-toolchain the toolchain is the lean that `lake env` resolves in the project', async () => {
    const bare = makeProject('bare', undefined);
    process.env.LAKE_SHIM_DEFAULT = 'leanprover/lean4:v4.26.0';
    try {
      expect(await detectToolchain(SHIM, bare)).toEqual({ name: 'leanprover/lean4:v4.26.0', source: 'lean --version' });
    } finally {
      delete process.env.LAKE_SHIM_DEFAULT;
    }
    expect(shimCalls().filter((c) => c.cwd === bare)).toEqual([expect.objectContaining({ verb: 'env', args: 'lean --version' })]);
  });

  test('a failed build ends `npm start` before any worker: it names the toolchain and Lean\'s first errors', async () => {
    const failing = makeProject('failing', 'leanprover/lean4:v4.29.0');
    const r = await execa(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['server/main.ts', '--backend', 'native', '--lake-path', SHIM, '--project-dir', failing, '--cache-dir', cacheDir, '--port', '0', '--workers', '1', '--log-level', 'warn'], {
      cwd: PROJECT_ROOT,
      env: { LAKE_SHIM_FAIL: 'leanprover/lean4:v4.29.0' },
      reject: false,
      all: true,
      timeout: 120_000,
    });
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stderr).toContain('the REPL does not build with toolchain leanprover/lean4:v4.29.0');
    expect(r.stderr).toContain("unknown constant 'Lean.Environment.addDeclCore'");
    expect(r.stderr).toContain('no worker was started');
    expect(r.stderr).toContain('known to build: leanprover/lean4:v4.28.0');
    const calls = shimCalls().filter((c) => c.toolchain === 'leanprover/lean4:v4.29.0' || c.cwd === failing);
    expect(calls.map((c) => c.verb)).toContain('build');
    // No `lake env` (no worker, no judge) was ever started for that project.
    expect(calls.filter((c) => c.verb === 'env')).toEqual([]);
    expect(r.all).not.toMatch(/Lean worker ready/);
  });
});
