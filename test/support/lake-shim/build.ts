/**
 * The lake shim's `lake build leanenv-repl` (test/support/lake-shim/lake; for
 * test/lean/native-shim.test.ts only): compiles the REPL from the sources in the build
 * directory it is run in (`lean-project/`, as the server wrote them for one toolchain) with the
 * real embedded Lean, the way set-up does (bundle, `lean -o`, the IR loader), and writes
 * `.lake/build/bin/leanenv-repl`, a script that runs that compiled REPL. What differs from a
 * native build: the REPL runs in the embedded Lean's interpreter, takes its search path from
 * `LEAN_PATH` (`--search-path-from-env`; this build has no sysroot), and is reached through
 * `repl-adapter.mjs`, which serves the glue's private channel on plain stdio.
 *
 * Usage: `tsx build.ts <build directory>`; exits 1 with Lean's errors when the sources do not compile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { bundleLeanSources, headerImports } from '../../../server/provision/lean-bundle.js';
import { BOOT_FILE, bootLeanSource } from '../../../server/provision/lean-boot.js';
import { node24Path } from '../../../server/provision/wasm.js';
import { PROJECT_ROOT } from '../../../server/provision/paths.js';
import { WASM_STACK_KB, WASM_THREAD_STACK_MB, WASM_THREAD_TSTACK_KB } from '../../../server/lean/backend.js';

const buildDir = path.resolve(process.argv[2] ?? '.');
const wasm = process.env.LAKE_SHIM_WASM_DIR ?? path.join(PROJECT_ROOT, '.leanenv', 'wasm');
const leanJs = path.join(wasm, 'lean.cjs');
const out = path.join(buildDir, '.lake', 'build', 'shim');
const bin = path.join(buildDir, '.lake', 'build', 'bin', 'leanenv-repl');
/** Serves the embedded REPL (which reads requests only on the glue's private channel) on plain stdio. */
const ADAPTER = path.join(PROJECT_ROOT, 'test/support/lake-shim/repl-adapter.mjs');

fs.mkdirSync(out, { recursive: true });
fs.mkdirSync(path.dirname(bin), { recursive: true });
const bundle = bundleLeanSources(path.join(buildDir, 'lean-project'));
const replFile = path.join(out, 'LeanEnvRepl.lean');
fs.writeFileSync(replFile, bundle);
fs.writeFileSync(path.join(out, BOOT_FILE), bootLeanSource(headerImports(bundle)));
const mounts = `${wasm}:${out}`;
console.log(`✔ [1/2] bundled ${path.relative(buildDir, path.join(buildDir, 'lean-project'))} (shim: embedded Lean)`);
const r = await execa(node24Path(), [`--stack-size=${WASM_STACK_KB}`, leanJs, '-o', path.join(out, 'LeanEnvRepl.olean'), replFile], {
  cwd: out,
  env: { LEAN_PATH: path.join(wasm, 'lib'), LEANENV_WASM_MOUNTS: mounts },
  reject: false,
  all: true,
});
const errors = (r.all ?? '').split('\n').filter((l) => /: error/.test(l));
if (errors.length > 0 || !fs.existsSync(path.join(out, 'LeanEnvRepl.ir'))) {
  console.log('✖ [2/2] Building LeanEnvRepl');
  for (const e of errors.length ? errors : (r.all ?? '').split('\n').slice(-20)) console.log(`error: ${e}`);
  console.log('error: build failed');
  process.exit(1);
}
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
fs.writeFileSync(
  bin,
  `#!/usr/bin/env bash
# Written by the lake shim (test/support/lake-shim/build.ts): the REPL compiled by the embedded
# Lean from ${buildDir}/lean-project, run by its interpreter behind repl-adapter.mjs (plain stdio).
export LEANENV_WASM_MOUNTS=${q(mounts)} LEANENV_WASM_THREADS=3 LEANENV_WASM_THREAD_STACK_MB=${WASM_THREAD_STACK_MB}
exec ${q(node24Path())} ${q(ADAPTER)} ${q(node24Path())} --stack-size=${WASM_STACK_KB} ${q(leanJs)} --tstack=${WASM_THREAD_TSTACK_KB} --run ${q(path.join(out, BOOT_FILE))} ${q(path.join(out, 'LeanEnvRepl.ir'))} --search-path-from-env "$@"
`,
  { mode: 0o755 },
);
console.log(`✔ [2/2] Built leanenv-repl (${bin})`);
