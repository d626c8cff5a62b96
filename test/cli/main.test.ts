/**
 * `leanenv check` as a user runs it: a real process against a real server and Lean worker.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { coreSubset } from '../support/lean.js';
import { useCliFixture } from '../support/cli.js';

const { dir, server, cli } = useCliFixture('leanenv-cli-');
const items = coreSubset();

/** A JSONL record for dataset entry `id` with `proof` in place of `by sorry`. */
function record(id: string, proof: string): string {
  const it = items.get(id)!;
  return JSON.stringify({ id, header: it.header, body: it.body.replace(/:=\s*by\s+sorry\s*$/, `:= ${proof}\n`), reference: it.body });
}

describe('leanenv check', () => {
  test('a JSONL file with a failing item: JSON lines per item and exit code 1', async () => {
    const file = path.join(dir, 'mixed.jsonl');
    fs.writeFileSync(file, [record('mathd_algebra_304', 'by decide'), record('aime_1987_p5', 'by omega'), record('aime_1984_p7', 'by sorry')].join('\n') + '\n');
    const r = await cli('check', file, '--server', server().url, '--json');
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; verdict: string });
    expect(lines.map((l) => [l.id, l.verdict])).toEqual([
      ['mathd_algebra_304', 'proved'],
      ['aime_1987_p5', 'failed'],
      ['aime_1984_p7', 'incomplete'],
    ]);
  });

  test('everything proved: a summary table and exit code 0; a Lean file is one item', async () => {
    const jsonl = path.join(dir, 'good.jsonl');
    fs.writeFileSync(jsonl, record('mathd_numbertheory_254', 'by decide') + '\n');
    const lean = path.join(dir, 'Small.lean');
    fs.writeFileSync(lean, 'theorem small : (2 : Nat) + 2 = 4 := by decide\n');
    const r = await cli('check', jsonl, lean, '--server', server().url);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mathd_numbertheory_254\s*│\s*proved/);
    expect(r.stdout).toMatch(/2 proved of 2/);
  });

  test('without --server: a private server with its own worker is started, used and stopped', async () => {
    const lean = path.join(dir, 'Local.lean');
    fs.writeFileSync(lean, 'theorem local_ok : (3 : Nat) + 3 = 6 := by decide\n');
    const r = await cli('check', lean, '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ id: 'Local.lean', verdict: 'proved' });
  });

  test('bad input: a usage error, exit code 2', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"name": "no id"}\n');
    const r = await cli('check', bad, '--server', server().url);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/bad.jsonl:1: not a check item/);
  });
});
