/**
 * Choose and provision the Lean backend (native `lake` when present or configured,
 * else the embedded wasm Lean) and describe how to spawn a REPL worker on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { ensureWasmLean } from '../provision/wasm.js';
import { ensureNativeLean, findLake } from '../provision/native.js';
import { PROJECT_ROOT } from '../provision/paths.js';
import type { WorkerOptions, WorkerSpawn } from './worker.js';
import type { Logger } from 'pino';

/** V8 stack for the embedded Lean's main thread, in KB (below the usual 8 MB OS stack limit). */
export const WASM_STACK_KB = 6000;

/** Provision the configured backend; returns how to start a worker on it. */
export async function resolveBackend(config: Config, log: (l: string) => void = () => {}): Promise<WorkerSpawn> {
  const lake = config.backend === 'wasm' ? undefined : await findLake(config.lakePath);
  if (config.backend === 'native' && !lake) {
    throw new Error('backend "native" needs `lake` on PATH or --lake-path; none was found');
  }
  if (lake) {
    const native = await ensureNativeLean(lake, log);
    return {
      backend: 'native',
      command: lake,
      args: ['env', native.replBinary],
      cwd: path.resolve(config.projectDir ?? PROJECT_ROOT),
      env: {},
    };
  }
  const w = await ensureWasmLean({ cacheDir: config.cacheDir, log });
  const compileCache = path.join(w.workDir, 'node-compile-cache');
  fs.mkdirSync(compileCache, { recursive: true });
  return {
    backend: 'wasm',
    command: w.node,
    // Lean's recursion runs on V8's stack (through the glue's invoke_* trampolines); the default
    // ~1 MB overflows on some elaborations ("Maximum call stack size exceeded"). 8 MB OS stack.
    args: [`--stack-size=${WASM_STACK_KB}`, w.leanJs, '--run', w.replFile, '--search-path-from-env'],
    cwd: w.workDir,
    env: { LEAN_PATH: w.libDir, LEANENV_WASM_THREADS: String(config.wasmThreads), NODE_COMPILE_CACHE: compileCache },
  };
}

/** Worker limits from the configuration. */
export function workerOptions(config: Config, logger?: Logger): WorkerOptions {
  return {
    requestTimeoutMs: config.requestTimeoutMs,
    startupTimeoutMs: config.startupTimeoutMs,
    maxHeartbeats: config.maxHeartbeats,
    maxHeaderEnvs: config.maxHeaderEnvs,
    logger,
  };
}
