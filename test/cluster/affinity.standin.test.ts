/**
 * Header affinity across nodes, with STAND-IN workers (no Lean; see
 * test/support/standin-cluster-node.ts: a worker keeps `maxHeaderEnvs` headers, here 1, and an
 * import of another one sleeps and is counted in `/health` `workers.headerImports`). The same
 * batch — four headers, their items interleaved — goes to two nodes of one worker each with
 * affinity on, and to two such nodes with affinity off (each pair on its own redis-server).
 * With affinity each header's items stay on few nodes: fewer imports than every node importing
 * every header; without it the nodes take items in queue order and import again and again.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postCheck, startNode, type NodeProcess } from '../support/cluster-nodes.js';
import { TestRedis } from '../support/redis.js';

const HEADERS = 4;
const PER_HEADER = 8;
const redises: TestRedis[] = [];
let on: NodeProcess[] = [];
let off: NodeProcess[] = [];

function items(prefix: string) {
  return Array.from({ length: HEADERS * PER_HEADER }, (_, i) => ({
    id: `${prefix}-${i}`,
    header: `set_option autoImplicit false\n-- header ${i % HEADERS}`,
    body: 'theorem t : True := trivial',
  }));
}
async function imports(nodes: NodeProcess[]): Promise<number> {
  const hs = await Promise.all(nodes.map(async (n) => (await (await fetch(`${n.url}/health`)).json()) as any));
  return hs.reduce((a, h) => a + h.workers.headerImports, 0);
}
/** Send the batch to the first node; every item answered once; the header imports it cost. */
async function run(nodes: NodeProcess[], prefix: string): Promise<number> {
  const before = await imports(nodes);
  const r = await postCheck(nodes[0]!.url, { items: items(prefix), batchId: `${prefix}-batch` }, true);
  expect(r.status).toBe(200);
  expect(r.lines.slice(0, -1).map((x: any) => x.id).sort()).toEqual(items(prefix).map((i) => i.id).sort());
  expect(r.lines.slice(0, -1).every((x: any) => x.verdict === 'proved')).toBe(true);
  return (await imports(nodes)) - before;
}

beforeAll(async () => {
  redises.push(await TestRedis.start(), await TestRedis.start());
  const env = { LEANENV_WORKERS: '1', LEANENV_MAX_HEADER_ENVS: '1', STANDIN_ITEM_MS: '40', STANDIN_IMPORT_MS: '150' };
  [on, off] = await Promise.all([
    Promise.all([0, 1].map(() => startNode('stand-in', redises[0]!.url, env, 60_000))),
    Promise.all([0, 1].map(() => startNode('stand-in', redises[1]!.url, { ...env, LEANENV_CLUSTER_HEADER_AFFINITY: 'false' }, 60_000))),
  ]);
});
afterAll(async () => {
  await Promise.all([...on, ...off].map((n) => n.kill()));
  await Promise.all(redises.map((r) => r.stop()));
});

describe('header affinity across nodes (stand-in workers)', () => {
  test('with affinity each header is imported by few nodes; without it, again and again', async () => {
    const withAffinity = await run(on, 'on');
    const without = await run(off, 'off');
    // Every node importing every header would be HEADERS * nodes = 8 imports.
    expect(withAffinity).toBeLessThan(HEADERS * on.length);
    expect(without).toBeGreaterThanOrEqual(HEADERS * off.length);
    const picks = await Promise.all(on.map(async (n) => ((await (await fetch(`${n.url}/health`)).json()) as any).cluster.thisNode.picks));
    expect(picks.reduce((a, p) => a + p.own, 0)).toBeGreaterThan(picks.reduce((a, p) => a + p.other, 0));
  });
});
