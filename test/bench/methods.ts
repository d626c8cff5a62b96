/**
 * The per-method section of `npm run bench`: a best-first search as a prover agent runs it (the
 * built-in policy, 12 tactics per expansion, 32 expansions per statement) over the WebSocket API
 * of a two-worker server, one statement at a time, with every API call timed by the client and
 * every REPL request it made timed at the worker boundary beside the time Lean reports for it
 * (`server/lean/request-events.ts`). A method's time splits into Lean's own, the worker channel
 * (boundary minus Lean: framing, MAC, the hand-off to Lean's thread, JSON on both sides; its floor
 * is `state.stats`, a request that does no work) and the API layer (client round trip minus the
 * boundary: WebSocket, validation, the session registry, the pool's lease).
 */
import { performance } from 'node:perf_hooks';
import { build } from '../../server/app.js';
import type { Config } from '../../server/config/config.js';
import { onReplRequest, type ReplRequestEvent } from '../../server/lean/request-events.js';
import type { WorkerSpawn } from '../../server/lean/worker.js';
import { createPool } from '../../server/pool/create.js';
import { BuiltinPolicy, searchOne, WebSocketBackend, type SearchOptions } from '../../client/search/index.js';
import type { BenchmarkItem } from '../support/lean.js';
import { benchJudge } from './judge.js';
import { percentile } from './stats.js';

/** The agent's shape: 12 tactics per expansion, at most 32 expansions per statement. */
export const AGENT_BUDGET: SearchOptions = { maxExpansions: 32, maxDepth: 6, timeMs: 120_000, width: 12, lengthNormalization: 0 };

/** p50 and p95 of a sample. */
export interface Quantiles {
  n: number;
  p50: number;
  p95: number;
}

/** One API method: client round trip, the REPL requests it made (boundary and Lean), and the split. */
export interface ApiMethodRow {
  method: string;
  api: Quantiles;
  boundary: Quantiles;
  lean: Quantiles;
  /** Medians of the parts: API layer (round trip − boundary), channel (boundary − Lean), Lean. */
  split: { apiLayerMs: number; channelMs: number; leanMs: number };
  /** (API p50 − Lean p50) / Lean p50. */
  overheadOverLean: number;
}

/** One REPL method at the worker boundary. */
export interface ReplMethodRow {
  method: string;
  boundary: Quantiles;
  lean: Quantiles;
  channelP50Ms: number;
}

/** What the section measured. */
export interface MethodsBenchResult {
  statements: number;
  proved: number;
  wallS: number;
  tacticApplications: number;
  budget: SearchOptions;
  api: ApiMethodRow[];
  repl: ReplMethodRow[];
}

/** p50/p95 of `xs` (nearest rank). */
export function quantiles(xs: number[]): Quantiles {
  return { n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95) };
}

interface ApiCall {
  method: string;
  start: number;
  end: number;
}
interface ReplCall extends ReplRequestEvent {
  end: number;
}

/** Group the REPL requests made during each API call (calls do not overlap: one statement at a time). */
function attribute(calls: ApiCall[], repl: ReplCall[]): Map<ApiCall, ReplCall[]> {
  const sorted = repl.filter((r) => r.method !== 'state.drop').sort((a, b) => a.end - b.end);
  const out = new Map<ApiCall, ReplCall[]>();
  let j = 0;
  for (const c of [...calls].sort((a, b) => a.start - b.start)) {
    while (j < sorted.length && sorted[j]!.end < c.start) j++;
    const mine: ReplCall[] = [];
    for (let k = j; k < sorted.length && sorted[k]!.end <= c.end; k++) mine.push(sorted[k]!);
    out.set(c, mine);
  }
  return out;
}

/** Run the agent over `items` on a fresh two-worker server and split each method's time. */
export async function benchMethods(spec: WorkerSpawn, config: Config, items: BenchmarkItem[], log: (l: string) => void = () => {}): Promise<MethodsBenchResult> {
  const pool = createPool(spec, config, undefined, 2, 0);
  await pool.start();
  const judge = await benchJudge();
  const app = await build({ pool, judge, ownsPool: false, logLevel: 'warn', wsRateLimit: { perSecond: 0, burst: 1 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const calls: ApiCall[] = [];
  const repl: ReplCall[] = [];
  const stop = onReplRequest((e) => repl.push({ ...e, end: performance.now() }));
  const backend = await WebSocketBackend.connect(url, { onResponse: (method, ms, ok) => ok && calls.push({ method, start: performance.now() - ms, end: performance.now() }) });
  const policy = new BuiltinPolicy();
  let proved = 0;
  let applications = 0;
  const t0 = performance.now();
  try {
    // The channel's floor: a request that does no work, on a worker.
    for (let i = 0; i < 20; i++) await pool.run({ tenant: 'floor' }, ({ worker }) => worker.request('state.stats', {}));
    for (const [i, it] of items.entries()) {
      const r = await searchOne({ id: it.id, header: it.header, statement: it.body }, backend, policy, AGENT_BUDGET);
      proved += r.proved ? 1 : 0;
      applications += r.tacticApplications;
      log(`methods ${i + 1}/${items.length} ${it.id}: ${r.status}, ${r.expansions} expansions, ${(r.timeMs / 1000).toFixed(1)} s (elapsed ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    stop();
    await backend.close();
    await app.close();
    await pool.close();
  }
  const wallS = (performance.now() - t0) / 1000;
  const byCall = attribute(calls, repl);
  const api: ApiMethodRow[] = [];
  for (const method of [...new Set(calls.map((c) => c.method))].sort()) {
    const mine = calls.filter((c) => c.method === method);
    const apiMs = mine.map((c) => c.end - c.start);
    const boundary = mine.map((c) => byCall.get(c)!.reduce((s, r) => s + r.boundaryMs, 0));
    const lean = mine.map((c) => byCall.get(c)!.reduce((s, r) => s + (r.leanMs ?? 0), 0));
    const med = (xs: number[]) => quantiles(xs).p50;
    const row: ApiMethodRow = {
      method,
      api: quantiles(apiMs),
      boundary: quantiles(boundary),
      lean: quantiles(lean),
      split: { apiLayerMs: med(apiMs.map((a, i) => a - boundary[i]!)), channelMs: med(boundary.map((b, i) => b - lean[i]!)), leanMs: med(lean) },
      overheadOverLean: 0,
    };
    row.overheadOverLean = row.lean.p50 > 0 ? (row.api.p50 - row.lean.p50) / row.lean.p50 : NaN;
    api.push(row);
  }
  const replRows: ReplMethodRow[] = [...new Set(repl.map((r) => r.method))].sort().map((method) => {
    const mine = repl.filter((r) => r.method === method && r.ok);
    return {
      method,
      boundary: quantiles(mine.map((r) => r.boundaryMs)),
      lean: quantiles(mine.filter((r) => r.leanMs !== undefined).map((r) => r.leanMs!)),
      channelP50Ms: quantiles(mine.map((r) => r.boundaryMs - (r.leanMs ?? 0))).p50,
    };
  });
  return { statements: items.length, proved, wallS, tacticApplications: applications, budget: AGENT_BUDGET, api, repl: replRows };
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const q = (x: Quantiles) => `${f1(x.p50)} / ${f1(x.p95)}`;

/** Table rows for the bench's summary. */
export function methodRows(m: MethodsBenchResult): string[][] {
  return [
    ['methods: agent', `${m.statements} statements, 12 tactics x 32 expansions, 2 workers, one statement at a time: ${m.proved} proved, ${m.tacticApplications} tactics in ${m.wallS.toFixed(1)} s`],
    ...m.api.map((r) => [
      `methods: ${r.method} (n=${r.api.n})`,
      `API ${q(r.api)} ms p50/p95; worker boundary ${q(r.boundary)}; Lean ${q(r.lean)}; split at p50: API layer ${f1(r.split.apiLayerMs)} + channel ${f1(r.split.channelMs)} + Lean ${f1(r.split.leanMs)} ms; overhead over Lean ${Number.isFinite(r.overheadOverLean) ? (100 * r.overheadOverLean).toFixed(0) + '%' : '-'}`,
    ]),
    ...m.repl.map((r) => [`methods: REPL ${r.method} (n=${r.boundary.n})`, `boundary ${q(r.boundary)} ms p50/p95; Lean ${q(r.lean)}; channel p50 ${f1(r.channelP50Ms)} ms`]),
  ];
}
