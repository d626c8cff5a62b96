/**
 * Build the REPL with a user project's own toolchain, cached per toolchain.
 *
 * The project's toolchain (`native.ts`) decides everything: a toolchain outside the supported
 * range (`toolchains.ts`) is refused at once; otherwise the REPL's sources (our root
 * `lakefile.lean`, `lean-project/`, with `lean-project/compat/v<version>.lean` in place of
 * `LeanEnv/Compat.lean` when there is one) are written to `<cacheDir>/native/<toolchain>/` with a
 * `lean-toolchain` naming the project's toolchain, and `lake build leanenv-repl` runs there with
 * `ELAN_TOOLCHAIN` set to it (elan's `lake` then runs that toolchain's Lake and Lean). A stamp of
 * the toolchain and the sources lets the next start reuse the binary without asking Lake. A
 * failed build throws a {@link NativeBuildError} naming the toolchain and Lean's first errors:
 * the caller starts no worker.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { LEAN_SOURCES, PROJECT_ROOT } from './paths.js';
import { detectToolchain, lakeLeanVersion, mathlibVersion, type DetectedToolchain, type MathlibInfo } from './native.js';
import { compatFileFor, supportedRange, toolchainSupport, toolchainVersion } from './toolchains.js';

/** What `/health` and the logs say about the native REPL: the toolchain it was built with and the project's Mathlib. */
export interface NativeInfo {
  /** elan name of the toolchain the REPL was built with (the project's). */
  toolchain: string;
  /** Where the toolchain was read: the project's `lean-toolchain`, or `lean --version` through `lake env`. */
  toolchainSource: DetectedToolchain['source'];
  /** `known`: among the toolchains the REPL is known to build with; `untested`: built, but not proven by our tests. */
  support: 'known' | 'untested';
  /** The Mathlib revision the project's manifest pins, or null. */
  mathlib: MathlibInfo | null;
  /** The Lake project the workers run in (`lake env`). */
  projectDir: string;
  /** Directory the REPL was built in (one per toolchain). */
  buildDir: string;
  /** The REPL executable. */
  replBinary: string;
}

/** A native REPL ready to run, and whether this call built it (false: the cached binary). */
export interface NativeRepl extends NativeInfo {
  lake: string;
  built: boolean;
}

/** The REPL does not build with (or refuses) the project's toolchain. */
export class NativeBuildError extends Error {
  constructor(
    message: string,
    /** The toolchain that failed. */
    readonly toolchain: string,
    /** Lean's first error lines (empty when the toolchain was refused without a build). */
    readonly errors: string[],
  ) {
    super(message);
    this.name = 'NativeBuildError';
  }
}

/** Options for {@link ensureNativeRepl}. */
export interface NativeBuildOptions {
  lake: string;
  /** The user's Lake project (its toolchain decides the build; workers run `lake env` there). */
  projectDir: string;
  /** Set-up cache; builds go to `<cacheDir>/native/<toolchain>/`. */
  cacheDir: string;
  /** The REPL's Lean sources (default: this repository's `lean-project/`). */
  sources?: string;
  /** Longest a build may take (default 30 min). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** Lean's first error lines shown in a build failure. */
export const MAX_ERROR_LINES = 8;

/** The directory name of a toolchain's build (`leanprover/lean4:v4.28.0` → `leanprover-lean4-v4.28.0`). */
export function toolchainSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'toolchain';
}

/** The files of a toolchain's build directory, by relative path (the Compat override applied). */
export function buildSources(toolchain: string, sources = LEAN_SOURCES): Map<string, string> {
  const files = new Map<string, string>();
  files.set('lakefile.lean', fs.readFileSync(path.join(PROJECT_ROOT, 'lakefile.lean'), 'utf8'));
  files.set('lean-toolchain', `${toolchain}\n`);
  files.set('lean-project/Main.lean', fs.readFileSync(path.join(sources, 'Main.lean'), 'utf8'));
  const modDir = path.join(sources, 'LeanEnv');
  for (const f of fs.readdirSync(modDir).filter((f) => f.endsWith('.lean')).sort()) {
    files.set(`lean-project/LeanEnv/${f}`, fs.readFileSync(path.join(modDir, f), 'utf8'));
  }
  const compat = compatFileFor(toolchain);
  if (compat && fs.existsSync(path.join(sources, compat))) {
    files.set('lean-project/LeanEnv/Compat.lean', fs.readFileSync(path.join(sources, compat), 'utf8'));
  }
  return files;
}

function stampOf(files: Map<string, string>): string {
  const h = createHash('sha256');
  for (const [name, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) h.update(`${name}\0${text}\0`);
  return h.digest('hex').slice(0, 16);
}

/** Lean's first error lines in a build log (else its last lines). */
export function firstErrors(log: string): string[] {
  const lines = log.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  const errors = lines.filter((l) => /\berror\b/i.test(l) && !/^error: build failed$/i.test(l.trim()));
  return (errors.length ? errors : lines.slice(-MAX_ERROR_LINES)).slice(0, MAX_ERROR_LINES);
}

/**
 * Build (or reuse) the REPL for the toolchain of `o.projectDir`. Throws a {@link NativeBuildError}
 * when the toolchain is refused, when `lake` does not run it, or when the build fails.
 */
export async function ensureNativeRepl(o: NativeBuildOptions): Promise<NativeRepl> {
  const log = o.log ?? (() => {});
  const projectDir = path.resolve(o.projectDir);
  const detected = await detectToolchain(o.lake, projectDir);
  const toolchain = detected.name;
  const support = toolchainSupport(toolchain);
  if (support.status === 'refused') throw new NativeBuildError(`cannot serve ${projectDir}: ${support.detail}`, toolchain, []);
  const buildDir = path.resolve(o.cacheDir, 'native', toolchainSlug(toolchain));
  const replBinary = path.join(buildDir, '.lake', 'build', 'bin', 'leanenv-repl');
  const info = { toolchain, toolchainSource: detected.source, support: support.status, mathlib: mathlibVersion(projectDir), projectDir, buildDir, replBinary };
  const files = buildSources(toolchain, o.sources);
  const stamp = stampOf(files);
  const stampFile = path.join(buildDir, 'leanenv-stamp');
  if (fs.existsSync(replBinary) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) {
    log(`REPL for ${toolchain} (from ${detected.source}) is built: ${replBinary}`);
    return { ...info, lake: o.lake, built: false };
  }
  if (support.status === 'untested') log(support.detail);
  fs.mkdirSync(buildDir, { recursive: true });
  fs.rmSync(stampFile, { force: true });
  for (const [name, text] of files) {
    const file = path.join(buildDir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) fs.writeFileSync(file, text);
  }
  const env = { ELAN_TOOLCHAIN: toolchain };
  const wanted = toolchainVersion(toolchain)?.text;
  const runs = await lakeLeanVersion(o.lake, buildDir, env);
  if (wanted && runs && runs !== wanted) {
    throw new NativeBuildError(
      `cannot build the REPL with toolchain ${toolchain}: ${o.lake} runs Lean ${runs} there (use elan's lake, or --lake-path naming the lake of ${toolchain})`,
      toolchain,
      [],
    );
  }
  log(`building the REPL with ${toolchain} (from ${detected.source} of ${projectDir}) in ${buildDir}`);
  const t0 = Date.now();
  const r = await execa(o.lake, ['build', 'leanenv-repl'], { cwd: buildDir, env, reject: false, all: true, timeout: o.timeoutMs ?? 30 * 60_000 });
  if (r.exitCode !== 0 || !fs.existsSync(replBinary)) {
    const errors = firstErrors(r.all ?? '');
    const why = r.timedOut ? 'timed out' : r.exitCode !== 0 ? `failed (exit ${r.exitCode})` : `did not produce ${replBinary}`;
    throw new NativeBuildError(
      `the REPL does not build with toolchain ${toolchain} (from ${detected.source} of ${projectDir}): \`lake build leanenv-repl\` in ${buildDir} ${why}; no worker was started (${supportedRange()}). Lean's first errors:\n${errors.join('\n')}`,
      toolchain,
      errors,
    );
  }
  fs.writeFileSync(stampFile, stamp);
  log(`REPL built with ${toolchain} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { ...info, lake: o.lake, built: true };
}
