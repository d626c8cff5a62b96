/**
 * Containment of Lean worker processes.
 *
 * - Embedded (wasm) backend: the worker's Node runs under Node's permission model
 *   (`--permission`): reads only of the Lean library, the patched glue and our REPL, writes
 *   only into a scratch directory made for each worker start, no child processes; the glue
 *   mounts only those directories into the in-memory file system Lean sees.
 * - Native backend: the REPL command runs under bubblewrap (`bwrap`) when it is installed and
 *   works: everything read-only, a private /tmp, the scratch directory writable, no network.
 *
 * A {@link WorkerSpawn} carries the plan (`confine`); {@link prepareLaunch} turns it into the
 * concrete command of one worker start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { WorkerSpawn } from './spawn.js';

export type { Confinement, SandboxInfo } from './spawn.js';
import { copyCompileCache } from '../provision/compile-cache.js';

/** One concrete worker start: command line, environment and the scratch directory to remove afterwards. */
export interface Launch {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Per-worker writable directory (only with a sandbox). */
  scratchDir?: string;
  /** Remove the scratch directory; safe to call twice. */
  cleanup: () => void;
}

/** Node flags that confine a process: read `readPaths`, write `writePaths`, worker threads, nothing else. */
export function nodePermissionArgs(readPaths: readonly string[], writePaths: readonly string[]): string[] {
  return [
    '--permission',
    // The wasm pthread pool is made of worker threads (which inherit these permissions).
    '--allow-worker',
    // Repeated flags rather than one comma-separated list: a path may contain a comma.
    ...readPaths.map((p) => `--allow-fs-read=${p}`),
    ...writePaths.map((p) => `--allow-fs-write=${p}`),
  ];
}

/** Options for {@link bubblewrapArgs}. */
export interface BubblewrapOptions {
  /** Writable per-worker directory (bound at its own path). */
  scratchDir: string;
  /** Working directory inside the sandbox. */
  cwd: string;
  /** Host paths to keep visible (read-only) even though they lie under the private /tmp: the project, the program. */
  keep?: readonly string[];
  command: string;
  args: readonly string[];
}

/**
 * Arguments for `bwrap`: the host file system read-only, fresh /dev, /proc and a private /tmp,
 * the scratch directory writable, no network (own network namespace), own pid/ipc/uts
 * namespaces, and the sandbox dies with its parent.
 */
export function bubblewrapArgs(o: BubblewrapOptions): string[] {
  return [
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    // After the /tmp tmpfs, so that the project, the program and the scratch directory stay the host's.
    ...underTmp(o.keep ?? []).flatMap((p) => ['--ro-bind', p, p]),
    '--bind', o.scratchDir, o.scratchDir,
    '--setenv', 'TMPDIR', o.scratchDir,
    // The server's bearer token is no business of Lean code.
    '--unsetenv', 'LEANENV_AUTH_TOKEN',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-uts',
    '--die-with-parent',
    '--chdir', o.cwd,
    '--',
    o.command,
    ...o.args,
  ];
}

/** The paths of `paths` that the private /tmp would hide (only those need binding again). */
function underTmp(paths: readonly string[]): string[] {
  return [...new Set(paths.map((p) => path.resolve(p)).filter((p) => p === '/tmp' || p.startsWith('/tmp/')))];
}

/** Look for `bwrap` on PATH and check that it can create its namespaces here; undefined with the reason otherwise. */
export async function probeBubblewrap(): Promise<{ bwrap?: string; reason?: string }> {
  const found = findOnPath('bwrap');
  if (!found) return { reason: 'bwrap (Debian/Ubuntu package bubblewrap) is not installed' };
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-probe-'));
  try {
    const r = await execa(found, bubblewrapArgs({ scratchDir: scratch, cwd: scratch, command: 'true', args: [] }), {
      reject: false,
      timeout: 10_000,
      all: true,
    });
    if (r.exitCode === 0) return { bwrap: found };
    return { reason: `bwrap is installed but cannot sandbox here: ${(r.all ?? '').trim().slice(0, 300) || `exit ${r.exitCode}`}` };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Absolute path of an executable found on PATH, or undefined. */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Every path a file is reached by: itself and, if different, its real path (for symlinks). */
export function withRealPaths(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    out.add(p);
    try {
      out.add(fs.realpathSync(p));
    } catch {
      // Missing paths stay as given.
    }
  }
  return [...out];
}

/** The real path of a program given by path (a bare name found on PATH is left as it is). */
function realCommand(command: string): string {
  try {
    return command.includes('/') ? fs.realpathSync(command) : command;
  } catch {
    return command;
  }
}

/**
 * Turn a spawn description into one worker start. With a confinement, makes a fresh scratch
 * directory (`<tmpdir>/leanenv-worker-XXXXXX`) that becomes the worker's only writable place
 * and its working directory on the embedded backend.
 */
export function prepareLaunch(spec: WorkerSpawn): Launch {
  const plain: Launch = { command: spec.command, args: spec.args, cwd: spec.cwd, env: spec.env, cleanup: () => {} };
  const c = spec.confine;
  if (!c) return plain;
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanenv-worker-'));
  const cleanup = () => fs.rmSync(scratchDir, { recursive: true, force: true });
  if (c.kind === 'node-permission') {
    const cache = c.compileCache && path.join(scratchDir, '.node-compile-cache');
    if (cache) copyCompileCache(c.compileCache!, cache);
    const { NODE_COMPILE_CACHE: _shared, ...env } = spec.env;
    return {
      command: spec.command,
      args: [...nodePermissionArgs([...c.readPaths, scratchDir], [scratchDir]), ...spec.args],
      // Lean's working directory is mounted by the glue: make it the scratch directory.
      cwd: scratchDir,
      env: { ...env, ...(cache ? { NODE_COMPILE_CACHE: cache } : {}), LEANENV_WASM_MOUNTS: c.mounts.join(':'), TMPDIR: scratchDir },
      scratchDir,
      cleanup,
    };
  }
  return {
    command: c.bwrap,
    args: bubblewrapArgs({ scratchDir, cwd: spec.cwd, keep: [spec.cwd, ...(spec.command.includes('/') ? [path.dirname(realCommand(spec.command))] : []), ...(c.keep ?? [])], command: spec.command, args: spec.args }),
    cwd: spec.cwd,
    env: spec.env,
    scratchDir,
    cleanup,
  };
}
