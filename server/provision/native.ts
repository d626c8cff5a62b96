/**
 * Native Lean: find `lake`/`lean`, build the REPL executable from the root
 * `lakefile.lean`, and describe how to run it inside a user's Lake project
 * (`lake env`, so that `import Mathlib` resolves there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { PROJECT_ROOT } from './paths.js';

/** A native toolchain and the built REPL. */
export interface NativeLean {
  lake: string;
  replBinary: string;
}

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

/** Build the REPL with `lake build` in this repository; returns the binary. */
export async function ensureNativeLean(lake: string, log: (l: string) => void = () => {}): Promise<NativeLean> {
  log('building the REPL with lake');
  const r = await execa(lake, ['build', 'leanenv-repl'], { cwd: PROJECT_ROOT, reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`lake build failed:\n${r.all}`);
  const replBinary = path.join(PROJECT_ROOT, '.lake', 'build', 'bin', 'leanenv-repl');
  if (!fs.existsSync(replBinary)) throw new Error(`lake build did not produce ${replBinary}`);
  return { lake, replBinary };
}
