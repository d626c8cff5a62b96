/**
 * `npm run bench [-- --quick]`, in one run: a worker's cold start broken into its parts (with
 * the glue's compile cache, and without it unless --quick); where a worker's memory goes, by kind
 * and V8 isolate, before and after the memory cuts and without each (`memory.ts`); a Lean worker's cold start and RSS; per-tactic-step
 * latency at the worker's JSON-RPC boundary beside the time Lean reports for the same step;
 * the same steps through the WebSocket API (server + client over loopback), interleaved with
 * the direct ones, as a ratio; then batch-check throughput with one worker and with N (the
 * configured pool size, default one per core) beside each batch's bound, on the standard
 * workload and on one with no dominating item; cold versus reused-header check cost; the time a
 * spare takes to serve after a busy worker is killed; the cluster section (test/bench/cluster.ts):
 * the same batch through Redis + BullMQ with one node and with one node per worker, and the
 * latency the queue adds per check; then best-first proof search with the built-in policy
 * through the API and directly on a worker (`search.ts`); then an agent's search with each
 * WebSocket method's time split into Lean's own, the worker channel and the API layer
 * (`methods.ts`). Prints a table and writes `.bench/latest.json`. `--search-only`,
 * `--methods-only`, `--memory-only` and `--slots-only` run that section alone (and update only its part of `.bench/latest.json`); `--cold-start` and `--pool-only` run one section and print its JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Table from 'cli-table3';
import { build } from '../../server/app.js';
import { loadConfig, type Config } from '../../server/config/config.js';
import { resolveBackend, workerOptions } from '../../server/lean/backend.js';
import { LeanWorker } from '../../server/lean/worker.js';
import { WorkerPool } from '../../server/pool/worker-pool.js';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { LeanEnvClient } from '../../client/sdk.js';
import { coreSubset, startTestWorker } from '../support/lean.js';
import { benchPool } from './throughput.js';
import { coldStartBreakdown, type ColdStartBreakdown } from './cold-start.js';
import { benchSparePromotion } from './spare-promotion.js';
import { benchSearch, searchRows } from './search.js';
import { affinityRows } from './cluster-affinity.js';
import { benchJudge } from './judge.js';
import { benchMethods, methodRows } from './methods.js';
import { cleanUpOnSignals, itemCounter, machineInfo, progress, Sections } from './progress.js';
import { percentile } from './stats.js';
import { benchMemory, memoryRows, memoryVariants } from './memory.js';
import { benchSlots, slotsConfigs, slotsRows } from './slots.js';

// An interrupted run (Ctrl-C, SIGTERM) kills every process it started, Lean workers included.
cleanUpOnSignals();
const machine = machineInfo();

const quick = process.argv.includes('--quick');
/** The sections of a whole run, in order (progress lines name them). */
const sections = new Sections(['cold start', 'worker memory', 'slots', 'tactic steps', 'pool throughput', 'spare promotion', 'proof search', 'search methods']);
const out = path.join(PROJECT_ROOT, '.bench', 'latest.json');
/** The core-subset statements every section uses (the first 10 with --quick, else 50). */
const STATEMENTS = [...coreSubset().values()].slice(0, quick ? 10 : 50);
/** Workers in the pool section: one per configured worker, at least two. */
const poolSize = (config: Config) => Math.max(2, config.workers);
/** Statements `--quick` leaves out of the search section: `grind` alone takes ~40 s per application on aime_1984_p7's start state, and `5^999999 % 7` 20-60 s per tactic (docs/known-gaps.md). */
const QUICK_SEARCH_EXCLUDE = ['aime_1984_p7', 'mathd_numbertheory_328'];
/** The search section's fixed budget (per statement). */
const SEARCH_BUDGET = { maxExpansions: quick ? 8 : 16, maxDepth: 4, timeMs: 300_000, width: 32, lengthNormalization: 0 };
const runSearch = async () => {
  const config = loadConfig([]);
  // `--search-exclude id,id`: statements left out of the search section (reported in its table).
  const excludeArg = process.argv.indexOf('--search-exclude');
  // --quick leaves out, unless told otherwise, the statements that alone take minutes on the embedded Lean.
  const exclude = new Set(excludeArg >= 0 ? (process.argv[excludeArg + 1] ?? '').split(',') : quick ? QUICK_SEARCH_EXCLUDE : []);
  const statements = STATEMENTS.filter((it) => !exclude.has(it.id));
  sections.begin('proof search', `${statements.length} statements, up to ${SEARCH_BUDGET.maxExpansions} expansions each`);
  const result = await benchSearch(await resolveBackend(config), config, statements, SEARCH_BUDGET, (l) => progress(`  ${l}`));
  sections.end('proof search');
  return { ...result, excluded: [...exclude].filter(Boolean) };
};
/** The search rows, with the statements left out when there are any. */
const searchTable = (s: Awaited<ReturnType<typeof runSearch>>) => [...searchRows(s), ...(s.excluded.length ? [['search: statements left out (--search-exclude)', s.excluded.join(', ')]] : [])];

/** A section run alone: print its rows, update only its part of `.bench/latest.json` (`<key>`, `<key>Date`, `<key>Machine`), exit. */
function finishSection(key: 'search' | 'methods' | 'memory' | 'slots', value: unknown, rows: string[][]): never {
  const table = new Table({ head: ['metric', 'value'] });
  table.push(...rows);
  console.log(table.toString());
  const previous = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, unknown>) : {};
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const part = { [`${key}Date`]: new Date().toISOString(), [`${key}Machine`]: { ...machine, loadEnd: machineInfo().loadStart }, [key]: value };
  fs.writeFileSync(out, JSON.stringify({ ...previous, ...part }, null, 2) + '\n');
  console.log(`written to ${path.relative(PROJECT_ROOT, out)}`);
  process.exit(0);
}
if (process.argv.includes('--search-only')) {
  const search = await runSearch();
  finishSection('search', search, searchTable(search));
}
/** The per-method section: an agent's search over the API, each method's time split (see methods.ts). */
const runMethods = async () => {
  const config = loadConfig([]);
  const statements = STATEMENTS.filter((it) => !(quick && QUICK_SEARCH_EXCLUDE.includes(it.id)));
  sections.begin('search methods', `${statements.length} statements, 12 tactics x 32 expansions, each WebSocket method's time split`);
  const result = await benchMethods(await resolveBackend(config), config, statements, (l) => progress(`  ${l}`));
  sections.end('search methods');
  return result;
};
/** The memory section: one worker at a time per variant, its memory by kind and isolate at each stage, and its items/s (memory.ts). */
const runMemory = async () => {
  const variants = memoryVariants(quick);
  sections.begin('worker memory', `${variants.length} configurations, one worker at a time: memory at each stage, items/s`);
  const result = await benchMemory(variants, STATEMENTS.slice(0, 4), quick ? 30 : 60, (l) => progress(`  ${l}`));
  sections.end('worker memory');
  return result;
};
/** The slots section: one worker with several slots against one-slot workers, same batch (slots.ts). */
const runSlots = async () => {
  const configs = slotsConfigs(quick);
  sections.begin('slots', `${configs.length} configurations (workers x slots), each alone: items/s, RSS, memory per added slot`);
  const result = await benchSlots(configs, STATEMENTS.slice(0, 4), quick ? 36 : 72, (l) => progress(`  ${l}`));
  sections.end('slots');
  return result;
};
if (process.argv.includes('--slots-only')) {
  const slots = await runSlots();
  finishSection('slots', slots, slotsRows(slots));
}
if (process.argv.includes('--memory-only')) {
  const memory = await runMemory();
const slots = await runSlots();
  finishSection('memory', memory, memoryRows(memory));
}
if (process.argv.includes('--methods-only')) {
  const methods = await runMethods();
  finishSection('methods', methods, methodRows(methods));
}
const TACTICS = ['rfl', 'decide', 'omega', 'simp', 'trivial', 'constructor', 'intro h', 'norm_num'];

if (process.argv.includes('--pool-only')) {
  // Only the pool's throughput section, without the cluster (repeatable): prints its JSON.
  const config = loadConfig([]);
  sections.begin('pool throughput', `${STATEMENTS.length} statements, ${poolSize(config)} workers (no cluster)`);
  const pool = await benchPool(await startTestWorker(), STATEMENTS, config, poolSize(config), { cluster: false });
  console.log(JSON.stringify(pool, null, 2));
  process.exit(0);
}

// Cold start in parts: as workers start now (precompiled REPL, glue compile cache); with the REPL
// elaborated from source (as before, `--wasm-repl source`) and without the cache, unless --quick.
progress(`${quick ? 'quick' : 'full'} run, ${STATEMENTS.length} statements; machine: ${machine.cpus} cores, ${machine.memGB} GB, load ${machine.loadStart}`);
sections.begin('cold start', quick ? 'one worker start (precompiled REPL)' : 'three worker starts (precompiled REPL, REPL from source, no compile cache)');
const spawnSpec = await resolveBackend(loadConfig([]));
const probeDir = spawnSpec.wasm?.dir ?? PROJECT_ROOT;
const coldStart: { withCache: ColdStartBreakdown; fromSource?: ColdStartBreakdown; withoutCache?: ColdStartBreakdown } = {
  withCache: await coldStartBreakdown(spawnSpec, probeDir),
};
// --quick: one start only (each start is 20-70 s on a shared 2-core machine).
if (!quick && spawnSpec.backend === 'wasm') coldStart.fromSource = await coldStartBreakdown(await resolveBackend(loadConfig(['--wasm-repl', 'source'])), probeDir);
if (!quick && spawnSpec.confine?.kind === 'node-permission') {
  coldStart.withoutCache = await coldStartBreakdown({ ...spawnSpec, confine: { ...spawnSpec.confine, compileCache: undefined } }, probeDir);
}

sections.end('cold start');
const memory = await runMemory();
const slots = await runSlots();

if (process.argv.includes('--cold-start')) {
  // Only the breakdown (repeatable): `npm run bench -- --cold-start`.
  console.log(JSON.stringify(coldStart, null, 2));
  process.exit(0);
}

sections.begin('tactic steps', `a worker start, then ${STATEMENTS.length} statements x ${TACTICS.length} tactics, direct and through the WebSocket API`);
const t0 = performance.now();
const worker = await startTestWorker();
progress(`  worker ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const coldStartMs = performance.now() - t0;
const items = STATEMENTS;
const importT0 = performance.now();
const env = (await worker.importHeader(items[0]!.header)).env;
const importMs = performance.now() - importT0;

const config = loadConfig([]);
/** A one-worker pool around the worker measured directly (a replacement would be a fresh start). */
let first: LeanWorker | undefined = worker;
const spawnOnce = async () => {
  const w = first ?? (await LeanWorker.start(worker.spawnSpec, workerOptions(config)));
  first = undefined;
  return w;
};
const pool = new WorkerPool({ size: 1, spawn: spawnOnce, maxQueue: 1024, maxQueuePerTenant: 64 });
await pool.start();
const app = await build({ pool, judge: await benchJudge(), ownsPool: false, logLevel: 'warn' });
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address() as { port: number };
const client = await LeanEnvClient.connect(`http://127.0.0.1:${addr.port}`);
const session = await client.openSession(items[0]!.header);

const rpcMs: number[] = [];
const leanMs: number[] = [];
const wsMs: number[] = [];
let solved = 0;
const stepCount = itemCounter('statements', items.length);
for (const item of items) {
  const start = await worker.startProof(env, { statement: item.body });
  const wsStart = await client.start(session.sessionId, { statement: item.body });
  for (const [i, tactic] of TACTICS.entries()) {
    const direct = async () => {
      const s = performance.now();
      const r = await worker.applyTactic(start.proofState, tactic);
      rpcMs.push(performance.now() - s);
      leanMs.push(r.elapsedMs);
      if (r.status === 'solved') solved++;
      if (r.status !== 'failed') await worker.drop({ proofStates: [r.proofState] });
    };
    const viaWs = async () => {
      const s = performance.now();
      await client.apply(wsStart.stateId, tactic);
      wsMs.push(performance.now() - s);
    };
    // Alternate which goes first, so that neither gains from the other warming Lean up.
    if (i % 2 === 0) await direct().then(viaWs);
    else await viaWs().then(direct);
  }
  await worker.drop({ proofStates: [start.proofState] });
  stepCount();
}
const rssBytes = worker.rssBytes();
await client.close();
await app.close();
sections.end('tactic steps');
sections.begin('pool throughput', `${items.length} statements, 1 worker then ${poolSize(config)}, with the judge and without, then the cluster`);
const poolBench = await benchPool(worker, items, config, poolSize(config));
sections.end('pool throughput');
sections.begin('spare promotion', 'a pool with a spare, a busy worker killed');
const spares = await benchSparePromotion(worker.spawnSpec, config);
sections.end('spare promotion');
const search = await runSearch();
const methods = await runMethods();

const overhead = rpcMs.map((x, i) => x - leanMs[i]!);
const p = (xs: number[]) => ({ p50: percentile(xs, 50), p95: percentile(xs, 95) });
const results = {
  date: new Date().toISOString(),
  quick,
  backend: worker.spawnSpec.backend,
  lean: worker.info?.version,
  machine: { ...machine, loadEnd: machineInfo().loadStart },
  coldStartMs: Math.round(coldStartMs),
  headerImportMs: Math.round(importMs),
  workerRssMB: rssBytes === undefined ? null : Math.round(rssBytes / 2 ** 20),
  statements: items.length,
  steps: rpcMs.length,
  solvedSteps: solved,
  stepRpcMs: p(rpcMs),
  stepLeanMs: p(leanMs),
  stepOverheadMs: p(overhead),
  stepWebSocketMs: p(wsMs),
  webSocketOverDirectP50: percentile(wsMs, 50) / percentile(rpcMs, 50),
  pool: poolBench,
  coldStart,
  spares,
  search,
  methods,
  memory,
  slots,
};

const r1 = (x: number) => x.toFixed(1);
const s1 = (ms: number) => (ms / 1000).toFixed(1);
const part = (k: keyof ColdStartBreakdown) =>
  `${s1(coldStart.withCache[k] as number)} s` +
  (coldStart.fromSource ? ` (REPL from source: ${s1(coldStart.fromSource[k] as number)} s)` : '') +
  (coldStart.withoutCache ? ` (no cache: ${s1(coldStart.withoutCache[k] as number)} s)` : '');
const ratio = (w: typeof poolBench.fair) =>
  `${w.speedup.toFixed(2)}x, bound ${w.bound.toFixed(2)}x (longest item ${s1(w.longestItemMs)} s of ${s1(w.totalItemMs)} s); ${w.itemsPerSecOneWorker.toFixed(2)} → ${w.itemsPerSecAllWorkers.toFixed(2)} items/s, ${w.checks} checks`;
const cpu = (w: typeof poolBench.fair) =>
  `1: ${w.coresBusyOneWorker.toFixed(2)} (sys ${w.systemCoresOneWorker.toFixed(2)}), N: ${w.coresBusyAllWorkers.toFixed(2)} (sys ${w.systemCoresAllWorkers.toFixed(2)}); server ${w.serverCoresAllWorkers.toFixed(2)}; in jobs ${(100 * w.busyShareAllWorkers).toFixed(0)}%; ${w.requestsPerCheck.toFixed(1)} requests/check`;
const table = new Table({ head: ['metric', 'value'] });
table.push(
  ['backend / Lean', `${results.backend} / ${results.lean}`],
  ['worker cold start (to ready)', `${(results.coldStartMs / 1000).toFixed(1)} s (target < 30 s)`],
  ['cold start, probed: total', part('totalMs')],
  ['  Node start', part('nodeStartMs')],
  ['  glue load (0.7 MB JS, 89 MB as shipped)', part('glueLoadMs')],
  ['  wasm compile + instantiate (main)', part('wasmCompileMs')],
  ['  runtime + pthreads to Lean main', part('runtimeInitMs')],
  ['  import (the --run file\'s header)', part('importMs')],
  ['  elaborate the --run file (loader / REPL source)', part('elaborateReplMs')],
  ['  loader: REPL imports + IR', part('loadReplMs')],
  ['  REPL start + first request', part('firstRequestMs')],
  ['header import', `${results.headerImportMs} ms`],
  ['worker RSS', `${results.workerRssMB} MB`],
  ...memoryRows(memory),
  ...slotsRows(slots),
  ['tactic steps', `${results.steps} over ${results.statements} statements (${results.solvedSteps} solved)`],
  ['step at worker JSON-RPC p50 / p95', `${r1(results.stepRpcMs.p50)} / ${r1(results.stepRpcMs.p95)} ms`],
  ['same steps, Lean-reported p50 / p95', `${r1(results.stepLeanMs.p50)} / ${r1(results.stepLeanMs.p95)} ms`],
  ['worker overhead p50 / p95', `${r1(results.stepOverheadMs.p50)} / ${r1(results.stepOverheadMs.p95)} ms`],
  ['same steps via WebSocket API p50 / p95', `${r1(results.stepWebSocketMs.p50)} / ${r1(results.stepWebSocketMs.p95)} ms`],
  ['WebSocket / direct, p50', `${results.webSocketOverDirectP50.toFixed(3)}x (goal <= 1.05x)`],
  [`standard batch: ${poolBench.workers} workers / 1`, ratio(poolBench)],
  ['  worker cores busy', cpu(poolBench)],
  [`fair batch (no item > 1 s): ${poolBench.workers} workers / 1`, `${ratio(poolBench.fair)} (goal >= 1.8x)`],
  ['  worker cores busy', cpu(poolBench.fair)],
  ['fair batch as before the judge (worker decides)', ratio(poolBench.fairWorkerOnly)],
  ['judge: items/s with / without (N workers)', `${poolBench.judgeOverWorkerOnly.toFixed(2)}x (goal >= 0.85); judge RSS ${poolBench.judgeRssGB.toFixed(1)} GB`],
  ['items/s per GB of worker RSS (N workers)', `standard ${poolBench.itemsPerSecPerGB.toFixed(2)}, fair ${poolBench.fair.itemsPerSecPerGB.toFixed(2)} (${poolBench.workerRssGB.toFixed(1)} GB)`],
  ['check: cold worker / new header text / reused', `${poolBench.coldCheckMs.toFixed(0)} / ${poolBench.newHeaderTextCheckMs.toFixed(0)} / ${poolBench.reusedCheckMs.toFixed(0)} ms`],
  ['reused / cold check cost', `${(100 * poolBench.reusedOverCold).toFixed(1)}% (goal <= 5%)`],
  ['kill busy worker → next request served', `${spares.promotionMs.toFixed(0)} ms (${spares.servedBySpare ? 'by the promoted spare' : 'NOT by the spare'}; target < 1 s)`],
  ['kill → new spare ready (background)', `${s1(spares.newSpareReadyMs)} s`],
  ...searchTable(search),
  ...methodRows(methods),
);
const cb = poolBench.cluster;
if (cb) {
  table.push(
    [`cluster: 1 node x ${cb.workers} workers (Redis + BullMQ)`, `${cb.itemsPerSecOneNode.toFixed(2)} items/s (${cb.oneNodeOverPool.toFixed(2)}x the pool without Redis)`],
    [`cluster: ${cb.workers} nodes x 1 worker`, `${cb.itemsPerSecNodes.toFixed(2)} items/s (${cb.nodesOverPool.toFixed(2)}x the single-node pool, goal >= 0.9)`],
    ['cluster: latency added by the queue p50 / p95', `${r1(cb.addedLatencyMs.p50)} / ${r1(cb.addedLatencyMs.p95)} ms`],
    ['cluster: session resumed on another node', `${r1(cb.resumeOnOtherNodeMs)} ms; first step there (replay) ${r1(cb.firstStepAfterResumeMs)} ms vs ${r1(cb.stepOnOwnerMs)} ms on the owner`],
    ...affinityRows(cb.affinity),
  );
}
console.log(table.toString());
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`written to ${path.relative(PROJECT_ROOT, out)}`);
progress('done');
process.exit(0); // workers are stopped; do not wait for stray handles (sockets, timers) to drain
