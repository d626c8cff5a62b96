/**
 * A worker's cold start broken into its parts, for `npm run bench`. The worker is launched as
 * the pool launches it (same sandbox), plus a preload (`--require`) that timestamps on stderr
 * the moment Node runs user code and the wasm compilation/instantiation in each thread; the
 * embedded Lean's own `[DEBUG:…]` lines on stdout mark its frontend's steps (reading the `--run`
 * file, importing, elaborating), the loader's lines on stderr its own (`lean-boot.ts`), and the
 * answer to `initialize` ends the start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { prepareLaunch } from '../../server/lean/sandbox.js';
import type { WorkerSpawn } from '../../server/lean/worker.js';

/** The parts of one cold start, in ms (NaN when a marker was not seen). */
export interface ColdStartBreakdown {
  totalMs: number;
  /** Spawn to the first user code in the main thread: Node's own start. */
  nodeStartMs: number;
  /** Loading (parsing, running) the glue (0.7 MB after the memory cuts of glue-slim.ts) until it asks V8 for the wasm module. */
  glueLoadMs: number;
  /** `WebAssembly.instantiate` of lean.wasm in the main thread (compile + instantiate). */
  wasmCompileMs: number;
  /** From there to Lean's `main` reading the REPL file: runtime set-up, the pthreads' instances. */
  runtimeInitMs: number;
  /** Lean frontend: processing the `--run` file's `import` lines (importing the library). */
  importMs: number;
  /** Elaborating (and compiling) the `--run` file: the bundled REPL's source, or the small loader. */
  elaborateReplMs: number;
  /** The loader's work (precompiled REPL only, else NaN): importing the REPL's imports, adding its IR. */
  loadReplMs: number;
  /** From there to the answer to `initialize` (the REPL's start, the first request). */
  firstRequestMs: number;
  /** Each marker seen, ms after spawn. */
  markers: Record<string, number>;
}

const PROBE = `const fs=require('node:fs');const {isMainThread,threadId}=require('node:worker_threads');
const log=(m)=>{try{fs.writeSync(2,'leanenv-probe '+Date.now()+' '+(isMainThread?'main':'t'+threadId)+' '+m+'\\n')}catch{}};
log('preload');
const inst=WebAssembly.instantiate;
WebAssembly.instantiate=async function(src,imports){const big=!(src instanceof WebAssembly.Module)&&src&&src.byteLength>1e6;if(big)log('instantiate-start');const r=await inst.call(WebAssembly,src,imports);if(big)log('instantiate-end');return r};
const I=WebAssembly.Instance;
WebAssembly.Instance=new Proxy(I,{construct(t,a){const s=Date.now();const r=Reflect.construct(t,a);if(Date.now()-s>200)log('instance '+(Date.now()-s));return r}});
`;

/** Lean frontend markers on stdout, by the name we give them. */
const LEAN_MARKERS: [string, string][] = [
  ['read-file', '[DEBUG:I] Reading file contents'],
  ['frontend', '[DEBUG:L] runFrontend entered'],
  ['import-start', '[DEBUG:IMPORT]'],
  ['import-end', '[DEBUG:FINALIZE]'],
  ['elaborated', 'runFrontend completed'],
  ['boot-imported', 'leanenv-boot: imported'],
  ['boot-loaded', 'leanenv-boot: loaded'],
];

/** Start one worker as the pool would, with the probe, answer `initialize`, stop it; the parts of its start. */
export async function coldStartBreakdown(spec: WorkerSpawn, probeDir: string): Promise<ColdStartBreakdown> {
  const probe = path.join(probeDir, 'leanenv-bench-probe.cjs');
  fs.writeFileSync(probe, PROBE);
  const withProbe: WorkerSpawn = {
    ...spec,
    args: ['--require', probe, ...spec.args],
    confine: spec.confine?.kind === 'node-permission' ? { ...spec.confine, readPaths: [...spec.confine.readPaths, probe] } : spec.confine,
  };
  const launch = prepareLaunch(withProbe);
  const markers: Record<string, number> = {};
  const mark = (name: string, t = Date.now()) => void (markers[name] ??= t - t0);
  const t0 = Date.now();
  const proc = execa(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, extendEnv: true, stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false, detached: true });
  let out = '';
  // The build prints its [DEBUG:…] lines on stdout or stderr: look at both.
  const leanMarkers = (text: string, now: number) => {
    for (const [name, marker] of LEAN_MARKERS) if (text.includes(marker)) mark(name, now);
  };
  const answered = new Promise<void>((resolve) => {
    proc.stdout!.on('data', (d: Buffer) => {
      const now = Date.now();
      out = (out + d.toString('utf8')).slice(-100_000);
      leanMarkers(out, now);
      if (/Content-Length: \d+\r\n\r\n\{[^}]*"id":1/.test(out) || /"id":1,"result"/.test(out)) {
        mark('initialized', now);
        resolve();
      }
    });
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString('utf8');
    leanMarkers(err, Date.now());
    for (const m of err.matchAll(/leanenv-probe (\d+) (\S+) (\S+)/g)) mark(`${m[2]}:${m[3]}`, Number(m[1]));
    err = err.slice(err.lastIndexOf('\n') + 1);
  });
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
  proc.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  await Promise.race([answered, proc.then(() => undefined), new Promise((r) => setTimeout(r, 300_000).unref())]);
  try {
    process.kill(-proc.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
  await proc;
  launch.cleanup();
  fs.rmSync(probe, { force: true });
  const at = (k: string) => markers[k] ?? NaN;
  return {
    totalMs: at('initialized'),
    nodeStartMs: at('main:preload'),
    glueLoadMs: at('main:instantiate-start') - at('main:preload'),
    wasmCompileMs: at('main:instantiate-end') - at('main:instantiate-start'),
    runtimeInitMs: at('read-file') - at('main:instantiate-end'),
    importMs: at('import-end') - at('read-file'),
    elaborateReplMs: at('elaborated') - at('import-end'),
    loadReplMs: at('boot-loaded') - at('elaborated'),
    firstRequestMs: at('initialized') - (markers['boot-loaded'] ?? at('elaborated')),
    markers,
  };
}
