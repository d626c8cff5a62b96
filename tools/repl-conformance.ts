/**
 * `npm run repl:conformance -- DIR [--server URL] [--file-root DIR] [--only NAME,…] [--json]`:
 * runs every `NAME.in` of DIR that has a `NAME.expected.out` through `leanenv repl` (the real
 * CLI, one process per transcript, against a server it starts — one Lean worker, file root
 * and pickle directory set — or the one given by `--server`), compares the replies with
 * tools/repl-compare.ts and prints, per file, `match` / `differs` with the differences by
 * class, then "matched N of M". Message text differences are listed as "wording" and do not
 * count against a match. Used on the upstream REPL's own test transcripts (docs/compat.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { startLocalServer, type LocalServer } from '../client/cli/server-process.js';
import { compareReplies, matches, splitTranscript, type ReplDifference } from './repl-compare.js';

const CLI = fileURLToPath(new URL('../client/cli/bin.js', import.meta.url));
const PER_FILE_TIMEOUT_MS = 900_000; // `exact?` over the whole library is slow on the embedded Lean

/** The replies of one transcript: every JSON value `leanenv repl` printed (unparseable ones kept as text). */
async function runTranscript(server: string, input: string, cwd: string): Promise<unknown[]> {
  const r = await execa(process.execPath, [CLI, 'repl', '--server', server], { input, cwd, reject: false, timeout: PER_FILE_TIMEOUT_MS });
  if (r.timedOut) throw new Error(`timed out after ${PER_FILE_TIMEOUT_MS / 1000} s`);
  return splitTranscript(String(r.stdout)).map(parseOrText);
}

function parseOrText(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function brief(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

/** One line per difference, grouped by class. */
function describe(diffs: readonly ReplDifference[]): string[] {
  return diffs.map((d) => `    [${d.kind}] reply ${d.reply}${d.path ? ` ${d.path}` : ''}: expected ${brief(d.expected)}, got ${brief(d.actual)}`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { server: { type: 'string' }, 'file-root': { type: 'string' }, only: { type: 'string' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } },
  });
  const dir = positionals[0];
  if (!dir || !fs.existsSync(dir)) {
    console.error('usage: npm run repl:conformance -- DIR [--server URL] [--file-root DIR] [--only NAME,...] [--json]');
    return 2;
  }
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.in') && fs.existsSync(path.join(dir, f.replace(/\.in$/, '.expected.out'))))
    .map((f) => f.replace(/\.in$/, ''))
    .filter((n) => !only || only.has(n))
    .sort();
  const fileRoot = path.resolve(values['file-root'] ?? path.dirname(path.resolve(dir)));
  let local: LocalServer | undefined;
  const pickleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'repl-pickles-'));
  const server = values.server ?? (local = await startLocalServer(['--workers', '1', '--spare-workers', '0', '--repl-file-root', fileRoot, '--repl-pickle-dir', pickleDir, '--shutdown-grace-ms', '0'])).url;
  const results: { name: string; matched: boolean; diffs: ReplDifference[]; error?: string }[] = [];
  try {
    for (const name of names) {
      const input = fs.readFileSync(path.join(dir, `${name}.in`), 'utf8');
      const expected = splitTranscript(fs.readFileSync(path.join(dir, `${name}.expected.out`), 'utf8')).map(parseOrText);
      try {
        const actual = await runTranscript(server, input, fileRoot);
        const diffs = compareReplies(expected, actual);
        results.push({ name, matched: matches(diffs), diffs });
      } catch (e) {
        results.push({ name, matched: false, diffs: [], error: e instanceof Error ? e.message : String(e) });
      }
      const r = results[results.length - 1]!;
      if (!values.json) {
        const wording = r.diffs.filter((d) => d.kind === 'wording').length;
        console.log(`${r.matched ? 'match  ' : 'differs'} ${name}${r.error ? ` (${r.error})` : ''}${r.matched && wording ? ` (wording: ${wording})` : ''}`);
        if (!values.quiet) console.log(describe(r.diffs).join('\n') || '');
      }
    }
  } finally {
    await local?.stop();
    fs.rmSync(pickleDir, { recursive: true, force: true });
  }
  const matched = results.filter((r) => r.matched).length;
  if (values.json) console.log(JSON.stringify({ matched, total: results.length, results }, null, 1));
  else {
    const byKind = new Map<string, string[]>();
    for (const r of results) for (const k of new Set(r.diffs.map((d) => d.kind))) byKind.set(k, [...(byKind.get(k) ?? []), r.name]);
    for (const [k, files] of byKind) console.log(`${k}: ${files.join(', ')}`);
    console.log(`matched ${matched} of ${results.length}`);
  }
  return matched === results.length ? 0 : 1;
}

process.exitCode = await main();
