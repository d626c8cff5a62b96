/**
 * docs/benchmarks.md: what `npm run bench` measures and how to run it (the prose here), then
 * the latest run's figures, generated from `.bench/latest.json` when that file exists — every
 * row with the date and the machine it was measured on. Without a `.bench/latest.json` the
 * committed figures are kept as they are. Dated past measurements live apart, in
 * docs/benchmarks-history.md. `npm run docs` writes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the page is committed. */
export const BENCHMARKS_DOC = path.join(ROOT, 'docs/benchmarks.md');
/** Where `npm run bench` writes its results. */
export const LATEST_JSON = path.join(ROOT, '.bench/latest.json');
/** The line after which the generated figures start. */
export const LATEST_MARKER = '<!-- latest-run: generated from .bench/latest.json by `npm run docs` (tools/docs/benchmarks.ts) -->';

const Machine = z.object({ hostname: z.string().optional(), cpus: z.number(), cpuModel: z.string().optional(), memGB: z.number(), loadStart: z.number().optional(), loadEnd: z.number().optional() }).loose();
const P = z.object({ p50: z.number(), p95: z.number() });
const Workload = z.object({ speedup: z.number(), bound: z.number(), itemsPerSecOneWorker: z.number(), itemsPerSecAllWorkers: z.number(), checks: z.number() }).loose();
/** The parts of `.bench/latest.json` the page shows (every part optional: older runs lack some). */
export const BenchResults = z
  .object({
    date: z.string().optional(),
    quick: z.boolean().optional(),
    backend: z.string().optional(),
    lean: z.string().optional(),
    machine: Machine.optional(),
    coldStartMs: z.number().optional(),
    headerImportMs: z.number().optional(),
    workerRssMB: z.number().nullable().optional(),
    steps: z.number().optional(),
    stepRpcMs: P.optional(),
    stepLeanMs: P.optional(),
    stepWebSocketMs: P.optional(),
    webSocketOverDirectP50: z.number().optional(),
    pool: Workload.extend({ workers: z.number(), fair: Workload.optional(), judgeOverWorkerOnly: z.number().optional(), coldCheckMs: z.number().optional(), newHeaderTextCheckMs: z.number().optional(), reusedCheckMs: z.number().optional() }).loose().optional(),
    spares: z.object({ promotionMs: z.number(), servedBySpare: z.boolean(), newSpareReadyMs: z.number() }).loose().optional(),
    searchDate: z.string().optional(),
    searchMachine: Machine.optional(),
    search: z.object({ excluded: z.array(z.string()).optional(), statements: z.number(), proved: z.number(), baselineProved: z.number(), expansionsPerSecPerWorker: z.number(), timeToProofMs: P, apiShare: z.number(), traceOverhead: z.number().optional(), traceBytesPerEdge: z.number().optional() }).loose().optional(),
    memoryDate: z.string().optional(),
    memoryMachine: Machine.optional(),
    memory: z
      .array(z.object({ name: z.string(), itemsPerSec: z.number(), itemsPerSecPerGB: z.number(), snapshots: z.array(z.object({ stage: z.string(), rss: z.number(), wasmResident: z.number(), codeResident: z.number() }).loose()) }).loose())
      .optional(),
    slotsDate: z.string().optional(),
    slotsMachine: Machine.optional(),
    slots: z.array(z.object({ workers: z.number(), slots: z.number(), itemsPerSec: z.number(), rss: z.number(), itemsPerSecPerGB: z.number(), checks: z.number() }).loose()).optional(),
    methodsDate: z.string().optional(),
    methodsMachine: Machine.optional(),
    methods: z
      .object({
        statements: z.number(),
        api: z.array(z.object({ method: z.string(), api: P, lean: P, split: z.object({ apiLayerMs: z.number(), channelMs: z.number(), leanMs: z.number() }), overheadOverLean: z.number().nullable() }).loose()),
      })
      .loose()
      .optional(),
  })
  .loose();
/** Results as the page reads them. */
export type BenchResults = z.infer<typeof BenchResults>;

/** `2026-12-04, 2 cores (model), 24 GB, load 3.1→4.0`. */
function measured(date: string | undefined, m: z.infer<typeof Machine> | undefined): string {
  const day = date ? date.slice(0, 10) : 'undated';
  if (!m) return `${day}, machine not recorded`;
  const load = m.loadStart !== undefined ? `, load ${m.loadStart}${m.loadEnd !== undefined ? `→${m.loadEnd}` : ''}` : '';
  return `${day}, ${m.cpus} cores${m.cpuModel ? ` (${m.cpuModel})` : ''}, ${m.memGB} GB${load}`;
}

/** The figures of one run as Markdown (a table of metric, value, where and when measured). */
export function renderLatest(r: BenchResults): string {
  const when = measured(r.date, r.machine);
  const rows: [string, string, string][] = [];
  const add = (metric: string, value: string | undefined, at = when) => void (value !== undefined && rows.push([metric, value, at]));
  const f = (x: number, d = 1) => x.toFixed(d);
  add('run', `${r.quick ? '`--quick`' : 'full'}; ${r.backend ?? '?'} Lean ${r.lean ?? ''}`.trim());
  add('worker cold start (spawn to ready)', r.coldStartMs !== undefined ? `${f(r.coldStartMs / 1000)} s` : undefined);
  add('header import', r.headerImportMs !== undefined ? `${r.headerImportMs} ms` : undefined);
  add('worker RSS', r.workerRssMB != null ? `${r.workerRssMB} MB` : undefined);
  add('tactic step at the worker\'s JSON-RPC boundary, p50 / p95', r.stepRpcMs && `${f(r.stepRpcMs.p50)} / ${f(r.stepRpcMs.p95)} ms (${r.steps ?? '?'} steps)`);
  add('the same steps as Lean reports them, p50 / p95', r.stepLeanMs && `${f(r.stepLeanMs.p50)} / ${f(r.stepLeanMs.p95)} ms`);
  add('the same steps through the WebSocket API, p50 / p95', r.stepWebSocketMs && `${f(r.stepWebSocketMs.p50)} / ${f(r.stepWebSocketMs.p95)} ms`);
  add('WebSocket API / direct, p50', r.webSocketOverDirectP50 !== undefined ? `${f(r.webSocketOverDirectP50, 2)}x (goal <= 1.05x)` : undefined);
  const w = (x: z.infer<typeof Workload>) => `${f(x.speedup, 2)}x (bound ${f(x.bound, 2)}x); ${f(x.itemsPerSecOneWorker, 2)} → ${f(x.itemsPerSecAllWorkers, 2)} items/s, ${x.checks} checks`;
  if (r.pool) {
    add(`standard batch, ${r.pool.workers} workers / 1`, w(r.pool));
    if (r.pool.fair) add(`fair batch, ${r.pool.workers} workers / 1`, `${w(r.pool.fair)} (goal >= 1.8x)`);
    if (r.pool.judgeOverWorkerOnly !== undefined) add('items/s with the judge / without', `${f(r.pool.judgeOverWorkerOnly, 2)} (goal >= 0.85)`);
    if (r.pool.coldCheckMs !== undefined) add('one check: cold worker / new header text / header reused', `${f(r.pool.coldCheckMs, 0)} / ${f(r.pool.newHeaderTextCheckMs ?? NaN, 0)} / ${f(r.pool.reusedCheckMs ?? NaN, 0)} ms`);
  }
  if (r.spares) {
    add('kill of a busy worker → next request served', `${f(r.spares.promotionMs, 0)} ms (${r.spares.servedBySpare ? 'by the promoted spare' : 'not by the spare'}; target < 1 s)`);
    add('kill → new spare ready, in the background', `${f(r.spares.newSpareReadyMs / 1000)} s`);
  }
  if (r.memory) {
    const at = measured(r.memoryDate ?? r.date, r.memoryMachine ?? r.machine);
    const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
    for (const v of r.memory) {
      const stages = v.snapshots.map((x) => `${x.stage} ${mb(x.rss)}`).join(', ');
      add(`one worker's RSS: ${v.name}`, `${stages}; ${f(v.itemsPerSec, 2)} items/s on one worker, ${f(v.itemsPerSecPerGB, 2)} items/s per GB`, at);
    }
  }
  if (r.slots) {
    const at = measured(r.slotsDate ?? r.date, r.slotsMachine ?? r.machine);
    const one = r.slots.find((x) => x.workers === 1 && x.slots === 1);
    for (const v of r.slots) {
      const perSlot = one && v.workers === 1 && v.slots > 1 ? `; ${Math.round((v.rss - one.rss) / (v.slots - 1) / 2 ** 20)} MB per added slot` : '';
      add(`slots: ${v.workers} worker(s) x ${v.slots} slot(s)`, `${f(v.itemsPerSec, 2)} items/s (${v.checks} checks), RSS ${f(v.rss / 1e9, 2)} GB, ${f(v.itemsPerSecPerGB, 2)} items/s per GB${perSlot}`, at);
    }
  }
  if (r.search) {
    const at = measured(r.searchDate ?? r.date, r.searchMachine ?? r.machine);
    const s = r.search;
    add('search: proved / one-shot baseline', `${s.proved} / ${s.baselineProved} of ${s.statements}`, at);
    add('search: expansions per second per worker', `${f(s.expansionsPerSecPerWorker)} (target >= 20)`, at);
    add('search: time to proof p50 / p95', `${f(s.timeToProofMs.p50, 0)} / ${f(s.timeToProofMs.p95, 0)} ms`, at);
    add('search: API share of search time', `${f(100 * s.apiShare)}% (target <= 5%)`, at);
    if (s.traceOverhead !== undefined) add('search: cost of keeping traces', `${f(100 * s.traceOverhead)}% of search time (target < 5%); ${f(s.traceBytesPerEdge ?? 0, 0)} bytes per edge (JSONL)`, at);
    if (s.excluded?.length) add('search: statements left out', s.excluded.join(', '), at);
  }
  if (r.methods) {
    const at = measured(r.methodsDate ?? r.date, r.methodsMachine ?? r.machine);
    for (const m of r.methods.api.filter((x) => x.method.startsWith('proof.'))) {
      const over = m.overheadOverLean === null || !Number.isFinite(m.overheadOverLean) ? '-' : `${f(100 * m.overheadOverLean, 0)}%`;
      add(`agent's \`${m.method}\`: API p50 / p95; split at p50 (API layer + channel + Lean)`, `${f(m.api.p50)} / ${f(m.api.p95)} ms; ${f(m.split.apiLayerMs)} + ${f(m.split.channelMs)} + ${f(m.split.leanMs)} ms; overhead over Lean ${over} (goal <= 10%)`, at);
    }
  }
  const out = ['| metric | value | measured (date, machine) |', '| --- | --- | --- |'];
  for (const [m, v, at] of rows) out.push(`| ${m} | ${v.replaceAll('|', '\\|')} | ${at} |`);
  return out.join('\n') + '\n';
}

/** The page: the committed prose up to the marker, then the figures (from `results`, else those already committed). */
export function renderBenchmarks(committed: string, results: BenchResults | undefined): string {
  const at = committed.indexOf(LATEST_MARKER);
  if (at < 0) throw new Error(`${path.relative(ROOT, BENCHMARKS_DOC)} lacks the marker line ${LATEST_MARKER}`);
  if (!results) return committed;
  return `${committed.slice(0, at + LATEST_MARKER.length)}\n\n${renderLatest(results)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const results = fs.existsSync(LATEST_JSON) ? BenchResults.parse(JSON.parse(fs.readFileSync(LATEST_JSON, 'utf8'))) : undefined;
  fs.writeFileSync(BENCHMARKS_DOC, renderBenchmarks(fs.readFileSync(BENCHMARKS_DOC, 'utf8'), results));
  console.log(results ? `wrote ${path.relative(process.cwd(), BENCHMARKS_DOC)} from ${path.relative(process.cwd(), LATEST_JSON)}` : `no ${path.relative(process.cwd(), LATEST_JSON)}: ${path.relative(process.cwd(), BENCHMARKS_DOC)} kept as it is`);
}
