/**
 * Cluster batch checking with STAND-IN workers (no Lean: each item sleeps and gets a verdict
 * from its text; see test/support/standin-cluster-node.ts), three node processes on one real
 * redis-server: spread and exactly-once results, a node SIGKILLed mid-batch, a re-submitted
 * batch id, Redis killed and restarted mid-batch, admission control. The real-Lean cluster
 * test is batches.lean.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postCheck, startNode, type NodeProcess } from '../support/cluster-nodes.js';
import { TestRedis } from '../support/redis.js';

let redis: TestRedis;
const nodes: NodeProcess[] = [];

/** `n` items; every fifth says sorry, every seventh fails; the rest are proved. */
function batch(prefix: string, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    header: 'set_option autoImplicit false',
    body: i % 5 === 0 ? 'theorem t : True := sorry' : i % 7 === 0 ? 'theorem t : True := fail' : 'theorem t : True := trivial',
  }));
}
function expected(prefix: string, n: number): Map<string, string> {
  return new Map(batch(prefix, n).map((it) => [it.id, it.body.includes('sorry') ? 'incomplete' : it.body.includes('fail') ? 'failed' : 'proved']));
}
async function health(n: NodeProcess): Promise<any> {
  return (await fetch(`${n.url}/health`)).json();
}
/** Runs per item of a batch, from Redis (how many times any node started it). */
async function runs(batchId: string): Promise<number[]> {
  const c = redis.client();
  try {
    return Object.values(await c.hgetall(`leanenv:batch:{${batchId}}:runs`)).map(Number);
  } finally {
    c.disconnect();
  }
}

beforeAll(async () => {
  redis = await TestRedis.start();
  const env = { LEANENV_WORKERS: '2', STANDIN_ITEM_MS: '150' };
  nodes.push(...(await Promise.all([0, 1, 2].map(() => startNode('stand-in', redis.url, env, 60_000)))));
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.kill()));
  await redis?.stop();
});

describe('cluster batches (stand-in workers)', () => {
  test('a batch is spread over three nodes and every verdict comes back exactly once, in item order', async () => {
    const before = await Promise.all(nodes.map(async (n) => (await health(n)).cluster.thisNode.ran as number));
    const r = await postCheck(nodes[0]!.url, { items: batch('a', 60), batchId: 'spread-1' }, true);
    expect(r.status).toBe(200);
    const exp = expected('a', 60);
    const results = r.lines.slice(0, -1);
    expect(results.map((x: any) => x.id).sort()).toEqual([...exp.keys()].sort());
    for (const x of results) expect(x.verdict).toBe(exp.get(x.id));
    expect(r.lines.at(-1)).toMatchObject({ summary: { total: 60, retried: 0 }, batchId: 'spread-1' });
    const after = await Promise.all(nodes.map(async (n) => (await health(n)).cluster.thisNode.ran as number));
    const perNode = after.map((a, i) => a - before[i]!);
    expect(perNode.filter((x) => x > 0).length).toBeGreaterThanOrEqual(2);
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(60);
    expect(await runs('spread-1')).toEqual(new Array(60).fill(1));
    // Heartbeats are refreshed every 2 s; on a loaded machine one may lapse for a moment, so
    // wait (bounded) until the view shows every node rather than reading it once.
    let h = await health(nodes[1]!);
    for (let i = 0; i < 30 && h.cluster.nodes.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 500));
      h = await health(nodes[1]!);
    }
    expect(h.cluster.redis).toBe('up');
    expect(h.cluster.nodes).toHaveLength(3);
  });

  test('a small batch is answered as one JSON object in item order', async () => {
    const r = await postCheck(nodes[2]!.url, { items: batch('s', 10) });
    expect(r.json.results.map((x: any) => [x.id, x.verdict])).toEqual([...expected('s', 10).entries()]);
    expect(r.json.summary).toMatchObject({ total: 10, retried: 0 });
  });

  test('a re-submitted batch id returns the recorded results and runs nothing again', async () => {
    const items = batch('r', 12);
    const first = await postCheck(nodes[1]!.url, { items, batchId: 'again-1' });
    const second = await postCheck(nodes[2]!.url, { items, batchId: 'again-1' }, true);
    expect(first.status).toBe(200);
    expect(second.lines.slice(0, -1).map((x: any) => x.id).sort()).toEqual(items.map((i) => i.id).sort());
    expect(second.lines.at(-1).summary.total).toBe(12);
    expect(await runs('again-1')).toEqual(new Array(12).fill(1));
    const other = await postCheck(nodes[0]!.url, { items: batch('other', 3), batchId: 'again-1' });
    expect(other.status).toBe(400);
    expect(other.json.error.message).toMatch(/already used/);
  });

  test('a node SIGKILLed mid-batch: every item still comes back exactly once; its items are retried and counted', async () => {
    const victim = nodes[2]!;
    const items = batch('k', 40);
    const base = (await health(victim)).cluster.thisNode.ran as number;
    const pending = postCheck(nodes[0]!.url, { items, batchId: 'kill-1' }, true);
    // Wait until the victim is running items of this batch, then kill it.
    for (let i = 0; i < 100 && (await health(victim)).cluster.thisNode.ran < base + 1; i++) await new Promise((r) => setTimeout(r, 20));
    await victim.kill('SIGKILL');
    const r = await pending;
    const results = r.lines.slice(0, -1);
    expect(results.map((x: any) => x.id).sort()).toEqual(items.map((i) => i.id).sort());
    const exp = expected('k', 40);
    for (const x of results) expect(x.verdict).toBe(exp.get(x.id));
    const summary = r.lines.at(-1).summary;
    expect(summary.retried).toBeGreaterThanOrEqual(1);
    const h = await health(nodes[0]!);
    expect(h.cluster.retried).toBeGreaterThanOrEqual(summary.retried);
    expect(h.cluster.stalled).toBeGreaterThanOrEqual(1);
    expect(h.cluster.nodes.length).toBeLessThanOrEqual(3);
    nodes.splice(2, 1);
  });

  test('SIGTERM drains a node: it stops taking items, finishes its running ones (nothing retried) and leaves the cluster', async () => {
    const drainer = await startNode('stand-in', redis.url, { LEANENV_WORKERS: '2', STANDIN_ITEM_MS: '400', LEANENV_SHUTDOWN_GRACE_MS: '10000' }, 60_000);
    const items = batch('d', 24);
    const pending = postCheck(nodes[0]!.url, { items, batchId: 'drain-1' }, true);
    for (let i = 0; i < 200 && (await health(drainer)).cluster.thisNode.ran < 1; i++) await new Promise((r) => setTimeout(r, 20));
    const exited = new Promise<number | null>((r) => drainer.proc.once('exit', (code) => r(code)));
    drainer.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    const r = await pending;
    const results = r.lines.slice(0, -1);
    expect(results.map((x: any) => x.id).sort()).toEqual(items.map((i) => i.id).sort());
    expect(r.lines.at(-1).summary.retried).toBe(0);
    expect(await runs('drain-1')).toEqual(new Array(24).fill(1));
    expect((await health(nodes[0]!)).cluster.nodes.map((n: any) => n.pid)).not.toContain(drainer.proc.pid);
  });

  test('Redis killed mid-batch: new batches get cluster_unavailable; once it is back, the accepted batch completes exactly once', async () => {
    const items = batch('o', 60);
    const pending = postCheck(nodes[1]!.url, { items, batchId: 'outage-1' }, true);
    await new Promise((r) => setTimeout(r, 800));
    const c = redis.client();
    const answeredBefore = await c.xlen('leanenv:batch:{outage-1}:results');
    c.disconnect();
    await redis.kill();
    expect(answeredBefore).toBeLessThan(items.length); // the outage hits the batch mid-way
    const refused = await postCheck(nodes[0]!.url, { items: batch('x', 2) });
    expect(refused.status).toBe(503);
    expect(refused.json.error.code).toBe('cluster_unavailable');
    expect(refused.json.error.message).toMatch(/Redis is unreachable/);
    expect((await health(nodes[0]!)).cluster.redis).toBe('down');
    await new Promise((r) => setTimeout(r, 1500));
    await redis.up();
    const r = await pending;
    const results = r.lines.slice(0, -1);
    expect(results.map((x: any) => x.id).sort()).toEqual(items.map((i) => i.id).sort());
    const exp = expected('o', 60);
    for (const x of results) expect([exp.get(x.id), 'error']).toContain(x.verdict);
    expect(results.filter((x: any) => x.verdict === 'error')).toEqual([]);
  });

  test('past the cluster queue limit a batch is refused with overloaded and a retry hint', async () => {
    const small = await startNode('stand-in', redis.url, { LEANENV_CLUSTER_MAX_QUEUE: '20', STANDIN_ITEM_MS: '150' }, 60_000);
    nodes.push(small);
    const r = await postCheck(small.url, { items: batch('big', 25) });
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe('overloaded');
    expect(r.json.error.retryAfterMs).toBeGreaterThan(0);
    const ok = await postCheck(small.url, { items: batch('fits', 5) });
    expect(ok.status).toBe(200);
    expect(ok.json.summary.total).toBe(5);
  });
});
