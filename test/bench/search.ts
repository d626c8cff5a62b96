/**
 * The search section of `npm run bench`: the built-in policy's best-first search on the
 * core-subset statements with a fixed budget, through the WebSocket API (a one-worker server)
 * and, statement by statement in alternating order, directly on the same worker's REPL
 * methods with the same policy (same dedup, cache and verdict), so that the API's share of
 * search time shows; a third API run per statement keeps traces (per-tactic `meta`, then
 * `proof.traces` fetched before the session closes, as `leanenv prove --traces` does) for the
 * cost of traces and their size; and the one-shot baseline `first | rfl | decide | omega | simp` counted
 * on the same worker.
 */
import { performance } from 'node:perf_hooks';
import { build } from '../../server/app.js';
import type { Config } from '../../server/config/config.js';
import { verifySolvedState } from '../../server/check/verify-state.js';
import { LeanWorkerError } from '../../server/lean/errors.js';
import { stripProofBody, type LeanWorker, type WorkerSpawn } from '../../server/lean/worker.js';
import { createPool } from '../../server/pool/create.js';
import { BuiltinPolicy, searchOne, searchSession, WebSocketBackend, type SearchOptions, type SearchResult, type SearchTarget } from '../../client/search/index.js';
import type { BenchmarkItem } from '../support/lean.js';
import { DirectProofSession, WorkerDied, type CrashLog } from './search-direct.js';
import { benchJudge } from './judge.js';
import { percentile } from './stats.js';

export const BASELINE = 'first | rfl | decide | omega | simp';

/** What the search part of the bench measured. */
export interface SearchBenchResult {
  statements: number;
  budget: SearchOptions;
  proved: number;
  /** Proved statements whose proof has two or more tactics. */
  provedMultiStep: number;
  baselineProved: number;
  expansions: number;
  tacticApplications: number;
  expansionsPerSecPerWorker: number;
  tacticApplicationsPerSec: number;
  timeToProofMs: { p50: number; p95: number };
  /** Search time over the statements where neither run saw a worker die. */
  comparedStatements: number;
  webSocketSearchS: number;
  directSearchS: number;
  /** (WebSocket − direct) / WebSocket search time. */
  apiShare: number;
  /** Statements on which both runs applied the same number of tactics (same tree explored). */
  sameTree: number;
  /** Worker errors seen by the WebSocket run, worker deaths in the direct run. */
  webSocketWorkerErrors: number;
  directWorkerDeaths: number;
  /** One-shot baseline attempts that ended the worker (counted as not proved). */
  baselineWorkerDeaths: number;
  directProved: number;
  /** Solved states (through the API) whose `proof.verify` refused the proof: a step said solved, the check did not agree. */
  verifyRejected: number;
  /** API search wall time without and with traces (same statements, same tree), and the relative cost. */
  untracedSearchS: number;
  tracedSearchS: number;
  traceOverhead: number;
  /** Trace records (edges + failed attempts) written, edges among them, and JSONL bytes per record and per edge. */
  traceRecords: number;
  traceEdges: number;
  traceBytesPerRecord: number;
  traceBytesPerEdge: number;
}

/** Run the search bench on a fresh one-worker pool (its own worker start). */
export async function benchSearch(spec: WorkerSpawn, config: Config, items: BenchmarkItem[], budget: SearchOptions, log: (l: string) => void = () => {}): Promise<SearchBenchResult> {
  const pool = createPool(spec, config, undefined, 1);
  await pool.start();
  const judge = await benchJudge();
  const app = await build({ pool, judge, ownsPool: false, logLevel: 'warn', wsRateLimit: { perSecond: 0, burst: 1 } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const backend = await WebSocketBackend.connect(url);
  const policy = new BuiltinPolicy();
  const crashes: CrashLog = new Set();
  let directDeaths = 0;
  let baselineWorkerDeaths = 0;

  /** On the pool's worker, directly; a statement whose worker died is searched again on the replacement. */
  const diedOn = new Set<string>();
  const onWorker = async <T>(id: string, header: string, f: (w: LeanWorker) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await pool.run({ tenant: 'direct', header }, ({ worker }) => f(worker));
      } catch (e) {
        if (!(e instanceof WorkerDied) || attempt >= 4) throw e;
        directDeaths++;
        diedOn.add(id);
      }
    }
  };
  const direct = (t: { id: string; header: string; statement: string }): Promise<SearchResult> =>
    onWorker(t.id, t.header, async (w) => {
      const session = await DirectProofSession.open(w, t, crashes, judge);
      try {
        return await searchSession(t, session, policy, budget);
      } finally {
        await session.close();
      }
    });
  const baseline = (t: { id: string; header: string; statement: string }): Promise<boolean> =>
    onWorker(t.id, t.header, async (w) => {
      const env = await w.importHeader(t.header);
      const start = await w.startProof(env.env, { statement: t.statement });
      try {
        const r = await w.applyTactic(start.proofState, BASELINE);
        const proved = r.status === 'solved' && (await verifySolvedState(w, judge, r.proofState, { id: t.id, header: t.header, statement: stripProofBody(t.statement), tactics: [BASELINE] })).proved;
        await w.drop({ proofStates: [start.proofState, ...(r.status === 'failed' ? [] : [r.proofState])] });
        return proved;
      } catch (e) {
        if (!(e instanceof LeanWorkerError)) throw e;
        baselineWorkerDeaths++; // the one-shot attempt ended the worker: not proved
        return false;
      }
    });

  const viaApi: SearchResult[] = [];
  const viaWorker: SearchResult[] = [];
  /** Per statement: wall time of the plain and the traced API search (ms), and whether they explored the same tree. */
  const tracePairs: { plainMs: number; tracedMs: number; same: boolean }[] = [];
  let traceRecords = 0;
  let traceEdges = 0;
  let traceBytes = 0;
  const walled = async (f: () => Promise<SearchResult>): Promise<[SearchResult, number]> => {
    const t0 = performance.now();
    const r = await f();
    return [r, performance.now() - t0];
  };
  let baselineProved = 0;
  try {
    for (const [i, it] of items.entries()) {
      const t = { id: it.id, header: it.header, statement: it.body };
      // Rotate the order (a Latin square over every three statements): each run is first, second
      // and third equally often, so none gains from another warming Lean up.
      let plain: [SearchResult, number] | undefined;
      let traced: [SearchResult, number] | undefined;
      const ws = () => walled(() => searchOne(t, backend, policy, budget)).then((r) => void viaApi.push((plain = r)[0]));
      const dr = () => direct(t).then((r) => void viaWorker.push(r));
      const tr = () =>
        walled(() =>
          searchOne(t, backend, policy, { ...budget, annotate: true }, (_t, recs) => {
            traceRecords += recs.length;
            traceEdges += recs.filter((x) => x.kind === 'edge').length;
            traceBytes += recs.reduce((n, x) => n + Buffer.byteLength(JSON.stringify(x)) + 1, 0);
          }),
        ).then((r) => void (traced = r));
      const orders = [
        [ws, tr, dr],
        [tr, dr, ws],
        [dr, ws, tr],
      ];
      for (const run of orders[i % 3]!) await run();
      const [p, pm] = plain!;
      const [q, qm] = traced!;
      tracePairs.push({ plainMs: pm, tracedMs: qm, same: p.tacticApplications === q.tacticApplications && p.backend.workerErrors + q.backend.workerErrors === 0 });
      if (await baseline(t)) baselineProved++;
      const a = viaApi.at(-1)!;
      log(`search ${i + 1}/${items.length} ${it.id}: ${a.status} in ${a.expansions} expansions, ${(a.timeMs / 1000).toFixed(2)} s (direct ${(viaWorker.at(-1)!.timeMs / 1000).toFixed(2)} s)`);
    }
  } finally {
    await backend.close();
    await app.close();
    await pool.close();
  }
  const clean = viaApi.map((a, i) => [a, viaWorker[i]!] as const).filter(([a]) => a.backend.workerErrors === 0 && !diedOn.has(a.id));
  const compared = clean.length > 0 ? clean : viaApi.map((a, i) => [a, viaWorker[i]!] as const);
  const wsS = compared.reduce((s, [a]) => s + a.timeMs, 0) / 1000;
  const directS = compared.reduce((s, [, d]) => s + d.timeMs, 0) / 1000;
  const totalS = viaApi.reduce((s, r) => s + r.timeMs, 0) / 1000;
  const proved = viaApi.filter((r) => r.proved);
  const expansions = viaApi.reduce((s, r) => s + r.expansions, 0);
  const applications = viaApi.reduce((s, r) => s + r.tacticApplications, 0);
  return {
    statements: items.length,
    budget,
    proved: proved.length,
    provedMultiStep: proved.filter((r) => r.tactics!.length >= 2).length,
    baselineProved,
    expansions,
    tacticApplications: applications,
    expansionsPerSecPerWorker: expansions / totalS,
    tacticApplicationsPerSec: applications / totalS,
    timeToProofMs: { p50: percentile(proved.map((r) => r.timeToProofMs!), 50), p95: percentile(proved.map((r) => r.timeToProofMs!), 95) },
    comparedStatements: compared.length,
    webSocketSearchS: wsS,
    directSearchS: directS,
    apiShare: (wsS - directS) / wsS,
    sameTree: viaApi.filter((a, i) => a.tacticApplications === viaWorker[i]!.tacticApplications).length,
    webSocketWorkerErrors: viaApi.reduce((s, r) => s + r.backend.workerErrors, 0),
    directWorkerDeaths: directDeaths,
    baselineWorkerDeaths,
    directProved: viaWorker.filter((r) => r.proved).length,
    verifyRejected: viaApi.reduce((s, r) => s + r.rejected, 0),
    ...traceCost(tracePairs),
    traceRecords,
    traceEdges,
    traceBytesPerRecord: traceRecords ? traceBytes / traceRecords : 0,
    traceBytesPerEdge: traceEdges ? traceBytes / traceEdges : 0,
  };
}

/** Wall time with and without traces over the statements where both runs explored the same tree. */
function traceCost(pairs: { plainMs: number; tracedMs: number; same: boolean }[]): Pick<SearchBenchResult, 'untracedSearchS' | 'tracedSearchS' | 'traceOverhead'> {
  const same = pairs.filter((p) => p.same);
  const use = same.length > 0 ? same : pairs;
  const plain = use.reduce((s, p) => s + p.plainMs, 0) / 1000;
  const traced = use.reduce((s, p) => s + p.tracedMs, 0) / 1000;
  return { untracedSearchS: plain, tracedSearchS: traced, traceOverhead: plain > 0 ? (traced - plain) / plain : 0 };
}

/** Table rows for the bench's summary table. */
export function searchRows(s: SearchBenchResult): string[][] {
  const b = s.budget;
  return [
    ['search: built-in policy, budget', `${b.maxExpansions} expansions, depth ${b.maxDepth}, width ${b.width}, ${s.statements} statements, 1 worker`],
    ['search: proved (2+ tactics) / one-shot baseline', `${s.proved} (${s.provedMultiStep}) / ${s.baselineProved} (\`${BASELINE}\`); direct run proved ${s.directProved}`],
    ['search: expansions / tactic applications per s', `${s.expansionsPerSecPerWorker.toFixed(1)} per worker (target >= 20) / ${s.tacticApplicationsPerSec.toFixed(1)} (${s.expansions} / ${s.tacticApplications} in all)`],
    ['search: time to proof p50 / p95', `${s.timeToProofMs.p50.toFixed(0)} / ${s.timeToProofMs.p95.toFixed(0)} ms`],
    ['search: via API / direct on the worker', `${s.webSocketSearchS.toFixed(1)} / ${s.directSearchS.toFixed(1)} s over ${s.comparedStatements} statements (same tree on ${s.sameTree})`],
    ['search: API share of search time', `${(100 * s.apiShare).toFixed(1)}% (target <= 5%)`],
    ['search: worker restarts (API run / direct run / baseline)', `${s.webSocketWorkerErrors} / ${s.directWorkerDeaths} / ${s.baselineWorkerDeaths}`],
    ['search: solved states proof.verify refused', `${s.verifyRejected}`],
    ['search: with traces / without (API, same tree)', `${s.tracedSearchS.toFixed(1)} / ${s.untracedSearchS.toFixed(1)} s: traces cost ${(100 * s.traceOverhead).toFixed(1)}% (target < 5%)`],
    ['search: trace size (JSONL)', `${s.traceBytesPerEdge.toFixed(0)} bytes per edge, ${s.traceBytesPerRecord.toFixed(0)} per record (${s.traceEdges} edges, ${s.traceRecords} records)`],
  ];
}
