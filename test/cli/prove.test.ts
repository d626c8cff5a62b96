/**
 * `leanenv prove` as a user runs it: a real process against a real server and Lean worker;
 * its `--out` file is accepted by `leanenv check`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { coreSubset } from '../support/lean.js';
import { useCliFixture } from '../support/cli.js';

const { dir, server, cli } = useCliFixture('leanenv-prove-');
const items = coreSubset();
const record = (id: string) => JSON.stringify({ id, header: items.get(id)!.header, body: items.get(id)!.body });

describe('leanenv prove', () => {
  test('JSONL records and a dataset id: JSON lines per statement, exit 1 when one is not proved, --out re-checks with leanenv check', async () => {
    const input = path.join(dir, 'in.jsonl');
    fs.writeFileSync(input, ['amc12b_2002_p2', 'mathd_numbertheory_254', 'imo_1992_p1'].map(record).join('\n') + '\n');
    const out = path.join(dir, 'proofs.jsonl');
    const r = await cli('prove', input, 'mathd_numbertheory_81', '--budget', '3', '--depth', '3', '--json', '--out', out, '--server', server().url);
    expect(r.exitCode, r.stderr).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; proved: boolean; status: string; expansions: number; proofText?: string });
    expect(lines.map((l) => [l.id, l.proved]).sort()).toEqual([
      ['amc12b_2002_p2', true],
      ['imo_1992_p1', false],
      ['mathd_numbertheory_254', true],
      ['mathd_numbertheory_81', true],
    ]);
    expect(lines.find((l) => l.id === 'imo_1992_p1')).toMatchObject({ status: expect.stringMatching(/budget|exhausted/) });
    const written = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; header: string; body: string; reference: string });
    expect(written.map((w) => w.id).sort()).toEqual(['amc12b_2002_p2', 'mathd_numbertheory_254', 'mathd_numbertheory_81']);
    expect(written.find((w) => w.id === 'mathd_numbertheory_81')).toMatchObject({ header: items.get('mathd_numbertheory_81')!.header, reference: items.get('mathd_numbertheory_81')!.body });
    const check = await cli('check', out, '--server', server().url, '--json');
    expect(check.exitCode, check.stderr).toBe(0);
    expect(check.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { verdict: string }).verdict)).toEqual(['proved', 'proved', 'proved']);
  });

  test('a results table and each verified proof text; exit 0 when all are proved', async () => {
    const r = await cli('prove', 'mathd_numbertheory_342', '--budget', '2', '--concurrency', '2', '--server', server().url);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mathd_numbertheory_342\s*│?\s*proved/);
    expect(r.stdout).toMatch(/theorem mathd_numbertheory_342 :\s+54 % 6 = 0 := by\n {2}\S+/);
    expect(r.stdout).toMatch(/1 proved of 1/);
  });

  test('bad input: a usage error naming the line, exit code 2; an unknown policy is refused', async () => {
    const bad = path.join(dir, 'bad.jsonl');
    fs.writeFileSync(bad, '{"id": "x"}\n');
    const r = await cli('prove', bad, '--server', server().url);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/bad.jsonl:1: not a statement record/);
    const p = await cli('prove', 'mathd_numbertheory_342', '--policy', 'magic', '--server', server().url);
    expect(p.exitCode).toBe(2);
    expect(p.stderr).toMatch(/unknown policy "magic"/);
  });
});
