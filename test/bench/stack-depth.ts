/**
 * How deep an elaboration a worker survives, per stack setting, and what it costs.
 *
 * For each setting a worker is started and given `set_option maxRecDepth N in repeat (first |
 * skip)` for growing N (Lean then stops the recursion with "maximum recursion depth has been
 * reached" at depth N): the largest N answered with that error, and the first N that ended the
 * worker instead, are reported with the worker's start time and resident memory. Settings:
 * elaboration on the main thread (what the REPL did before) or on a dedicated Lean thread, with
 * Lean's thread stack size (`lean --tstack`, KB) and the pthread workers' V8 stack (MB).
 *
 *   lean-slot npx tsx test/bench/stack-depth.ts [--quick]
 *
 * Writes `.bench/stack-depth.json`. Each setting starts one worker (about a minute here).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../../server/config/config.js';
import { resolveBackend, workerOptions } from '../../server/lean/backend.js';
import { LeanWorker, type WorkerSpawn } from '../../server/lean/worker.js';
import { PROJECT_ROOT } from '../../server/provision/paths.js';

/** One stack setting to measure. */
interface Setting {
  name: string;
  onMainThread?: boolean;
  /** `lean --tstack` in KB (Lean's default: 8 MB). */
  tstackKb?: number;
  /** V8 stack of the glue's pthread workers, MB (Node's default: 4). */
  threadStackMb?: number;
}

/** What one setting survived. */
interface DepthResult {
  setting: string;
  readyMs?: number;
  rssMbReady?: number;
  rssMbAfter?: number;
  /** Largest maxRecDepth answered with Lean's error. */
  survived: number;
  /** First maxRecDepth that ended the worker (undefined: none in the ladder did). */
  crashedAt?: number;
  error?: string;
}

const HEADER = 'notation "ℕ" => Nat\nnotation "ℤ" => Int\nset_option autoImplicit false\n';

function variant(spec: WorkerSpawn, s: Setting): WorkerSpawn {
  const args = [...spec.args];
  const run = args.indexOf('--run');
  if (s.tstackKb) args.splice(run, 0, `--tstack=${s.tstackKb}`);
  if (s.onMainThread) args.push('--elab-on-main-thread');
  const env = { ...spec.env, ...(s.threadStackMb ? { LEANENV_WASM_THREAD_STACK_MB: String(s.threadStackMb) } : {}) };
  return { ...spec, args, env };
}

async function measure(base: WorkerSpawn, s: Setting, ladder: number[]): Promise<DepthResult> {
  const config = loadConfig([], process.env, {});
  const opts = { ...workerOptions(config, pino({ level: process.env.LOG_LEVEL ?? 'warn' })), requestTimeoutMs: 300_000, startupTimeoutMs: 600_000 };
  const out: DepthResult = { setting: s.name, survived: 0 };
  let w: LeanWorker | undefined;
  try {
    w = await LeanWorker.start(variant(base, s), opts);
    out.readyMs = w.readyMs;
    out.rssMbReady = Math.round((w.rssBytes() ?? 0) / 2 ** 20);
    const env = await w.importHeader(HEADER);
    const st = await w.startProof(env.env, { statement: 'theorem t : True' });
    for (const n of ladder) {
      try {
        const r = await w.applyTactic(st.proofState, `set_option maxRecDepth ${n} in repeat (first | skip)`);
        const text = r.status === 'failed' ? r.error : '';
        if (!/maximum recursion depth|deep recursion|stack overflow/i.test(text)) {
          out.error = `maxRecDepth ${n}: unexpected answer ${JSON.stringify(r).slice(0, 300)}`;
          break;
        }
        out.survived = n;
        process.stderr.write(`  ${s.name}: maxRecDepth ${n} -> error (${text.split('\n')[0]!.slice(0, 80)})\n`);
      } catch (e) {
        out.crashedAt = n;
        process.stderr.write(`  ${s.name}: maxRecDepth ${n} -> worker ended: ${(e as Error).message}\n`);
        break;
      }
    }
    if (w.alive) out.rssMbAfter = Math.round((w.rssBytes() ?? 0) / 2 ** 20);
  } catch (e) {
    out.error = (e as Error).message;
  } finally {
    await w?.dispose(5000).catch(() => undefined);
  }
  return out;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const config = loadConfig([], process.env, {});
  const base = await resolveBackend(config);
  if (base.backend !== 'wasm') throw new Error('stack-depth measures the embedded (wasm) Lean');
  const ladder = quick ? [128, 512, 2048, 8192] : [128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const settings: Setting[] = [
    { name: 'main thread (before)', onMainThread: true },
    { name: 'dedicated thread, Lean/Node defaults (8 MB wasm, 4 MB V8)', threadStackMb: 4 },
    { name: 'dedicated thread, 8 MB wasm, 64 MB V8', threadStackMb: 64 },
    { name: 'dedicated thread, 64 MB wasm, 256 MB V8', tstackKb: 65536, threadStackMb: 256 },
  ].filter((s) => !only || only.some((o) => s.name.includes(o)));
  const results: DepthResult[] = [];
  for (const s of settings) {
    process.stderr.write(`${s.name}\n`);
    results.push(await measure(base, s, ladder));
  }
  console.log('| setting | ready (s) | RSS ready (MB) | RSS after (MB) | maxRecDepth survived | ended the worker at |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(`| ${r.setting} | ${r.readyMs ? (r.readyMs / 1000).toFixed(1) : '-'} | ${r.rssMbReady ?? '-'} | ${r.rssMbAfter ?? '-'} | ${r.survived} | ${r.crashedAt ?? (r.error ? `error: ${r.error.slice(0, 120)}` : 'none')} |`);
  }
  const dir = path.join(PROJECT_ROOT, '.bench');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'stack-depth.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
