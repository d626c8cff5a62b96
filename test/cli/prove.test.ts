/**
 * `leanenv prove` as a user runs it: a real process against a real server and Lean worker;
 * its `--out` file is accepted by `leanenv check`; its `--traces` file holds one record per edge
 * and failed attempt (as many as `proof.tree` has) and each verified path replays as a proof.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { coreSubset } from '../support/lean.js';
import { useCliFixture } from '../support/cli.js';
import { LeanEnvClient } from '../../client/sdk.js';
import { SearchTraceRecord } from '../../protocol/traces.js';
import { policyFromSpec, proveMany, WebSocketBackend } from '../../client/search/index.js';

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

  test('--traces: one record per edge and failed attempt of each search, the verified path replays as a proof; .parquet writes Parquet', async () => {
    const ids = ['amc12b_2002_p2', 'mathd_numbertheory_254', 'imo_1992_p1'];
    const traces = path.join(dir, 'traces.jsonl');
    const r = await cli('prove', ...ids, '--budget', '2', '--depth', '3', '--json', '--traces', traces, '--server', server().url);
    expect(r.exitCode, r.stderr).toBe(1);
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; proved: boolean; tactics?: string[] });
    const records = fs.readFileSync(traces, 'utf8').trim().split('\n').map((l) => SearchTraceRecord.parse(JSON.parse(l)));
    const byStatement = new Map<string, SearchTraceRecord[]>();
    for (const rec of records) byStatement.set(rec.statement, [...(byStatement.get(rec.statement) ?? []), rec]);
    expect(byStatement.size).toBe(ids.length);
    expect(records.every((rec) => rec.kind === 'failed' || typeof rec.meta?.logProb === 'number')).toBe(true);
    const client = await LeanEnvClient.connect(server().url);
    try {
      for (const res of results.filter((x) => x.proved)) {
        const item = items.get(res.id)!;
        const mine = records.filter((rec) => rec.statement.includes(`theorem ${res.id}`));
        const path_ = mine.filter((rec) => rec.onVerifiedProof).sort((a, b) => a.depth - b.depth);
        expect(path_.map((rec) => rec.tactic)).toEqual(res.tactics);
        expect(path_.at(-1)!.outcome).toBe('solved');
        // Replayed from the records alone (statement and tactics) in a new session: a proof.
        const { sessionId } = await client.openSession(item.header);
        let stateId = (await client.start(sessionId, { statement: path_[0]!.statement })).stateId;
        for (const rec of path_) {
          const o = await client.apply(stateId, rec.tactic);
          if (o.status === 'failed') throw new Error(o.error);
          stateId = o.stateId;
        }
        expect((await client.verify(stateId)).proved).toBe(true);
        await client.closeSession(sessionId);
      }
    } finally {
      await client.close();
    }
    const parquet = path.join(dir, 'traces.parquet');
    const p = await cli('prove', 'mathd_numbertheory_254', '--budget', '2', '--json', '--traces', parquet, '--server', server().url);
    expect(p.exitCode, p.stderr).toBe(0);
    const bytes = fs.readFileSync(parquet);
    expect([bytes.subarray(0, 4).toString(), bytes.subarray(-4).toString()]).toEqual(['PAR1', 'PAR1']);
  });

  test('the records of a search are as many as the edges and failed attempts of its proof.tree', async () => {
    const reader = await LeanEnvClient.connect(server().url);
    const compared: string[] = [];
    try {
      const targets = ['amc12b_2002_p2', 'imo_1992_p1'].map((id) => ({ id, header: items.get(id)!.header, statement: items.get(id)!.body }));
      const results = await proveMany(targets, () => WebSocketBackend.connect(server().url), policyFromSpec('builtin'), {
        statementAttempts: 1,
        search: { maxExpansions: 2, maxDepth: 3, timeMs: 60_000, width: 32, lengthNormalization: 0 },
        // Still open here: another connection resumes the session and reads its tree.
        onTraces: async (target, recs) => {
          await reader.resumeSession(recs[0]!.sessionId);
          const tree = await reader.tree(recs[0]!.proofId);
          expect(recs.filter((x) => x.kind === 'edge')).toHaveLength(tree.edges.length);
          expect(recs.filter((x) => x.kind === 'failed')).toHaveLength(tree.failed.length);
          expect(recs.map((x) => x.tactic)).toEqual([...tree.edges, ...tree.failed].map((e) => e.tactic));
          compared.push(target.id);
        },
      });
      expect(results.map((x) => x.error)).toEqual([undefined, undefined]);
    } finally {
      await reader.close();
    }
    expect(compared.sort()).toEqual(['amc12b_2002_p2', 'imo_1992_p1']);
  });
});
