/**
 * How deep an elaboration a worker survives, per stack setting, and what it costs.
 *
 * For each setting a worker is started and given two ladders, each until the first input that
 * ends the worker (the worker is then restarted for the next ladder):
 * - `recursion`: `set_option maxRecDepth N in repeat (first | skip)` as a tactic step (Lean stops
 *   the recursion at depth N with "maximum recursion depth has been reached");
 * - `sum` (with `--sum`): `theorem t : 1 + 1 + … + 1 = N := by decide` (N ones) through
 *   `env.check`, as `POST /v1/check` sends it: a term N deep through the elaborator.
 * Reported: the largest N answered (with the answer) and the first N that ended the worker,
 * with the worker's start time and resident memory. Settings: elaboration on the main thread
 * (what the REPL did before) or on a dedicated Lean thread, with Lean's thread stack size
 * (`lean --tstack`, KB: the wasm stack in linear memory, which Lean's stack guard measures)
 * and the pthread workers' V8 stack (MB: where the wasm code's own frames live).
 *
 *   lean-slot npx tsx test/bench/stack-depth.ts [--quick] [--sum] [--only=name;name]
 *
 * Writes `.bench/stack-depth.json`. Each setting starts one or more workers (about a minute each here).
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

/** What one setting survived on one ladder. */
interface LadderResult {
  /** Largest N answered (with Lean's error or a verdict). */
  survived: number;
  /** The answer at `survived`, shortened. */
  answer?: string;
  /** First N that ended the worker (undefined: none in the ladder did). */
  crashedAt?: number;
  /** How the worker ended, or an unexpected answer. */
  error?: string;
}

/** What one setting survived. */
interface DepthResult {
  setting: string;
  readyMs?: number;
  rssMbReady?: number;
  /** Largest RSS seen after an answer. */
  rssMbMax?: number;
  recursion?: LadderResult;
  sum?: LadderResult;
  error?: string;
}

/** One rung: the answer's text, or throws when the worker ends. */
type Rung = (w: LeanWorker, n: number) => Promise<string>;

const ones = (n: number): string => Array(n).fill('1').join(' + ');

const HEADER = 'notation "ℕ" => Nat\nnotation "ℤ" => Int\nset_option autoImplicit false\n';

function variant(spec: WorkerSpawn, s: Setting): WorkerSpawn {
  const args = spec.args.filter((a) => !a.startsWith('--tstack='));
  const run = args.indexOf('--run');
  if (s.tstackKb) args.splice(run, 0, `--tstack=${s.tstackKb}`);
  if (s.onMainThread) args.push('--elab-on-main-thread');
  const env = { ...spec.env, ...(s.threadStackMb ? { LEANENV_WASM_THREAD_STACK_MB: String(s.threadStackMb) } : {}) };
  return { ...spec, args, env };
}

/** Climb a ladder on a fresh worker; stops at the first rung that ends the worker or answers unexpectedly. */
async function climb(spec: WorkerSpawn, s: Setting, ladder: number[], rung: Rung, expect: RegExp, out: DepthResult, name: string): Promise<LadderResult> {
  const config = loadConfig([], process.env, {});
  const opts = { ...workerOptions(config, pino({ level: process.env.LOG_LEVEL ?? 'warn' })), requestTimeoutMs: 300_000, startupTimeoutMs: 600_000 };
  const res: LadderResult = { survived: 0 };
  let w: LeanWorker | undefined;
  try {
    w = await LeanWorker.start(spec, opts);
    out.readyMs ??= w.readyMs;
    out.rssMbReady ??= Math.round((w.rssBytes() ?? 0) / 2 ** 20);
    for (const n of ladder) {
      let text: string;
      try {
        text = await rung(w, n);
      } catch (e) {
        res.crashedAt = n;
        res.error = (e as Error).message.slice(0, 200);
        process.stderr.write(`  ${s.name} ${name}: ${n} -> worker ended: ${res.error}\n`);
        break;
      }
      if (!expect.test(text)) {
        res.error = `${n}: unexpected answer ${text.slice(0, 300)}`;
        break;
      }
      res.survived = n;
      res.answer = text.split('\n')[0]!.slice(0, 120);
      out.rssMbMax = Math.max(out.rssMbMax ?? 0, Math.round((w.rssBytes() ?? 0) / 2 ** 20));
      process.stderr.write(`  ${s.name} ${name}: ${n} -> ${res.answer}\n`);
    }
  } catch (e) {
    res.error = (e as Error).message;
  } finally {
    await w?.dispose(5000).catch(() => undefined);
  }
  return res;
}

/** `set_option maxRecDepth n in repeat (first | skip)` as a tactic step: Lean's error text. */
const recursionRung: Rung = async (w, n) => {
  const env = await w.importHeader(HEADER);
  const st = await w.startProof(env.env, { statement: 'theorem t : True' });
  const r = await w.applyTactic(st.proofState, `set_option maxRecDepth ${n} in repeat (first | skip)`);
  return r.status === 'failed' ? r.error : `status ${r.status}`;
};

/** `theorem t : 1 + … + 1 = n := by decide` through env.check: the first error, the kernel's answer or "proved". */
const sumRung: Rung = async (w, n) => {
  const env = await w.importHeader(HEADER);
  const r = await w.checkSubmission(`theorem t${n} : ${ones(n)} = ${n} := by decide\n`, env.env);
  void w.drop({ envs: [r.env] }).catch(() => undefined);
  const err = r.messages.find((m) => m.severity === 'error');
  if (err) return `error: ${err.data}`;
  const k = r.constants.find((c) => c.kernel && !c.kernel.ok)?.kernel;
  return k ? `kernel: ${k.error}${k.limit ? ` (${k.limit})` : ''}` : 'proved';
};

async function measure(base: WorkerSpawn, s: Setting, ladders: { recursion: number[]; sum: number[] }): Promise<DepthResult> {
  const out: DepthResult = { setting: s.name };
  const spec = variant(base, s);
  // The sum ladder costs a minute or more per rung (the elaborator's heartbeat limit ends it): only with --sum.
  if (process.argv.includes('--sum')) out.sum = await climb(spec, s, ladders.sum, sumRung, /./, out, 'sum');
  out.recursion = await climb(spec, s, ladders.recursion, recursionRung, /maximum recursion depth|deep recursion|stack overflow/i, out, 'maxRecDepth');
  return out;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const config = loadConfig([], process.env, {});
  const base = await resolveBackend(config);
  if (base.backend !== 'wasm') throw new Error('stack-depth measures the embedded (wasm) Lean');
  const ladders = quick
    ? { recursion: [4096, 16384, 65536], sum: [3000] }
    : { recursion: [4096, 16384, 32768, 65536, 131072], sum: [1000, 3000] };
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(';');
  const settings: Setting[] = [
    { name: 'main thread (before)', onMainThread: true },
    { name: '8 MB wasm, 64 MB V8 (before)', tstackKb: 8192, threadStackMb: 64 },
    { name: '8 MB wasm, 512 MB V8', tstackKb: 8192, threadStackMb: 512 },
    { name: '8 MB wasm, 1024 MB V8', tstackKb: 8192, threadStackMb: 1024 },
    { name: '16 MB wasm, 1024 MB V8', tstackKb: 16384, threadStackMb: 1024 },
    { name: '64 MB wasm, 64 MB V8', tstackKb: 65536, threadStackMb: 64 },
    { name: '64 MB wasm, 1024 MB V8 (now)', tstackKb: 65536, threadStackMb: 1024 },
  ].filter((s) => !only || only.some((o) => s.name.includes(o)));
  const results: DepthResult[] = [];
  for (const s of settings) {
    process.stderr.write(`${s.name}\n`);
    results.push(await measure(base, s, ladders));
  }
  const ladder = (l?: LadderResult) => (l ? `${l.survived}${l.answer ? ` (${l.answer.slice(0, 60)})` : ''}; ended at ${l.crashedAt ?? (l.error ? `- (${l.error.slice(0, 80)})` : 'none')}` : '-');
  console.log('| setting | ready (s) | RSS ready (MB) | RSS max (MB) | sum depth survived; ended the worker at | maxRecDepth survived; ended the worker at |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(`| ${r.setting} | ${r.readyMs ? (r.readyMs / 1000).toFixed(1) : '-'} | ${r.rssMbReady ?? '-'} | ${r.rssMbMax ?? '-'} | ${ladder(r.sum)} | ${ladder(r.recursion)} |`);
  }
  const dir = path.join(PROJECT_ROOT, '.bench');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'stack-depth.json'), JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
