/**
 * The precompiled REPL's loader (`server/provision/lean-boot.ts`). Every other Lean test starts
 * its workers through it (the default); here: the loader imports what the REPL imports, the
 * backend picks it or the REPL's source as configured, a worker started from source still
 * serves, and a loader given a file that is not the REPL's IR fails its start with Lean's error.
 */
import fs from 'node:fs';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../server/config/config.js';
import { resolveBackend, workerOptions } from '../../server/lean/backend.js';
import { LeanWorker } from '../../server/lean/worker.js';
import { bootLeanSource } from '../../server/provision/lean-boot.js';
import { bundleLeanSources, headerImports } from '../../server/provision/lean-bundle.js';
import { LEAN_SOURCES } from '../../server/provision/paths.js';
import { ReplMethods } from '../../server/repl-protocol/repl.js';

describe('loader source', () => {
  test('imports exactly the bundle header, and each import is a library module', () => {
    const bundle = bundleLeanSources(LEAN_SOURCES);
    const imports = headerImports(bundle);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.every((m) => !m.startsWith('LeanEnv.'))).toBe(true);
    const boot = bootLeanSource(imports);
    for (const m of imports) expect(boot).toContain(`{ module := \`${m} }`);
    expect(headerImports('import A.B\n-- import C\nimport  D \ndef x := 1\n')).toEqual(['A.B', 'D']);
  });
});

describe('backend', () => {
  test('runs the loader on the compiled IR by default, the bundled source with --wasm-repl source', async () => {
    const pre = await resolveBackend(loadConfig([]));
    if (pre.backend !== 'wasm') return; // the native backend runs its lake-built binary
    const boot = pre.args.find((a) => a.endsWith('LeanEnvBoot.lean'));
    const ir = pre.args.find((a) => a.endsWith('LeanEnvRepl.ir'));
    expect(boot && fs.existsSync(boot)).toBe(true);
    expect(ir && fs.existsSync(ir)).toBe(true);
    expect(pre.args.indexOf(ir!)).toBe(pre.args.indexOf(boot!) + 1);
    const src = await resolveBackend(loadConfig(['--wasm-repl', 'source']));
    expect(src.args.some((a) => a.endsWith('LeanEnvRepl.lean'))).toBe(true);
    expect(src.args.some((a) => a.endsWith('LeanEnvBoot.lean') || a.endsWith('.ir'))).toBe(false);
  });
});

describe('workers (real Lean)', () => {
  test('from source and from a bad IR file: the first serves, the second fails with Lean\'s error', async () => {
    const config = loadConfig([]);
    const pre = await resolveBackend(config);
    if (pre.backend !== 'wasm') return;
    const opts = workerOptions(config, pino({ level: process.env.LOG_LEVEL ?? 'warn' }));
    const src = await resolveBackend(loadConfig(['--wasm-repl', 'source']));
    const replFile = src.args.find((a) => a.endsWith('LeanEnvRepl.lean'))!;
    // The REPL's source where the loader wants its IR: not a module data file.
    const bad = { ...pre, args: pre.args.map((a) => (a.endsWith('LeanEnvRepl.ir') ? replFile : a)) };
    const [fromSource, broken] = await Promise.allSettled([LeanWorker.start(src, opts), LeanWorker.start(bad, opts)]);
    try {
      expect(fromSource.status).toBe('fulfilled');
      const worker = (fromSource as PromiseFulfilledResult<LeanWorker>).value;
      expect(worker.info!.methods).toEqual(expect.arrayContaining(Object.keys(ReplMethods)));
      const env = (await worker.importHeader('')).env;
      const r = await worker.request('env.command', { env, code: 'theorem t (a b : Nat) : a + b = b + a := by omega' });
      expect(r.hasErrors).toBe(false);
      expect(broken.status).toBe('rejected');
      expect(String((broken as PromiseRejectedResult).reason)).toMatch(/exited \(exit code \d+: uncaught exception: .*LeanEnvRepl\.lean/);
    } finally {
      if (fromSource.status === 'fulfilled') await fromSource.value.dispose();
      if (broken.status === 'fulfilled') await broken.value.dispose();
    }
  }, 300_000);
});
