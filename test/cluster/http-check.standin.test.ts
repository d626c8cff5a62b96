/**
 * `GET /v1/check/{batchId}` with STAND-IN workers (no Lean; see
 * test/support/standin-cluster-node.ts), three node processes on one real redis-server: the
 * node holding a batch's HTTP connection is SIGKILLed mid-batch and the client fetches the
 * batch's results from another node with the SDK (`batchResults`): every item exactly once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { batchResults } from '../../client/http.js';
import { startNode, type NodeProcess } from '../support/cluster-nodes.js';
import { TestRedis } from '../support/redis.js';

let redis: TestRedis;
const nodes: NodeProcess[] = [];

function batch(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `f-${i}`,
    header: 'set_option autoImplicit false',
    body: i % 4 === 0 ? 'theorem t : True := sorry' : 'theorem t : True := trivial',
  }));
}
const verdictOf = (id: string) => (Number(id.slice(2)) % 4 === 0 ? 'incomplete' : 'proved');

beforeAll(async () => {
  redis = await TestRedis.start();
  nodes.push(...(await Promise.all([0, 1, 2].map(() => startNode('stand-in', redis.url, { LEANENV_WORKERS: '2', STANDIN_ITEM_MS: '150' }, 60_000)))));
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.kill()));
  await redis?.stop();
});

describe('a batch fetched from any node (stand-in workers)', () => {
  test('the node holding the POST is SIGKILLed mid-batch; another node streams every result exactly once', async () => {
    const [holder, other] = nodes as [NodeProcess, NodeProcess];
    const items = batch(40);
    const res = await fetch(`${holder.url}/v1/check?stream=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items, batchId: 'follow-1' }) });
    expect(res.status).toBe(200);
    // Read a few results on the POST's connection, then kill the node holding it.
    const reader = res.body!.getReader();
    let text = '';
    while (text.split('\n').filter(Boolean).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const seenBefore = text.split('\n').filter(Boolean).length;
    expect(seenBefore).toBeLessThan(items.length);
    await holder.kill('SIGKILL');
    await reader.read().catch(() => undefined); // the connection is gone

    const streamed: string[] = [];
    const { results, summary } = await batchResults(other.url, 'follow-1', (r) => streamed.push(r.id));
    expect(streamed).toEqual(results.map((r) => r.id));
    expect(results.map((r) => r.id).sort()).toEqual(items.map((i) => i.id).sort()); // each once, none missing
    for (const r of results) expect(r.verdict).toBe(verdictOf(r.id));
    expect(summary).toMatchObject({ total: 40, proved: 30, incomplete: 10 });
    // Asked again (any node), the same results, all recorded by now.
    const again = await batchResults(nodes[2]!.url, 'follow-1');
    expect(again.results.map((r) => r.id).sort()).toEqual(items.map((i) => i.id).sort());
    nodes.splice(0, 1);
  });

  test('an unknown batch id is 404 unknown_batch; a malformed one is 400', async () => {
    const r = await fetch(`${nodes[0]!.url}/v1/check/no-such-batch`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).error.code).toBe('unknown_batch');
    const bad = await fetch(`${nodes[0]!.url}/v1/check/${encodeURIComponent('a b')}`);
    expect(bad.status).toBe(400);
    await expect(batchResults(nodes[0]!.url, 'no-such-batch')).rejects.toThrow(/404/);
  });
});
