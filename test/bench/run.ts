/**
 * `npm run bench [-- --quick]`: worker cold start, RSS and per-tactic-step latency over
 * core-subset statements, measured at the worker's JSON-RPC boundary beside the time
 * Lean itself reports for the same step. Prints a table and writes `.bench/latest.json`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Table from 'cli-table3';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { coreSubset, startTestWorker } from '../support/lean.js';

const quick = process.argv.includes('--quick');
const TACTICS = ['rfl', 'decide', 'omega', 'simp', 'trivial', 'constructor', 'intro h', 'norm_num'];

/** The p-th percentile (0..100) of a list of numbers. */
function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const t0 = performance.now();
const worker = await startTestWorker();
const coldStartMs = performance.now() - t0;
const items = [...coreSubset().values()].slice(0, quick ? 10 : 50);
const importT0 = performance.now();
const env = (await worker.importHeader(items[0]!.header)).env;
const importMs = performance.now() - importT0;

const rpcMs: number[] = [];
const leanMs: number[] = [];
let solved = 0;
for (const item of items) {
  const start = await worker.startProof(env, { statement: item.body });
  for (const tactic of TACTICS) {
    const s = performance.now();
    const r = await worker.applyTactic(start.proofState, tactic);
    rpcMs.push(performance.now() - s);
    leanMs.push(r.elapsedMs);
    if (r.status === 'solved') solved++;
    if (r.status !== 'failed') await worker.drop({ proofStates: [r.proofState] });
  }
  await worker.drop({ proofStates: [start.proofState] });
}
const rssBytes = worker.rssBytes();
await worker.dispose();

const overhead = rpcMs.map((x, i) => x - leanMs[i]!);
const results = {
  date: new Date().toISOString(),
  quick,
  backend: worker.spawnSpec.backend,
  lean: worker.info?.version,
  coldStartMs: Math.round(coldStartMs),
  headerImportMs: Math.round(importMs),
  workerRssMB: rssBytes === undefined ? null : Math.round(rssBytes / 2 ** 20),
  statements: items.length,
  steps: rpcMs.length,
  solvedSteps: solved,
  stepRpcMs: { p50: percentile(rpcMs, 50), p95: percentile(rpcMs, 95) },
  stepLeanMs: { p50: percentile(leanMs, 50), p95: percentile(leanMs, 95) },
  stepOverheadMs: { p50: percentile(overhead, 50), p95: percentile(overhead, 95) },
};

const r1 = (x: number) => x.toFixed(1);
const table = new Table({ head: ['metric', 'value'] });
table.push(
  ['backend / Lean', `${results.backend} / ${results.lean}`],
  ['worker cold start (to ready)', `${(results.coldStartMs / 1000).toFixed(1)} s (target < 40 s)`],
  ['header import', `${results.headerImportMs} ms`],
  ['worker RSS', `${results.workerRssMB} MB`],
  ['tactic steps', `${results.steps} over ${results.statements} statements (${results.solvedSteps} solved)`],
  ['step latency at JSON-RPC p50 / p95', `${r1(results.stepRpcMs.p50)} / ${r1(results.stepRpcMs.p95)} ms`],
  ['same steps, Lean-reported p50 / p95', `${r1(results.stepLeanMs.p50)} / ${r1(results.stepLeanMs.p95)} ms`],
  ['our overhead p50 / p95', `${r1(results.stepOverheadMs.p50)} / ${r1(results.stepOverheadMs.p95)} ms`],
);
console.log(table.toString());
const out = path.join(PROJECT_ROOT, '.bench', 'latest.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`written to ${path.relative(PROJECT_ROOT, out)}`);
