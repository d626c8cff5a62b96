/**
 * `leanenv prove INPUTS... [--budget N] [--concurrency N] [--policy builtin|exec:CMD|openai:URL]
 * [--json] [--out FILE] [--traces FILE] [--server URL]`: best-first proof search over the WebSocket API for
 * statements from JSONL files (`{id, header, body}` records, `body` ending in `:= by sorry`)
 * or dataset ids. With `--server` it uses that server; without, it starts one in-process with
 * up to `--concurrency` local Lean workers. A progress bar, a results table and each verified
 * proof text (or one JSON line per statement with `--json`); `--out` writes the proofs as
 * JSONL that `leanenv check` accepts; `--traces` writes the search-trace records of every
 * statement searched (JSONL, or Parquet for a `.parquet` name; docs/traces.md). Exit code 0 when every statement is proved, 1 otherwise,
 * 2 on bad input.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalServer } from './server-process.js';
import { CliError, commandHelp, parseCommand } from './commands.js';
import { PROVE } from './specs.js';
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import { z } from 'zod';
import { describeIssues } from '../../protocol/issues.js';
import { openTraceFile } from '../search/trace-file.js';
import type { SearchTraceRecord } from '../../protocol/traces.js';
import { DEFAULT_SEARCH, policyFromSpec, proveMany, WebSocketBackend, type SearchResult, type SearchTarget } from '../search/index.js';


/** A JSONL record to prove: `{id, header?, body}` (body `theorem … := by sorry`) or `{id, header?, statement}`. */
const ProveRecord = z.union([
  z.object({ id: z.string().min(1), header: z.string().default(''), body: z.string().min(1) }),
  z.object({ id: z.string().min(1), header: z.string().default(''), statement: z.string().min(1) }),
]);

/** The benchmark files next to the project (`../shared/benchmarks/*.jsonl`, by name: core-subset first), where dataset ids are looked up first. */
function benchmarkFiles(): string[] {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/benchmarks');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort().map((f) => path.join(dir, f)) : [];
}

/** Records of a JSONL file; a bad line throws with its file and line number. */
function readRecords(file: string): Array<{ id: string; header: string; statement: string }> {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => {
      if (!line.trim()) return [];
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${i + 1}: not JSON`);
      }
      const r = ProveRecord.safeParse(raw);
      if (!r.success) throw new Error(`${file}:${i + 1}: not a statement record (${describeIssues(r.error, 'record').join('; ')})`);
      return [{ id: r.data.id, header: r.data.header, statement: 'body' in r.data ? r.data.body : r.data.statement }];
    });
}

/**
 * Targets from inputs: every record of each `.jsonl` file; any other argument is a dataset id,
 * resolved from the benchmark files when found there (so its header and statement are known
 * for `--out`), else sent to the server as `datasetId`.
 */
export function readTargets(inputs: string[]): SearchTarget[] {
  let known: Map<string, { id: string; header: string; statement: string }> | undefined;
  return inputs.flatMap((input): SearchTarget[] => {
    if (input.endsWith('.jsonl')) return readRecords(input);
    if (!known) {
      known = new Map();
      for (const r of benchmarkFiles().flatMap(readRecords)) if (!known.has(r.id)) known.set(r.id, r); // the first file wins, as on the server
    }
    return [known.get(input) ?? { id: input, datasetId: input }];
  });
}

/** A private server (a child process, no server code imported) on a free loopback port (no `--server`): its URL and a stop function. */
async function localServer(workers: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const configured = Number(process.env.LEANENV_WORKERS);
  const size = Math.max(1, Math.min(workers, Number.isInteger(configured) && configured > 0 ? configured : workers));
  return startLocalServer(['--workers', String(size), '--spare-workers', '0', '--ws-rate-per-second', '0', '--shutdown-grace-ms', '0']);
}

const int = (v: string | undefined, name: string, dflt: number): number => {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`--${name} must be a non-negative number, got ${JSON.stringify(v)} (see \`leanenv prove --help\`)`);
  return n;
};

/** Run `leanenv prove`; the exit code. */
export async function prove(argv: string[]): Promise<number> {
  const parsed = parseCommand(PROVE, argv);
  if (parsed.help) return (console.log(commandHelp(PROVE)), 0);
  const { positionals } = parsed;
  const values = parsed.values as Record<string, string | undefined> & { json: boolean; policy: string };
  if (positionals.length === 0) throw new CliError('nothing to prove: give .jsonl files or dataset ids (see `leanenv prove --help`)');
  const targets = readTargets(positionals);
  const search = {
    maxExpansions: int(values.budget, 'budget', DEFAULT_SEARCH.maxExpansions),
    maxDepth: int(values.depth, 'depth', DEFAULT_SEARCH.maxDepth),
    timeMs: 1000 * int(values['time-limit'], 'time-limit', DEFAULT_SEARCH.timeMs / 1000),
    width: int(values.width, 'width', DEFAULT_SEARCH.width),
    lengthNormalization: int(values['length-norm'], 'length-norm', DEFAULT_SEARCH.lengthNormalization),
  };
  const concurrency = Math.max(1, int(values.concurrency, 'concurrency', 1));
  const openai = values['openai-config'] ? (JSON.parse(fs.readFileSync(values['openai-config'], 'utf8')) as Record<string, unknown>) : undefined;
  const policy = policyFromSpec(values.policy, { openai });
  const bar = values.json ? undefined : new cliProgress.SingleBar({ format: 'proving [{bar}] {value}/{total} | proved {proved} | {eta_formatted} left', clearOnComplete: false }, cliProgress.Presets.shades_classic);
  let proved = 0;
  const server = values.server ? { url: values.server, stop: async () => undefined } : await localServer(concurrency);
  let results: SearchResult[];
  const traces = values.traces ? openTraceFile(values.traces) : undefined;
  try {
    bar?.start(targets.length, 0, { proved });
    results = await proveMany(targets, () => WebSocketBackend.connect(server.url, { token: values.token }), policy, {
      concurrency,
      search,
      ...(traces ? { onTraces: (_t: SearchTarget, records: SearchTraceRecord[]) => traces.write(records) } : {}),
      onResult: (r) => {
        if (r.proved) proved++;
        if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
        bar?.increment(1, { proved });
      },
    });
    bar?.stop();
  } finally {
    traces?.close();
    await policy.close?.();
    await server.stop();
  }
  if (values.out) {
    const lines = results.filter((r) => r.proved).map((r) => JSON.stringify({ id: r.id, header: r.header ?? '', body: r.proofText, ...(r.statement ? { reference: r.statement } : {}) }));
    fs.writeFileSync(values.out, lines.map((l) => l + '\n').join(''));
  }
  if (!values.json) printResults(results);
  return results.every((r) => r.proved) ? 0 : 1;
}

/** The results table, then each verified proof. */
function printResults(results: SearchResult[]): void {
  const plain = !process.stdout.isTTY;
  const table = new Table({ head: ['id', 'result', 'tactics', 'expansions', 'depth', 'time s', 'restarts'], ...(plain ? { style: { head: [], border: [] } } : {}) });
  for (const r of results) {
    table.push([r.id, r.status, r.tactics?.length ?? '', r.expansions, r.depth, (r.timeMs / 1000).toFixed(1), r.backend.workerErrors]);
  }
  console.log(table.toString());
  for (const r of results.filter((x) => x.error)) console.log(`${r.id}: ${r.error}`);
  for (const r of results.filter((x) => x.proved)) console.log(`\n-- ${r.id}\n${r.proofText}`);
  const proved = results.filter((r) => r.proved).length;
  console.log(`${proved} proved of ${results.length}`);
}
