/**
 * The cluster on REAL Lean: two server nodes (`server/main.ts`, one embedded-Lean worker
 * each) as separate processes on one real redis-server. A batch sent to one node is run by
 * both, every verdict once; then a session opened on node A, A SIGKILLed, is resumed on
 * node B: the same state ids continue and the proof is finished and verified on B.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeanEnvClient } from '../../client/sdk.js';
import { postCheck, startNode, type NodeProcess } from '../support/cluster-nodes.js';
import { coreSubset } from '../support/lean.js';
import { TestRedis } from '../support/redis.js';

let redis: TestRedis;
const nodes: NodeProcess[] = [];
const dataset = coreSubset();

function item(id: string, proof: string) {
  const it = dataset.get(id)!;
  return { id, header: it.header, body: it.body.replace(/:=\s*by\s+sorry\s*$/, `:= ${proof}\n`), reference: it.body };
}
const cases = [
  [item('amc12b_2002_p2', 'by\n  subst h₀\n  decide'), 'proved'],
  [item('mathd_numbertheory_254', 'by decide'), 'proved'],
  [item('mathd_algebra_304', 'by decide'), 'proved'],
  [item('mathd_numbertheory_765', 'by omega'), 'proved'],
  [item('aime_1987_p5', 'by omega'), 'failed'],
  [item('mathd_numbertheory_66', 'by rfl_nonexistent'), 'failed'],
  [item('aime_1984_p7', 'by sorry'), 'incomplete'],
  [item('mathd_numbertheory_342', 'by decide'), 'proved'],
] as const;

beforeAll(async () => {
  redis = await TestRedis.start();
  nodes.push(...(await Promise.all([0, 1].map(() => startNode('real', redis.url, { LEANENV_WORKERS: '1' })))));
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.kill('SIGKILL')));
  await redis?.stop();
});

describe('cluster on real Lean (two nodes, one worker each)', () => {
  test('a batch sent to one node runs on both and every verdict comes back exactly once', async () => {
    const r = await postCheck(nodes[0]!.url, { items: cases.map(([it]) => it), batchId: 'lean-1' });
    expect(r.status).toBe(200);
    expect(r.json.results.map((x: any) => [x.id, x.verdict])).toEqual(cases.map(([it, v]) => [it.id, v]));
    expect(r.json.summary).toMatchObject({ total: 8, proved: 5, failed: 2, incomplete: 1, retried: 0 });
    const views = await Promise.all(nodes.map(async (n) => (await (await fetch(`${n.url}/health`)).json()).cluster));
    expect(views.map((v) => v.thisNode.ran).reduce((a, b) => a + b, 0)).toBe(8);
    expect(views.every((v) => v.thisNode.ran > 0)).toBe(true);
    expect(views[0].nodes).toHaveLength(2);
    const metrics = await (await fetch(`${nodes[1]!.url}/metrics`)).text();
    expect(metrics).toMatch(/^leanenv_state\{what="cluster_nodes_alive"\} 2$/m);
  });

  test('a session opened on node A, A killed, resumes on node B: the same state ids continue and the proof is verified on B', async () => {
    const [a, b] = nodes as [NodeProcess, NodeProcess];
    const it = dataset.get('amc12b_2002_p2')!;
    const onA = await LeanEnvClient.connect(a.url);
    const s = await onA.openSession(it.header);
    const root = await onA.start(s.sessionId, { statement: it.body });
    const step = await onA.apply(root.stateId, 'subst h₀');
    expect(step.status).toBe('open');
    const bad = await onA.apply(root.stateId, 'exact nonexistent_lemma');
    expect(bad.status).toBe('failed');
    await a.kill('SIGKILL');
    await onA.close().catch(() => undefined);

    const onB = await LeanEnvClient.connect(b.url);
    expect((await onB.resumeSession(s.sessionId)).sessionId).toBe(s.sessionId);
    // Cached outcomes and the tree came along; the states are rebuilt on B by replay.
    expect(await onB.apply(root.stateId, 'subst h₀')).toMatchObject({ stateId: (step as { stateId: string }).stateId, cached: true });
    expect(await onB.apply(root.stateId, 'exact nonexistent_lemma')).toMatchObject({ status: 'failed', cached: true });
    const done = await onB.apply((step as { stateId: string }).stateId, 'decide');
    expect(done).toMatchObject({ status: 'solved', cached: false });
    const stepId = (step as { stateId: string }).stateId;
    expect((done as { stateId: string }).stateId).toBe(stepId.replace(/_\d+$/, `_${Number(stepId.split('_').at(-1)) + 1}`));
    const v = await onB.verify((done as { stateId: string }).stateId);
    expect(v).toMatchObject({ proved: true, tactics: ['subst h₀', 'decide'] });
    const tree = await onB.tree(root.proofId);
    expect(tree.nodes).toHaveLength(3);
    await onB.close();
  });
});
