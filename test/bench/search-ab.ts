/**
 * `npm run bench:ab -- --baseline DIR [--rounds N] [--statements N]`: the same prover agent
 * (the built-in policy, 12 tactics per expansion, 32 expansions per statement, two statements
 * at a time) against two servers started side by side in one sitting, alternated: this checkout
 * and the checkout in DIR (e.g. an older commit, after `npm ci && npm run setup` there). Each
 * server runs as its own process with 2 workers and no spare, and is left until both workers
 * are ready before the agent starts. Prints wall time, `proof.start` / `proof.expand` /
 * `proof.verify` p50 (client round trip) and tactics per second per run, and the ratios; writes
 * `.bench/search-ab.json`.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import Table from 'cli-table3';
import { execa, type ResultPromise } from 'execa';
import { BuiltinPolicy, proveMany, WebSocketBackend } from '../../client/search/index.js';
import { PROJECT_ROOT } from '../../server/provision/paths.js';
import { coreSubset } from '../support/lean.js';
import { AGENT_BUDGET, quantiles } from './methods.js';

/** One agent run against one server. */
interface AbRun {
  label: string;
  round: number;
  wallS: number;
  proved: number;
  tactics: number;
  tacticsPerS: number;
  /** Worker errors the agent saw (a tactic that ended a worker: a restart it waited for). */
  workerErrors: number;
  /** One-minute load average at the agent's start and end (other work on the machine skews a run). */
  load: [number, number];
  p50: Record<'proof.start' | 'proof.expand' | 'proof.verify', number>;
}

/** A free loopback port. */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Start the server of checkout `dir` with 2 workers and no spare; resolves once both workers are ready. */
async function startServer(dir: string): Promise<{ url: string; child: ResultPromise }> {
  const port = await freePort();
  const tsx = path.join(dir, 'node_modules/tsx/dist/esm/index.mjs');
  const child = execa(process.execPath, ['--import', `file://${tsx}`, path.join(dir, 'server/main.ts')], {
    cwd: dir,
    env: { HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', LEANENV_WORKERS: '2', LEANENV_SPARE_WORKERS: '0', LEANENV_WS_RATE_PER_SECOND: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
    reject: false,
  });
  const url = `http://127.0.0.1:${port}`;
  for (const t0 = Date.now(); Date.now() - t0 < 300_000; await new Promise((r) => setTimeout(r, 1000))) {
    if (child.exitCode !== null) throw new Error(`the server in ${dir} exited before it was ready`);
    const h = await fetch(`${url}/health`).then((r) => r.json() as Promise<{ workers?: { ready?: number } }>).catch(() => undefined);
    if ((h?.workers?.ready ?? 0) >= 2) return { url, child };
  }
  child.kill('SIGKILL');
  throw new Error(`the server in ${dir} did not have 2 ready workers within 300 s`);
}

/** Run the agent over `targets` against the server of `dir`. */
async function runAgent(label: string, round: number, dir: string, targets: Array<{ id: string; header: string; statement: string }>): Promise<AbRun> {
  const { url, child } = await startServer(dir);
  const times: Record<string, number[]> = {};
  try {
    const load0 = os.loadavg()[0]!;
    const t0 = performance.now();
    const results = await proveMany(targets, () => WebSocketBackend.connect(url, { onResponse: (m, ms, ok) => ok && (times[m] ??= []).push(ms) }), new BuiltinPolicy(), { concurrency: 2, search: AGENT_BUDGET });
    const wallS = (performance.now() - t0) / 1000;
    const tactics = results.reduce((s, r) => s + r.tacticApplications, 0);
    const p50 = (m: string) => quantiles(times[m] ?? []).p50;
    return { label, round, wallS, proved: results.filter((r) => r.proved).length, tactics, tacticsPerS: tactics / wallS, workerErrors: results.reduce((s, r) => s + r.backend.workerErrors, 0), load: [load0, os.loadavg()[0]!], p50: { 'proof.start': p50('proof.start'), 'proof.expand': p50('proof.expand'), 'proof.verify': p50('proof.verify') } };
  } finally {
    child.kill('SIGTERM');
    await child;
  }
}

const { values } = parseArgs({ options: { baseline: { type: 'string' }, rounds: { type: 'string', default: '2' }, statements: { type: 'string', default: '50' } } });
if (!values.baseline) throw new Error('usage: npm run bench:ab -- --baseline DIR [--rounds N] [--statements N]');
const baseline = path.resolve(values.baseline);
const targets = [...coreSubset().values()].slice(0, Number(values.statements)).map((it) => ({ id: it.id, header: it.header, statement: it.body }));
const sides: Array<[string, string]> = [
  ['this checkout', PROJECT_ROOT],
  [`baseline (${path.basename(baseline)})`, baseline],
];
const runs: AbRun[] = [];
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [label, dir] of round % 2 ? [sides[1]!, sides[0]!] : sides) {
    console.log(`round ${round}: ${label}: starting its server`);
    const r = await runAgent(label, round, dir, targets);
    runs.push(r);
    console.log(`round ${round}: ${label}: ${r.wallS.toFixed(1)} s, ${r.proved} proved, ${r.tacticsPerS.toFixed(1)} tactics/s, ${r.workerErrors} worker errors`);
  }
}
const table = new Table({ head: ['', 'wall s', 'proved', 'worker errors', 'load', 'tactics/s', 'proof.start p50', 'proof.expand p50', 'proof.verify p50'] });
const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
for (const r of runs) table.push([`${r.label}, round ${r.round}`, f(r.wallS), String(r.proved), String(r.workerErrors), `${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)}`, f(r.tacticsPerS), f(r.p50['proof.start']), f(r.p50['proof.expand']), f(r.p50['proof.verify'])]);
const mean = (label: string, k: (r: AbRun) => number) => {
  const xs = runs.filter((r) => r.label === label).map(k);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};
const ratio = (k: (r: AbRun) => number) => (mean(sides[0]![0], k) / mean(sides[1]![0], k)).toFixed(2) + 'x';
table.push(['this / baseline (means)', ratio((r) => r.wallS), '', '', '', ratio((r) => r.tacticsPerS), ratio((r) => r.p50['proof.start']), ratio((r) => r.p50['proof.expand']), ratio((r) => r.p50['proof.verify'])]);
console.log(table.toString());
const out = path.join(PROJECT_ROOT, '.bench', 'search-ab.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), baseline, budget: AGENT_BUDGET, runs }, null, 2) + '\n');
console.log(`written to ${path.relative(PROJECT_ROOT, out)}`);
process.exit(0);
