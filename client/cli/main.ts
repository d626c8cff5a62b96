/**
 * `leanenv` command line:
 *   leanenv serve [server flags]                 start the server (as `npm start`)
 *   leanenv check FILES... [--server URL] [--json] [--allow-axiom NAME]...
 *   leanenv prove INPUTS... [--budget N] [--concurrency N] [--policy …] [--json] [--out FILE]   (see prove.ts)
 * `check` reads Lean files or JSONL records, checks them on a server (--server) or on a
 * local Lean worker, shows a progress bar and a summary table (or JSON lines with --json),
 * and exits 1 when any item is not proved.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import { checkOnServer } from '../http.js';
import { readItems } from './inputs.js';
import { prove, PROVE_USAGE } from './prove.js';
import type { CheckItem, CheckResult } from '../../protocol/check.js';

const USAGE = `usage:
  leanenv serve [--host H] [--port P] [--backend auto|native|wasm] ...
  leanenv check FILES... [--server URL] [--json] [--allow-axiom NAME]...
${PROVE_USAGE}`;

/** Check items on local workers (no server): a pool of up to `--workers` Lean processes. */
async function checkLocally(items: CheckItem[], onResult: (r: CheckResult) => void, allowedAxioms?: string[]): Promise<CheckResult[]> {
  const { loadConfig } = await import('../../server/config/config.js');
  const { resolveBackend } = await import('../../server/lean/backend.js');
  const { createPool } = await import('../../server/pool/create.js');
  const { forEachLimited } = await import('../../server/pool/worker-pool.js');
  const { checkItem } = await import('../../server/check/checker.js');
  const config = loadConfig([]);
  const size = Math.min(config.workers, items.length);
  const pool = createPool(await resolveBackend(config), config, undefined, size);
  const results: CheckResult[] = [];
  try {
    await pool.start();
    await forEachLimited(items, size, async (it) => {
      const r = await pool.run({ tenant: 'cli' }, ({ worker }) => checkItem(worker, it, { allowedAxioms }));
      results.push(r);
      onResult(r);
    });
  } finally {
    await pool.close();
  }
  return results;
}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { server: { type: 'string' }, json: { type: 'boolean', default: false }, 'allow-axiom': { type: 'string', multiple: true } },
  });
  if (positionals.length === 0) throw new Error(`no input files\n${USAGE}`);
  const items = readItems(positionals);
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
  if (command === 'check') process.exitCode = await check(rest);
  else if (command === 'prove') process.exitCode = await prove(rest);
  else if (command === 'serve') {
    process.argv = [process.argv[0]!, process.argv[1]!, ...rest];
    await import('../../server/main.js');
  } else {
    console.error(USAGE);
    process.exitCode = 2;
  }
} catch (e) {
  console.error(`leanenv: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
}
