/**
 * How a Lean worker process is started and contained: plain data shared by the worker
 * (`worker.ts`), the sandbox (`sandbox.ts`) and the backend choice (`backend.ts`), kept
 * apart so that none of them imports another just for these types.
 */

import type { NativeInfo } from '../provision/native-build.js';

/** How workers are contained, as reported in logs and /health. */
export interface SandboxInfo {
  kind: 'node-permission' | 'bubblewrap' | 'none';
  /** One human-readable line: what is allowed, or why there is no sandbox. */
  detail: string;
}

/** What `prepareLaunch` (sandbox.ts) applies at each worker start. */
export type Confinement =
  | {
      kind: 'node-permission';
      /** Paths the worker's Node may read (directories include everything below them). */
      readPaths: string[];
      /** Host directories the glue mounts for Lean, besides the scratch directory. */
      mounts: string[];
      /** Node compile cache made at set-up; each start gets a private, writable copy of it. */
      compileCache?: string;
    }
  | {
      kind: 'bubblewrap';
      /** The `bwrap` binary. */
      bwrap: string;
      /** Host paths to keep visible (read-only) even under the private /tmp, besides the working directory and the program's: the REPL's build directory. */
      keep?: string[];
    };

/** How to start a REPL process. */
export interface WorkerSpawn {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Backend name for logs and /health. */
  backend: 'wasm' | 'native';
  /** How workers are contained (for logs and /health); kind `none` means not at all. */
  sandbox: SandboxInfo;
  /** What each start applies to contain the process (see `prepareLaunch`); absent: run as is. */
  confine?: Confinement;
  /**
   * `wasm-device`: the REPL serves the embedded glue's private channel (its args name the
   * devices; the worker sends a fresh key first on fd 0, verifies every reply on fd 1 and reads
   * Lean's own output on fd 3). Absent: requests on stdin, replies among stdout's framed messages.
   */
  channel?: 'wasm-device';
  /** Requests the REPL answers at once (`--slots`; absent: one). */
  slots?: number;
  /** Native backend: the toolchain the REPL was built with, the project's Mathlib, where the REPL lives (for /health). */
  native?: NativeInfo;
  /** Embedded backend: the set-up's wasm directory (glue, library, REPL). */
  wasm?: { dir: string; compileCache?: string };
}

