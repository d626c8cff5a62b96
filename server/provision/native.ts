/**
 * Native Lean: find `lake`, and learn what a user's Lake project runs on: its toolchain (the
 * project's `lean-toolchain`, else the `lean` that `lake env` resolves there), the Lean version a
 * `lake` runs, and the Mathlib revision its manifest pins. The REPL is then built with that
 * toolchain (`native-build.ts`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { normalizeToolchain, toolchainOfVersion } from './toolchains.js';

/** Path of an executable on PATH, or undefined. */
export async function which(cmd: string): Promise<string | undefined> {
  const r = await execa('sh', ['-c', `command -v ${cmd}`], { reject: false });
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

/** Whether a native `lake` is available (configured path or PATH). */
export async function findLake(configured?: string): Promise<string | undefined> {
  if (configured) return fs.existsSync(configured) ? configured : undefined;
  return which('lake');
}

/** A project's toolchain and where it was read. */
export interface DetectedToolchain {
  /** elan's name, e.g. `leanprover/lean4:v4.28.0`. */
  name: string;
  /** `lean-toolchain`: the project's file; `lean --version`: what `lake env lean --version` printed there. */
  source: 'lean-toolchain' | 'lean --version';
}

/** The Lean version in `lean --version` or `lake --version` output (`Lean (version 4.28.0, …)`, `(Lean version 4.28.0)`). */
export function leanVersionIn(text: string): string | undefined {
  return /Lean (?:\(version|version) (\d+\.\d+\.\d+(?:-[\w.]+)?)/.exec(text)?.[1];
}

/**
 * The toolchain of the Lake project in `projectDir`: its `lean-toolchain` file, else the version
 * of the `lean` that `lake env` resolves there. Throws when neither says.
 */
export async function detectToolchain(lake: string, projectDir: string): Promise<DetectedToolchain> {
  const file = path.join(projectDir, 'lean-toolchain');
  if (fs.existsSync(file)) {
    const name = fs.readFileSync(file, 'utf8').trim();
    if (!name) throw new Error(`${file} is empty`);
    return { name: normalizeToolchain(name), source: 'lean-toolchain' };
  }
  const r = await execa(lake, ['env', 'lean', '--version'], { cwd: projectDir, reject: false, all: true, timeout: 120_000 });
  const version = leanVersionIn(r.all ?? '');
  if (r.exitCode !== 0 || !version) {
    throw new Error(`${projectDir} has no lean-toolchain and \`lake env lean --version\` there did not name a Lean version: ${(r.all ?? '').trim().slice(0, 500) || `exit ${r.exitCode}`}`);
  }
  return { name: toolchainOfVersion(version), source: 'lean --version' };
}

/** The Lean version a `lake` runs in `cwd` (`lake --version`), or undefined when it does not say. */
export async function lakeLeanVersion(lake: string, cwd: string, env: Record<string, string> = {}): Promise<string | undefined> {
  const r = await execa(lake, ['--version'], { cwd, env, reject: false, all: true, timeout: 120_000 });
  return r.exitCode === 0 ? leanVersionIn(r.all ?? '') : undefined;
}

const Manifest = z.object({
  name: z.string().optional(),
  packages: z.array(z.object({ name: z.string(), rev: z.string().optional(), inputRev: z.string().nullish(), url: z.string().optional() }).loose()).default([]),
}).loose();

/** The Mathlib a project builds on, from its `lake-manifest.json`. */
export interface MathlibInfo {
  /** The commit the manifest pins; `project` when the project is Mathlib itself. */
  rev: string;
  /** The branch or tag the project asked for (`v4.28.0`, `master`), if the manifest records it. */
  inputRev?: string;
}

/** The Mathlib revision `projectDir`'s manifest pins, or null (no manifest, no Mathlib, or a manifest that does not parse). */
export function mathlibVersion(projectDir: string): MathlibInfo | null {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(projectDir, 'lake-manifest.json'), 'utf8'));
  } catch {
    return null;
  }
  const m = Manifest.safeParse(raw);
  if (!m.success) return null;
  if (m.data.name === 'mathlib') return { rev: 'project' };
  const pkg = m.data.packages.find((p) => p.name === 'mathlib');
  if (!pkg?.rev) return null;
  return { rev: pkg.rev, ...(pkg.inputRev ? { inputRev: pkg.inputRev } : {}) };
}
