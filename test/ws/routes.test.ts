/**
 * The prover-agent API end to end: a real server, a real Lean worker, real WebSockets.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rpcError } from '../support/rpc.js';
import { expectHttpError } from '../support/http.js';
import { LeanEnvClient } from '../../client/sdk.js';
import { ApiErrors } from '../../protocol/api.js';
import { coreSubset } from '../support/lean.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { build } from '../../server/app.js';
import { checkOnServer } from '../../client/http.js';
import { assertSafeBinding, isLoopback } from '../../server/http/auth.js';
import { onReplRequest } from '../../server/lean/request-events.js';

let server: TestServer;
let client: LeanEnvClient;
const header = coreSubset().get('amc12b_2002_p2')!.header;

beforeAll(async () => {
  server = await startTestServer();
  client = await LeanEnvClient.connect(server.url);
});
afterAll(async () => {
  await client?.close();
  await server?.app.close();
});

describe('access control', () => {
  const token = 'test-token-0123456789abcdef';

  test('a token-protected server refuses missing and wrong tokens on HTTP and on the WebSocket upgrade', async () => {
    // A second app on the same (real) worker, with a token.
    const authed = await build({ pool: server.pool, judge: server.judge, ownsPool: false, authToken: token, logLevel: 'warn' });
    await authed.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(authed.server.address() as { port: number }).port}`;
    try {
      const missing = await fetch(`${url}/health`);
      expectHttpError(missing.status, await missing.json(), 'unauthorized');
      const wrong = await fetch(`${url}/v1/check`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{}' });
      expectHttpError(wrong.status, await wrong.json(), 'unauthorized');
      await expect(LeanEnvClient.connect(url)).rejects.toThrow(/401/);
      await expect(LeanEnvClient.connect(url, { token: 'wrong-token-0123456789' })).rejects.toThrow(/401/);
      const c = await LeanEnvClient.connect(url, { token });
      const s = await c.openSession(header);
      const root = await c.start(s.sessionId, { statement: 'theorem authed : 1 + 1 = 2' });
      expect((await c.apply(root.stateId, 'decide')).status).toBe('solved');
      await c.close();
      const results = await checkOnServer(url, [{ id: 'a1', header, body: 'theorem a1 : 2 + 2 = 4 := by decide' }], () => {}, { token });
      expect(results.map((r) => r.verdict)).toEqual(['proved']);
    } finally {
      await authed.server.close();
    }
  });

  test('no token means loopback only', () => {
    expect(isLoopback('127.0.0.1') && isLoopback('localhost') && isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(() => assertSafeBinding('0.0.0.0', undefined)).toThrow(/refusing to listen on 0.0.0.0 without an auth token/);
    expect(() => assertSafeBinding('0.0.0.0', token)).not.toThrow();
    expect(() => assertSafeBinding('127.0.0.1', undefined)).not.toThrow();
  });
});

describe('WebSocket API', () => {
  test('/health reports the worker and backend', async () => {
    const r = await server.app.inject({ method: 'GET', url: '/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', backend: 'wasm', workers: { size: 1, ready: 1, restarts: 0 }, sandbox: { kind: 'node-permission' } });
  });

  test('start a dataset item, step, expand with failing tactics, verify and get the proof text', async () => {
    const s = await client.openSession(header);
    const root = await client.start(s.sessionId, { datasetId: 'amc12b_2002_p2' });
    expect(root.goals[0]?.hyps.map((h) => h.name)).toEqual(['x', 'h₀']);
    const step = await client.apply(root.stateId, 'subst h₀');
    expect(step.status).toBe('open');
    if (step.status === 'failed') throw new Error(step.error);
    const { outcomes } = await client.expand(step.stateId, ['not_a_tactic', 'exact rfl_wrong', 'decide']);
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'solved']);
    expect(outcomes.every((o) => !o.cached)).toBe(true);
    const solved = outcomes[2]!;
    if (solved.status === 'failed') throw new Error(solved.error);
    const again = await client.apply(step.stateId, 'decide');
    expect(again).toMatchObject({ status: 'solved', stateId: solved.stateId, cached: true });
    const v = await client.verify(solved.stateId);
    expect(v).toMatchObject({ proved: true, tactics: ['subst h₀', 'decide'] });
    expect(v.proofText).toMatch(/^theorem amc12b_2002_p2[\s\S]*:= by\n  subst h₀\n  decide\n$/);
    const tree = await client.tree(root.proofId);
    expect(tree.nodes.length).toBe(3);
    expect(tree.edges.map((e) => e.tactic)).toEqual(['subst h₀', 'decide']);
  });

  test('an expansion mixes cached and new tactics: new ones run in one worker request, a repeat is cached', async () => {
    const s = await client.openSession(header);
    const root = await client.start(s.sessionId, { statement: 'theorem expand_mix (n : Nat) (h : n = 2) : n + n = 4' });
    const first = await client.apply(root.stateId, 'subst h');
    if (first.status === 'failed') throw new Error(first.error);
    const methods: string[] = [];
    const stop = onReplRequest((e) => methods.push(e.method));
    const { outcomes } = await client.expand(root.stateId, ['subst h', 'omega', 'exact rfl_wrong', 'omega', 'simp [h]']);
    stop();
    expect(methods.filter((m) => m.startsWith('proof.'))).toEqual(['proof.tactics']);
    expect(outcomes.map((o) => [o.tactic, o.status, o.cached])).toEqual([
      ['subst h', 'open', true],
      ['omega', 'solved', false],
      ['exact rfl_wrong', 'failed', false],
      ['omega', 'solved', true],
      ['simp [h]', 'solved', false],
    ]);
    const tree = await client.tree(root.proofId);
    expect(tree.edges.map((e) => e.tactic).sort()).toEqual(['omega', 'simp [h]', 'subst h']);
    expect(tree.failed.map((f) => f.tactic)).toEqual(['exact rfl_wrong']);
    const omega = outcomes[1]!;
    if (omega.status === 'failed') throw new Error(omega.error);
    expect(await client.verify(omega.stateId)).toMatchObject({ proved: true, tactics: ['omega'] });
  });

  test('the same goal reached by two paths is one node', async () => {
    const s = await client.openSession(header);
    const root = await client.start(s.sessionId, { statement: 'theorem two_paths (n : ℕ) (h : n = 2) : n + 0 = 2' });
    const a = await client.apply(root.stateId, 'rw [Nat.add_zero]');
    const b = await client.apply(root.stateId, 'simp only [Nat.add_zero]');
    if (a.status === 'failed' || b.status === 'failed') throw new Error(JSON.stringify([a, b]));
    expect(a.duplicate).toBe(false);
    expect(b.duplicate).toBe(true);
    expect(b.stateId).toBe(a.stateId);
    const tree = await client.tree(root.proofId);
    expect(tree.nodes.length).toBe(2);
    expect(tree.edges.filter((e) => e.to === a.stateId).length).toBe(2);
  });

  test('a session survives a reconnect and is resumed by id', async () => {
    const c1 = await LeanEnvClient.connect(server.url);
    const s = await c1.openSession(header);
    const root = await c1.start(s.sessionId, { datasetId: 'mathd_numbertheory_254' });
    await c1.close();
    const c2 = await LeanEnvClient.connect(server.url);
    // Not attached yet: the state is unknown to this connection.
    expect((await rpcError(c2.apply(root.stateId, 'decide'))).tag).toBe(ApiErrors.UnknownState.code);
    await c2.resumeSession(s.sessionId);
    const r = await c2.apply(root.stateId, 'decide');
    expect(r.status).toBe('solved');
    await c2.close();
  });

  test('two sessions at once do not see each other\'s states', async () => {
    const other = await LeanEnvClient.connect(server.url);
    const sa = await client.openSession(header);
    const sb = await other.openSession(header);
    const ra = await client.start(sa.sessionId, { datasetId: 'mathd_algebra_304' });
    const rb = await other.start(sb.sessionId, { datasetId: 'mathd_algebra_304' });
    expect(rb.stateId).not.toBe(ra.stateId);
    expect((await rpcError(other.apply(ra.stateId, 'decide'))).tag).toBe(ApiErrors.UnknownState.code);
    expect((await rpcError(other.start(sa.sessionId, { statement: 'theorem x : True' }))).tag).toBe(ApiErrors.UnknownSession.code);
    expect((await rpcError(other.tree(ra.proofId))).tag).toBe(ApiErrors.UnknownProof.code);
    expect((await other.apply(rb.stateId, 'decide')).status).toBe('solved');
    await other.close();
  });

  test('closing a session forgets its states and releases them in Lean', async () => {
    const worker = server.pool.any()!;
    const s = await client.openSession(header);
    const root = await client.start(s.sessionId, { datasetId: 'mathd_numbertheory_551' });
    await client.expand(root.stateId, ['skip', 'decide']);
    const before = (await worker.stats()).proofStates;
    expect(await client.closeSession(s.sessionId)).toEqual({ closed: true });
    // `skip` leads back to the root: the root and the solved state were held.
    await expect.poll(async () => (await worker.stats()).proofStates).toBe(before - 2);
    expect((await rpcError(client.apply(root.stateId, 'decide'))).tag).toBe(ApiErrors.UnknownState.code);
    const health = (await server.app.inject({ method: 'GET', url: '/health' })).json() as { sessions: number };
    expect(health.sessions).toBeGreaterThan(0);
  });

  test('bad input gets the documented errors and the connection stays usable', async () => {
    const parse = (await client.sendRaw('{ not json')) as { error: { code: number } };
    expect(parse.error.code).toBe(ApiErrors.ParseError.rpcCode);
    const invalid = (await client.sendRaw(JSON.stringify({ id: 5, method: 'proof.apply' }))) as { id: number; error: { code: number } };
    expect(invalid).toMatchObject({ id: 5, error: { code: ApiErrors.InvalidRequest.rpcCode } });
    expect((await rpcError(client.request('no.such.method' as 'session.open', {}))).code).toBe(ApiErrors.MethodNotFound.rpcCode);
    expect((await rpcError(client.start('ses_nope', { statement: 'theorem x : True' }))).tag).toBe(ApiErrors.UnknownSession.code);
    expect((await rpcError(client.apply('st_nope', 'rfl'))).tag).toBe(ApiErrors.UnknownState.code);
    const wrongType = await rpcError(client.request('proof.apply', { stateId: 42 as unknown as string, tactic: 'rfl' }));
    expect(wrongType).toMatchObject({ code: ApiErrors.InvalidParams.rpcCode, tag: ApiErrors.InvalidParams.code });
    const s = await client.openSession(header);
    const bad = await rpcError(client.start(s.sessionId, { statement: 'theorem bad : (1 : ℕ) = true' }));
    expect(bad.tag).toBe(ApiErrors.StatementError.code);
    const ok = await client.start(s.sessionId, { statement: 'theorem fine : True' });
    expect((await client.apply(ok.stateId, 'trivial')).status).toBe('solved');
  });
});
