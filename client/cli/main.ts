/**
 * `leanenv` command line (`leanenv --help`, `leanenv <command> --help`; the commands, flags,
 * defaults and exit codes are in `specs.ts`, rendered by `commands.ts`):
 *   leanenv serve [server flags]      start the server (as `npm start`)
 *   leanenv check FILES...            batch checking (below)
 *   leanenv prove INPUTS...           best-first proof search (prove.ts)
 *   leanenv repl                      the Lean REPL's JSON protocol on stdin/stdout (repl.ts)
 * `check` reads Lean files or JSONL records, checks them on a server (--server) or on a
 * private server it starts as a child process (with its own Lean workers), shows a progress
 * bar and a summary table (or JSON lines with --json), and exits 1 when any item is not proved.
 */
import os from 'node:os';
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import { checkOnServer } from '../http.js';
import { readItems } from './inputs.js';
import { serveInForeground, startLocalServer } from './server-process.js';
import { prove } from './prove.js';
import { CliError, commandHelp, mainHelp, parseCommand } from './commands.js';
import { CHECK, COMMANDS } from './specs.js';
import { explain } from './errors.js';
import type { CheckItem, CheckResult } from '../../protocol/check.js';

/** Workers for a local check of `items` items: LEANENV_WORKERS, else the server's default (one per core, at most one per 5 GiB), never more than the items. */
function localWorkers(items: number): number {
  const configured = Number(process.env.LEANENV_WORKERS);
  const byDefault = Math.max(1, Math.min(os.availableParallelism(), Math.floor(os.totalmem() / (5 * 2 ** 30))));
  return Math.max(1, Math.min(items, Number.isInteger(configured) && configured > 0 ? configured : byDefault));
}

/** Check items without a server: start a private one (Lean workers included) on a free port, check there, stop it. */
async function checkLocally(items: CheckItem[], onResult: (r: CheckResult) => void, allowedAxioms?: string[]): Promise<CheckResult[]> {
  const bodyBytes = Buffer.byteLength(JSON.stringify({ items, allowedAxioms }));
  const server = await startLocalServer([
    '--workers', String(localWorkers(items.length)),
    '--max-body-bytes', String(Math.max(64 << 20, 2 * bodyBytes)),
    '--http-rate-limit-max', '0',
    '--shutdown-grace-ms', '0',
    '--spare-workers', '0', // one batch: no spares
  ]);
  try {
    return await checkOnServer(server.url, items, onResult, { allowedAxioms });
  } finally {
    await server.stop();
  }
}

async function check(argv: string[]): Promise<number> {
  const parsed = parseCommand(CHECK, argv);
  if (parsed.help) return (console.log(commandHelp(CHECK)), 0);
  const { positionals } = parsed;
  const values = parsed.values as { server?: string; json: boolean; 'allow-axiom'?: string[] };
  if (positionals.length === 0) throw new CliError('no input files: give .lean or .jsonl files (see `leanenv check --help`)');
  const items = readItems(positionals);
  if (items.length === 0) throw new CliError(`no items in ${positionals.join(', ')}: the files are empty`);
  const allowed = values['allow-axiom'];
  const bar = values.json ? undefined : new cliProgress.SingleBar({ format: 'checking [{bar}] {value}/{total} | proved {proved} | {eta_formatted} left', clearOnComplete: false }, cliProgress.Presets.shades_classic);
  let proved = 0;
  bar?.start(items.length, 0, { proved });
  const onResult = (r: CheckResult) => {
    if (r.verdict === 'proved') proved++;
    if (values.json) process.stdout.write(JSON.stringify(r) + '\n');
    bar?.increment(1, { proved });
  };
  const results = values.server
    ? await checkOnServer(values.server, items, onResult, { allowedAxioms: allowed })
    : await checkLocally(items, onResult, allowed);
  bar?.stop();
  if (!values.json) {
    const plain = !process.stdout.isTTY; // no colour codes when piped
    const table = new Table({ head: ['id', 'verdict', 'ms', 'reason'], colWidths: [34, 12, 8, 60], wordWrap: true, ...(plain ? { style: { head: [], border: [] } } : {}) });
    for (const r of results) table.push([r.id, r.verdict, r.elapsedMs, r.reason ?? '']);
    console.log(table.toString());
    const counts = new Map<string, number>();
    for (const r of results) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
    console.log([...counts].map(([v, n]) => `${n} ${v}`).join(', ') + ` of ${results.length}`);
  }
  return results.length === items.length && results.every((r) => r.verdict === 'proved') ? 0 : 1;
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    // Help asked for: stdout and 0; no command at all: the same help on stderr and 2.
    if (command === undefined) (console.error(mainHelp(COMMANDS)), (process.exitCode = 2));
    else console.log(mainHelp(COMMANDS));
  } else if (command === 'check') process.exitCode = await check(rest);
  else if (command === 'prove') process.exitCode = await prove(rest);
  else if (command === 'repl') process.exitCode = await (await import('./repl.js')).repl(rest);
  else if (command === 'serve') process.exitCode = await serveInForeground(rest);
  else throw new CliError(`unknown command "${command}": the commands are ${COMMANDS.map((c) => c.name).join(', ')} (see \`leanenv --help\`)`);
} catch (e) {
  const err = explain(e);
  console.error(`leanenv: ${err.message}`);
  process.exitCode = err.exitCode;
}
