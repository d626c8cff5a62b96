/**
 * Search traces on a real server and Lean worker: `proof.traces` gives one record per edge and
 * failed attempt (counts equal `proof.tree`), with the parent's and child's goals as
 * `proof.state` shows them, Lean's time and the agent's `meta` verbatim; the verified path
 * replays as a proof; the HTTP NDJSON stream gives the same records; another connection
 * cannot read them; a resumed session keeps them; bad `meta` is refused.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import { sessionTraces } from '../../client/http.js';
import { SearchTraceRecord, MAX_TACTIC_META_BYTES } from '../../protocol/traces.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { rpcError } from '../support/rpc.js';

let server: TestServer;
let client: LeanEnvClient;
let sessionId: string;
let proofId: string;
const STATEMENT = 'theorem traced (p q : Prop) (hp : p) (hq : q) : p ∧ q := by sorry';

beforeAll(async () => {
  server = await startTestServer();
  client = await LeanEnvClient.connect(server.url);
  sessionId = (await client.openSession()).sessionId;
  const root = await client.start(sessionId, { statement: STATEMENT });
  proofId = root.proofId;
  const [split, bad, whole] = (await client.expand(root.stateId, ['constructor', 'exact bogus_name', 'exact ⟨hp, hq⟩'], [{ logProb: -0.1 }, null, { logProb: -2, note: 'é' }])).outcomes;
  expect([split!.status, bad!.status, whole!.status]).toEqual(['open', 'failed', 'solved']);
  const left = await client.apply((split as { stateId: string }).stateId, 'exact hp', { logProb: -0.5 });
  const done = await client.apply((left as { stateId: string }).stateId, 'exact hq');
  expect(done.status).toBe('solved');
  expect((await client.verify((done as { stateId: string }).stateId)).proved).toBe(true);
}, 180_000);
afterAll(async () => {
  await client?.close();
  await server?.app.close();
});

describe('proof.traces', () => {
  test('one record per edge and failed attempt, with goals, time and meta; the verified path replays as a proof', async () => {
    const { schemaVersion, records } = await client.traces({ proofId });
    expect(schemaVersion).toBe(1);
    for (const r of records) SearchTraceRecord.parse(r);
    const tree = await client.tree(proofId);
    expect(records.filter((r) => r.kind === 'edge')).toHaveLength(tree.edges.length);
    expect(records.filter((r) => r.kind === 'failed')).toHaveLength(tree.failed.length);
    expect(records.map((r) => [r.tactic, r.outcome, r.depth])).toEqual([
      ['constructor', 'open', 0],
      ['exact ⟨hp, hq⟩', 'solved', 0],
      ['exact hp', 'open', 1],
      ['exact hq', 'solved', 2],
      ['exact bogus_name', 'failed', 0],
    ]);
    const byTactic = new Map(records.map((r) => [r.tactic, r]));
    expect(byTactic.get('constructor')!.meta).toEqual({ logProb: -0.1 });
    expect(byTactic.get('exact ⟨hp, hq⟩')!.meta).toEqual({ logProb: -2, note: 'é' });
    expect(byTactic.get('exact hq')!.meta).toBeNull();
    expect(byTactic.get('exact bogus_name')!.error).toMatch(/bogus_name/);
    for (const r of records) expect(r.leanTimeMs).toBeGreaterThanOrEqual(0);
    // Goals as proof.state shows them, parent and child.
    for (const r of records) {
      expect(r.parentGoals).toEqual((await client.state(r.parentId)).goals);
      if (r.childId) expect(r.childGoals).toEqual((await client.state(r.childId)).goals);
      expect(r.parentGoalsPretty).toBe(r.parentGoals.map((g) => g.pretty).join('\n\n'));
    }
    expect(byTactic.get('exact hp')!.childGoalsPretty).toMatch(/⊢ q/);
    // The verified path, and only it, is flagged; replayed in a new session it is a proof.
    const onPath = records.filter((r) => r.onVerifiedProof).sort((a, b) => a.depth - b.depth);
    expect(onPath.map((r) => r.tactic)).toEqual(['constructor', 'exact hp', 'exact hq']);
    const other = (await client.openSession()).sessionId;
    let at = await client.start(other, { statement: STATEMENT });
    let stateId = at.stateId;
    for (const r of onPath) {
      const o = await client.apply(stateId, r.tactic);
      if (o.status === 'failed') throw new Error(o.error);
      stateId = o.stateId;
    }
    expect((await client.verify(stateId)).proved).toBe(true);
    at = await client.state(stateId);
    expect(at.status).toBe('solved');
    await client.closeSession(other);
  });

  test('a whole session; the HTTP NDJSON stream gives the same records', async () => {
    const one = (await client.traces({ proofId })).records;
    expect((await client.traces({ sessionId })).records).toEqual(one);
    const streamed = [];
    for await (const r of sessionTraces(server.url, sessionId)) streamed.push(r);
    expect(streamed).toEqual(one);
    const filtered = [];
    for await (const r of sessionTraces(server.url, sessionId, { proofId })) filtered.push(r);
    expect(filtered).toEqual(one);
    const missing = await server.app.inject({ method: 'GET', url: '/v1/sessions/ses_nope/traces' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'unknown_session' } });
    const wrongProof = await server.app.inject({ method: 'GET', url: `/v1/sessions/${sessionId}/traces?proofId=prf_nope` });
    expect(wrongProof.json()).toMatchObject({ error: { code: 'unknown_proof' } });
  });

  test('another connection cannot read them; after session.resume it can, and they are unchanged', async () => {
    const stranger = await LeanEnvClient.connect(server.url);
    try {
      expect((await rpcError(stranger.traces({ proofId }))).data).toMatchObject({ code: 'unknown_proof' });
      expect((await rpcError(stranger.traces({ sessionId }))).data).toMatchObject({ code: 'unknown_session' });
      await stranger.resumeSession(sessionId);
      expect((await stranger.traces({ sessionId })).records).toEqual((await client.traces({ sessionId })).records);
    } finally {
      await stranger.close();
    }
  });

  test('meta must be a JSON object within the size bound, one per tactic', async () => {
    const root = (await client.tree(proofId)).root;
    const big = { x: 'a'.repeat(MAX_TACTIC_META_BYTES) };
    for (const p of [
      client.request('proof.apply', { stateId: root, tactic: 'skip', meta: [1] as never }),
      client.apply(root, 'skip', big),
      client.expand(root, ['skip', 'rfl'], [{}]),
    ]) {
      const e = await rpcError(p);
      expect(e.data).toMatchObject({ code: 'invalid_params' });
    }
    expect((await rpcError(client.traces({} as never))).message).toMatch(/exactly one of proofId, sessionId/);
  });
});

test('traces survive the death of the worker the states lived on (they live in the tree, not in Lean)', async () => {
  const before = (await client.traces({ sessionId })).records;
  const health = (await (await fetch(`${server.url}/health`)).json()) as { workers: { live: { pid: number }[] } };
  const restarts = server.pool.stats().restarts;
  process.kill(health.workers.live[0]!.pid, 'SIGKILL');
  await expect.poll(() => server.pool.stats().restarts, { timeout: 30_000, interval: 200 }).toBeGreaterThan(restarts);
  expect((await client.traces({ sessionId })).records).toEqual(before);
});
