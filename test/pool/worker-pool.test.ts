/**
 * The worker pool with real Lean workers behind a real server: fault injection (kill -9,
 * runaway tactics), limits (oversized messages, a flooding session), load (50 concurrent
 * WebSocket sessions), header reuse across batches, and graceful shutdown. Two workers,
 * shared by the whole file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import { ApiErrors } from '../../protocol/api.js';
import { shutdown } from '../../server/lifecycle.js';
import { coreSubset } from '../support/lean.js';
import { expectHttpError } from '../support/http.js';
import { rpcError } from '../support/rpc.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
const items = coreSubset();
const header = items.get('amc12b_2002_p2')!.header;
const MAX_MESSAGE = 64 * 1024;

beforeAll(async () => {
  server = await startTestServer({
    config: { workers: 2, requestTimeoutMs: 15_000, maxQueuePerSession: 4 },
    app: { maxMessageBytes: MAX_MESSAGE, maxBodyBytes: 4 * MAX_MESSAGE },
  });
});
afterAll(async () => {
  await server?.app.close();
});

/** A worker a job is running on now. */
async function busyWorker(): Promise<{ slot: number; pid?: number }> {
  for (;;) {
    const busy = server.pool.workers().filter((w) => w.busy);
    if (busy.length) return busy[0]!;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A JSONL-style check item: dataset statement `id` with `proof` as its body's proof. */
function checkItemFor(id: string, proof: string, itemId = id) {
  const it = items.get(id)!;
  return { id: itemId, header: it.header, body: it.body.replace(/:=\s*by\s+sorry\s*$/, `:= ${proof}\n`), reference: it.body };
}

describe('worker pool (real Lean)', () => {
  test('kill -9 of a worker mid-request: that request errors, the session carries on by replay', async () => {
    const c = await LeanEnvClient.connect(server.url);
    const s = await c.openSession(header);
    const root = await c.start(s.sessionId, { datasetId: 'amc12b_2002_p2' });
    const substituted = await c.apply(root.stateId, 'subst h₀');
    expect(substituted.status).toBe('open');
    if (substituted.status === 'failed') return;
    const slow = c.apply(substituted.stateId, 'sleep 10000');
    const victim = await busyWorker();
    process.kill(victim.pid!, 'SIGKILL');
    const err = await rpcError(slow);
    expect(err.tag).toBe(ApiErrors.WorkerUnavailable.code);
    expect(err.message).toMatch(/exited.*session and its other states are kept/);
    // The other states of the session still work: replayed on the other worker (or the replacement).
    const solved = await c.apply(substituted.stateId, 'decide');
    expect(solved.status).toBe('solved');
    if (solved.status !== 'solved') return;
    expect(await c.verify(solved.stateId)).toMatchObject({ proved: true, tactics: ['subst h₀', 'decide'] });
    expect((await c.apply(root.stateId, 'subst h₀')).cached).toBe(true);
    await expect.poll(() => server.pool.stats().ready, { timeout: 240_000, interval: 500 }).toBe(2);
    expect(server.pool.stats().restarts).toBe(1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/leanenv_state\{what="worker_restarts"\} 1/);
    await c.close();
  }, 300_000);

  test('a runaway tactic hits the wall-clock limit; the session goes on on a live worker', async () => {
    const c = await LeanEnvClient.connect(server.url);
    const s = await c.openSession(header);
    const root = await c.start(s.sessionId, { statement: 'theorem runaway : 2 + 2 = 4' });
    const err = await rpcError(c.apply(root.stateId, 'sleep 60000'));
    expect(err.tag).toBe(ApiErrors.WorkerTimeout.code);
    expect(err.message).toMatch(/did not finish within 15000 ms/);
    const next = await c.apply(root.stateId, 'decide');
    expect(next.status).toBe('solved');
    if (next.status === 'solved') expect((await c.verify(next.stateId)).proved).toBe(true);
    await expect.poll(() => server.pool.stats().ready, { timeout: 240_000, interval: 500 }).toBe(2);
    await c.close();
  }, 300_000);

  test('oversized messages and bodies are refused; that connection and other sessions keep working', async () => {
    const [a, b] = await Promise.all([LeanEnvClient.connect(server.url), LeanEnvClient.connect(server.url)]);
    const sa = await a.openSession(header);
    const sb = await b.openSession(header);
    const huge = JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'proof.start', params: { sessionId: sa.sessionId, statement: `theorem big : True -- ${'x'.repeat(MAX_MESSAGE)}` } });
    const refused = (await a.sendRaw(huge)) as { id: unknown; error: { code: number; message: string; data: { code: string } } };
    expect(refused).toMatchObject({ id: 77, error: { code: ApiErrors.MessageTooLarge.rpcCode, data: { code: ApiErrors.MessageTooLarge.code } } });
    expect(refused.error.message).toMatch(/over the limit of 65536/);
    const big = await fetch(`${server.url}/v1/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ id: 'big', code: `theorem big : True := trivial -- ${'x'.repeat(8 * MAX_MESSAGE)}` }] }),
    });
    expect(expectHttpError(big.status, await big.json(), 'message_too_large').message).toMatch(/too large/i);
    const ra = await a.start(sa.sessionId, { statement: 'theorem small_a : True' });
    const rb = await b.start(sb.sessionId, { statement: 'theorem small_b : True' });
    expect((await a.apply(ra.stateId, 'trivial')).status).toBe('solved');
    expect((await b.apply(rb.stateId, 'trivial')).status).toBe('solved');
    await Promise.all([a.close(), b.close()]);
  }, 120_000);

  test('a session flooding requests gets overloaded errors at once; another session is served', async () => {
    const flood = await LeanEnvClient.connect(server.url);
    const calm = await LeanEnvClient.connect(server.url);
    const sf = await flood.openSession(header);
    const sc = await calm.openSession(header);
    const root = await flood.start(sf.sessionId, { statement: 'theorem flood : True' });
    const calmRoot = await calm.start(sc.sessionId, { statement: 'theorem calm : 1 + 1 = 2' });
    const t0 = Date.now();
    const burst = Array.from({ length: 12 }, (_, i) => flood.apply(root.stateId, `sleep ${200 + i}`).then((r) => ({ ok: r }), (e: unknown) => ({ e })));
    const calmDone = await calm.apply(calmRoot.stateId, 'decide');
    expect(calmDone.status).toBe('solved');
    const outcomes = await Promise.all(burst);
    const refused = outcomes.filter((o) => 'e' in o);
    expect(refused.length).toBeGreaterThanOrEqual(12 - 1 - 4); // one running, at most four waiting
    const first = await rpcError(Promise.reject(refused[0]!.e));
    expect(first.tag).toBe(ApiErrors.Overloaded.code);
    expect(first.data?.retryAfterMs).toBeGreaterThan(0);
    expect(outcomes.filter((o) => 'ok' in o).every((o) => 'ok' in o && o.ok.status === 'open')).toBe(true);
    expect(Date.now() - t0).toBeLessThan(60_000);
    await Promise.all([flood.close(), calm.close()]);
  }, 120_000);

  test('50 concurrent WebSocket sessions each finish a short proof', async () => {
    const plans: [string, string[]][] = [
      ['amc12b_2002_p2', ['subst h₀', 'decide']],
      ['mathd_algebra_304', ['decide']],
      ['mathd_numbertheory_254', ['decide']],
    ];
    const run = async (i: number) => {
      const [id, tactics] = plans[i % plans.length]!;
      const c = await LeanEnvClient.connect(server.url);
      try {
        const s = await c.openSession(items.get(id)!.header);
        let state = (await c.start(s.sessionId, { datasetId: id })).stateId;
        for (const t of tactics) {
          const o = await c.apply(state, t);
          if (o.status === 'failed') throw new Error(`${id}: ${t} failed: ${o.error}`);
          state = o.stateId;
        }
        return (await c.verify(state)).proved;
      } finally {
        await c.close();
      }
    };
    const proved = await Promise.all(Array.from({ length: 50 }, (_, i) => run(i)));
    expect(proved.filter(Boolean).length).toBe(50);
    expect(server.pool.stats()).toMatchObject({ queued: 0, busy: 0 });
  }, 600_000);

  test('a second batch with an already-imported header does not import it again', async () => {
    const batch = (tag: string) => ({
      items: [
        checkItemFor('mathd_algebra_304', 'by decide', `a${tag}`),
        checkItemFor('mathd_numbertheory_254', 'by decide', `b${tag}`),
        checkItemFor('amc12b_2002_p2', 'by\n  subst h₀\n  decide', `c${tag}`),
        checkItemFor('mathd_numbertheory_254', 'by omega', `d${tag}`),
      ],
    });
    const post = async (body: object) => (await fetch(`${server.url}/v1/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ summary: { proved: number } }>;
    expect((await post(batch('1'))).summary.proved).toBe(4);
    const imports = server.pool.stats().headerImports;
    expect((await post(batch('2'))).summary.proved).toBe(4);
    expect(server.pool.stats().headerImports).toBe(imports);
  }, 300_000);

  test('graceful shutdown: an accepted batch finishes, new work is refused, workers stop', async () => {
    const c = await LeanEnvClient.connect(server.url);
    const s = await c.openSession(header);
    const body = { items: Array.from({ length: 6 }, (_, i) => checkItemFor('mathd_algebra_304', i % 2 ? 'by decide' : 'by\n  sleep 500\n  decide', `g${i}`)) };
    const inFlight = fetch(`${server.url}/v1/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await busyWorker();
    const done = shutdown(server.app, server.pool, 120_000);
    const late = await rpcError(c.start(s.sessionId, { statement: 'theorem late : True' }));
    expect(late.tag).toBe(ApiErrors.ShuttingDown.code);
    const r = (await (await inFlight).json()) as { results: { verdict: string }[] };
    expect(r.results.map((x) => x.verdict)).toEqual(Array(6).fill('proved'));
    await done;
    expect(server.pool.stats().ready).toBe(0);
  }, 300_000);
});
