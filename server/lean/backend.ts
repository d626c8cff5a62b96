/**
 * Choose and provision the Lean backend (native `lake` when present or configured,
 * else the embedded wasm Lean) and describe how to spawn a REPL worker on it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import { ensureWasmLean, type WasmLean } from '../provision/wasm.js';
import { findLake } from '../provision/native.js';
import { ensureNativeRepl } from '../provision/native-build.js';
import { ensureGlueCompileCache } from '../provision/compile-cache.js';
import { PROJECT_ROOT } from '../provision/paths.js';
import { CHANNEL_ENV, RPC_IN_DEVICE, RPC_OUT_DEVICE } from '../provision/glue-channel.js';
import type { WorkerOptions, WorkerSpawn } from './worker.js';
import { probeBubblewrap, withRealPaths, type SandboxInfo } from './sandbox.js';
import type { Logger } from 'pino';

/** V8 stack for the embedded Lean's main thread, in KB (below the usual 8 MB OS stack limit). */
export const WASM_STACK_KB = 6000;

/**
 * Lean's thread stack size for the embedded Lean, in KB (`lean --tstack`; Lean's default is 8 MB).
 * Requests elaborate on a dedicated Lean thread, whose wasm stack (in linear memory, allocated
 * from the wasm heap when the thread starts) is this size; Lean's own stack guard (`check_stack`,
 * "deep recursion detected") measures it. Deep elaboration spills frames there, and an overflow is
 * not caught (it runs into the heap below it and ends the worker): with 8 MB,
 * `set_option maxRecDepth 16384 in repeat (first | skip)` ended the worker, with 64 MB (and the
 * V8 stack below) it reached 65536 and then the heartbeat limit (`test/bench/stack-depth.ts`). Untouched pages cost no memory.
 */
export const WASM_THREAD_TSTACK_KB = 65536;

/**
 * V8 stack of the embedded Lean's pthreads (Node workers), in MB. The wasm code's own frames live
 * there, and take several times more bytes per recursion level than the wasm stack (64 MB of V8
 * stack overflowed at a depth that 64 MB of wasm stack held): it must outlast the wasm stack above,
 * so that the wasm stack's limits (Lean's guard, `maxRecDepth`, heartbeats) come first. With Node's default of 4 MB, `repeat (first | skip)` overflowed it (a RangeError that ends
 * the process) before `maxRecDepth` (512). Reserved address space, not committed: memory is used
 * only as deep as a request recurses (and stays resident after it).
 */
export const WASM_THREAD_STACK_MB = 1024;

/**
 * Provision the configured backend; returns how to start a worker on it, sandboxed unless
 * `config.sandbox` is `off` (`log` gets a warning when workers will run without a sandbox).
 */
export async function resolveBackend(config: Config, log: (l: string) => void = () => {}): Promise<WorkerSpawn> {
  const spec = await unconfinedSpawn(config, log);
  const confined = await confine(spec, config);
  if (confined.sandbox.kind === 'none') {
    const msg = `WARNING: Lean workers run WITHOUT a sandbox: ${confined.sandbox.detail}`;
    if (config.sandbox === 'require') throw new Error(`sandbox "require": ${msg}`);
    log(msg);
  }
  return confined;
}

async function unconfinedSpawn(config: Config, log: (l: string) => void): Promise<WorkerSpawn> {
  const lake = config.backend === 'wasm' ? undefined : await findLake(config.lakePath);
  if (config.backend === 'native' && !lake) {
    throw new Error('backend "native" needs `lake` on PATH or --lake-path; none was found');
  }
  if (lake) {
    // The REPL is built with the project's own toolchain (cached per toolchain); a toolchain it
    // refuses or does not build with throws here, before any worker or judge exists.
    const native = await ensureNativeRepl({ lake, projectDir: config.projectDir ?? PROJECT_ROOT, cacheDir: config.cacheDir, log });
    const { lake: _lake, built: _built, ...info } = native;
    // TODO(issue 23, part 4): the native REPL still serves stdin/stdout, where code under check
    // can write forged replies and read requests. Done: the REPL takes `--rpc-in`/`--rpc-out`
    // paths, and HMAC-SHA256 in Lean (LeanEnv/Hmac.lean, checked against Node's crypto on the
    // embedded build through `--hmac-test`, test/lean/hmac.test.ts). Left: (1) FIFOs the worker
    // makes in a private directory and opens O_RDWR|O_NONBLOCK (wrapped in net.Socket: no open
    // blocks a libuv thread, no EOF before the REPL opens its ends), unlinked once `initialize`
    // is answered; (2) a REPL flag that reads the key as the first frame and writes each reply
    // with the glue's headers (`Leanenv-Seq`, `Leanenv-Out: 0`, `Leanenv-Threads: 0`,
    // `Leanenv-Mac`), so that the same ReplyVerifier checks both backends; stdout is then
    // scanned as program output. Not structural yet: Lean cannot close an inherited fd (code
    // under check can reopen /proc/self/fd/N) without a C function in the REPL, and the lake
    // shim's REPL is the embedded Lean, whose files are the glue's. See docs/native-backend.md.
    return {
      backend: 'native',
      command: lake,
      args: ['env', native.replBinary],
      cwd: native.projectDir,
      env: {},
      sandbox: OFF,
      native: info,
    };
  }
  const w = await ensureWasmLean({ cacheDir: config.cacheDir, log });
  const compileCache = path.join(w.workDir, 'node-compile-cache');
  fs.mkdirSync(compileCache, { recursive: true });
  // --expose-gc: the glue collects each thread's start-up garbage once (glue-slim.ts).
  const v8Args = [`--stack-size=${WASM_STACK_KB}`, '--expose-gc'];
  // Read-only for sandboxed workers: each start copies it into its scratch directory.
  const glueCache = await ensureGlueCompileCache({ node: w.node, leanJs: w.leanJs, v8Args, dir: path.join(path.dirname(w.leanJs), 'compile-cache'), log });
  return {
    backend: 'wasm',
    command: w.node,
    // Lean's recursion runs on V8's stack (through the glue's invoke_* trampolines); the default
    // ~1 MB overflows on some elaborations ("Maximum call stack size exceeded"). 8 MB OS stack.
    args: [...v8Args, w.leanJs, `--tstack=${WASM_THREAD_TSTACK_KB}`, ...heapLimitArgs(config), '--run', ...replRun(w, config), '--search-path-from-env', '--rpc-in', RPC_IN_DEVICE, '--rpc-out', RPC_OUT_DEVICE],
    channel: 'wasm-device',
    cwd: w.workDir,
    env: {
      LEAN_PATH: w.libDir,
      LEANENV_WASM_THREADS: String(config.wasmThreads),
      LEANENV_WASM_THREAD_STACK_MB: String(WASM_THREAD_STACK_MB),
      LEANENV_WASM_HEAP_RECYCLE_MB: String(config.wasmHeapRecycleMb),
      LEANENV_WASM_HEAP_LIMIT_MB: String(config.wasmHeapLimitMb),
      NODE_COMPILE_CACHE: compileCache,
      [CHANNEL_ENV]: '1',
    },
    sandbox: OFF,
    wasm: { dir: path.dirname(w.leanJs), compileCache: glueCache },
  };
}

/**
 * `lean -M`: Lean's memory check (the kernel's and the IR interpreter's, every 200 system checks)
 * throws Lean's memory error once the live wasm heap passes the limit (the patched glue serves
 * it as the resident size); the kernel then fails with *(kernel) excessive memory consumption
 * detected* instead of the worker dying when the 2 GB heap runs out.
 */
function heapLimitArgs(config: Config): string[] {
  return config.wasmHeapLimitMb ? ['-M', String(config.wasmHeapLimitMb)] : [];
}

/** `lean --run` arguments that start the REPL: its precompiled IR through the loader, or its source. */
function replRun(w: WasmLean, config: Config): string[] {
  if (config.wasmRepl === 'precompiled' && w.precompiled) return [w.precompiled.bootFile, w.precompiled.irFile];
  return [w.replFile];
}

const OFF: SandboxInfo = { kind: 'none', detail: 'turned off by configuration (sandbox: off)' };

/** Add the sandbox the configuration asks for and this machine offers. */
async function confine(spec: WorkerSpawn, config: Config): Promise<WorkerSpawn> {
  if (config.sandbox === 'off') return spec;
  if (spec.backend === 'wasm' && spec.wasm) {
    // Everything the embedded Lean reads lives in the set-up's wasm directory (glue, lean.wasm
    // link, library, REPL); lean.wasm's link target is in node_modules. Node skips its compile
    // cache without write access to it, which the shared one never gets (a worker could poison
    // it): each start gets a private copy of the one set-up made.
    const readPaths = withRealPaths([spec.wasm.dir, path.join(spec.wasm.dir, 'lean.wasm')]);
    return {
      ...spec,
      sandbox: {
        kind: 'node-permission',
        detail: `node --permission: read ${spec.wasm.dir} and a per-worker scratch directory, write only the scratch directory, no child processes, no sockets`,
      },
      confine: { kind: 'node-permission', readPaths, mounts: [spec.wasm.dir], compileCache: spec.wasm.compileCache },
    };
  }
  const probe = await probeBubblewrap();
  if (!probe.bwrap) return { ...spec, sandbox: { kind: 'none', detail: probe.reason ?? 'no bwrap' } };
  return {
    ...spec,
    sandbox: {
      kind: 'bubblewrap',
      detail: `${probe.bwrap}: host file system read-only, private /tmp, writable per-worker scratch directory, no network`,
    },
    confine: { kind: 'bubblewrap', bwrap: probe.bwrap, keep: [...(spec.native ? [spec.native.buildDir] : []), ...(config.sandboxReadPaths?.split(':').filter(Boolean) ?? [])] },
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
