/**
 * The Redis session store (real redis-server, no Lean): snapshots round-trip, a claim by
 * another node increases the epoch and the old owner's saves are refused, delete forgets; a
 * change writes only the fields it changed (counted by the store, read back from the hash),
 * `saveChanges` serializes only what a step touched, big sessions go in chunks.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RedisSessionStore } from '../../server/cluster/session-store.js';
import { ProofTree } from '../../server/sessions/proof-tree.js';
import { TestRedis } from '../support/redis.js';
import { traceRecords } from '../../server/sessions/traces.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await TestRedis.start();
});
afterAll(async () => {
  await redis?.stop();
});

const goal = (target: string) => ({ caseName: null, hyps: [], target, pretty: `⊢ ${target}` });

test('a session moves between nodes by epoch; the old owner can no longer save it', async () => {
  const a = new RedisSessionStore(redis.url, 60_000);
  const b = new RedisSessionStore(redis.url, 60_000);
  try {
    const tree = new ProofTree('prf_x', 'ses_1', 'header', 'theorem t : 1 = 1');
    const root = tree.addRoot([goal('1 = 1')], { slot: 0, generation: 1, id: 0 });
    tree.addChild(root, 'skip', [goal('1 = 1')], 'open', { slot: 0, generation: 1, id: 1 });
    const { node: done } = tree.addChild(root, 'rfl', [], 'solved', { slot: 0, generation: 1, id: 2 });
    root.outcomes.set('rfl', { status: 'solved', tactic: 'rfl', stateId: done.stateId, goals: [], duplicate: false, cached: false, messages: [] });
    const ea = await a.claim('ses_1');
    expect(ea.snapshot).toBeUndefined();
    expect(await a.save({ id: 'ses_1', header: 'header', proofs: [tree.toJSON()] }, ea.epoch)).toBe(true);

    const eb = await b.claim('ses_1');
    expect(eb.epoch).toBe(ea.epoch + 1);
    const loaded = ProofTree.fromJSON(eb.snapshot!.proofs[0]!);
    expect([...loaded.nodes.keys()]).toEqual([...tree.nodes.keys()]);
    expect(loaded.edges).toEqual(tree.edges);
    expect(loaded.nodes.get(root.stateId)!.outcomes.get('rfl')).toMatchObject({ stateId: done.stateId });
    expect(loaded.nodes.get(root.stateId)!.worker).toBeUndefined();
    // The dedup table survives: the same goals lead back to the root; new ids continue the count.
    expect(loaded.addChild(loaded.nodes.get(root.stateId)!, 'skip', [goal('1 = 1')], 'open', { slot: 0, generation: 1, id: 3 }).duplicate).toBe(true);
    expect(loaded.addChild(loaded.nodes.get(root.stateId)!, 'exact rfl', [], 'solved', { slot: 0, generation: 1, id: 4 }).node.stateId).toBe('st_x_3');

    expect(await a.save({ id: 'ses_1', header: 'stale', proofs: [] }, ea.epoch)).toBe(false);
    expect(await b.save({ id: 'ses_1', header: 'header', proofs: [loaded.toJSON()] }, eb.epoch)).toBe(true);
    await b.delete('ses_1');
    expect((await a.claim('ses_1')).snapshot).toBeUndefined();
  } finally {
    a.close();
    b.close();
  }
});

test('while Redis is down a session cannot be claimed: cluster_unavailable, not a hang or an internal error', async () => {
  const a = new RedisSessionStore(redis.url, 60_000);
  try {
    expect((await a.claim('ses_2')).epoch).toBe(1);
    await redis.kill();
    await expect(a.claim('ses_2')).rejects.toMatchObject({ spec: { code: 'cluster_unavailable' } });
    await redis.up();
    // Back: the epoch survived the restart (append-only file) and goes on.
    for (let i = 0; i < 50; i++) {
      try {
        expect((await a.claim('ses_2')).epoch).toBe(2);
        break;
      } catch (e) {
        if (i === 49) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    a.close();
  }
});

test('a change writes only what changed: the parent node, the new node, one edge and the proof counter', async () => {
  const a = new RedisSessionStore(redis.url, 60_000);
  const b = new RedisSessionStore(redis.url, 60_000);
  const c = redis.client();
  try {
    const tree = new ProofTree('prf_y', 'ses_3', 'header', 'theorem t : 1 = 1');
    const root = tree.addRoot([goal('1 = 1')], { slot: 0, generation: 1, id: 0 });
    let at = root;
    for (let i = 0; i < 30; i++) at = tree.addChild(at, `step ${i}`, [goal(`x${i} = x${i}`)], 'open', { slot: 0, generation: 1, id: i + 1 }).node;
    const { epoch } = await a.claim('ses_3');
    expect(await a.save({ id: 'ses_3', header: 'header', proofs: [tree.toJSON()] }, epoch)).toBe(true);
    const full = a.lastSave;
    expect(full.fieldsSet).toBe(1 + 1 + 31 + 30); // session, proof, nodes, edges
    expect(await c.hlen('leanenv:session:{ses_3}:fields')).toBe(63);

    // One more step: the parent gains an outcome, a child and an edge appear, the counter moves.
    const { node: done } = tree.addChild(at, 'rfl', [], 'solved', { slot: 0, generation: 1, id: 99 });
    at.outcomes.set('rfl', { status: 'solved', tactic: 'rfl', stateId: done.stateId, goals: [], duplicate: false, cached: false, messages: [] });
    tree.addFailure(at, 'bad', 'unknown tactic');
    expect(await a.save({ id: 'ses_3', header: 'header', proofs: [tree.toJSON()] }, epoch)).toBe(true);
    expect(a.lastSave).toMatchObject({ fieldsSet: 5, fieldsDeleted: 0 });
    expect(a.lastSave.bytes).toBeLessThan(full.bytes / 5);
    expect(await c.hget('leanenv:session:{ses_3}:fields', `n:${done.stateId}`)).toContain('"solved"');

    // Another node loads the whole tree from the fields, in order.
    const loaded = ProofTree.fromJSON((await b.claim('ses_3')).snapshot!.proofs[0]!);
    expect([...loaded.nodes.keys()]).toEqual([...tree.nodes.keys()]);
    expect(loaded.edges).toEqual(tree.edges);
    expect(loaded.failed).toEqual(tree.failed);
    expect(loaded.nodes.get(at.stateId)!.outcomes.get('rfl')).toMatchObject({ stateId: done.stateId });
    // The old owner's delta is refused (epoch compare-and-set) and writes nothing.
    tree.addChild(done, 'extra', [goal('x')], 'open', { slot: 0, generation: 1, id: 100 });
    expect(await a.save({ id: 'ses_3', header: 'header', proofs: [tree.toJSON()] }, epoch)).toBe(false);
    expect(await c.hlen('leanenv:session:{ses_3}:fields')).toBe(63 + 3);
  } finally {
    a.close();
    b.close();
    c.disconnect();
  }
});

test('a delta onto a hash that is gone (expired, lost) is sent again whole', async () => {
  const a = new RedisSessionStore(redis.url, 60_000);
  const c = redis.client();
  try {
    const tree = new ProofTree('prf_z', 'ses_4', 'header', 'theorem t : 1 = 1');
    const root = tree.addRoot([goal('1 = 1')], { slot: 0, generation: 1, id: 0 });
    const { epoch } = await a.claim('ses_4');
    expect(await a.save({ id: 'ses_4', header: 'header', proofs: [tree.toJSON()] }, epoch)).toBe(true);
    await c.del('leanenv:session:{ses_4}:fields');
    tree.addChild(root, 'skip', [goal('2 = 2')], 'open', { slot: 0, generation: 1, id: 1 });
    expect(await a.save({ id: 'ses_4', header: 'header', proofs: [tree.toJSON()] }, epoch)).toBe(true);
    expect(a.lastSave.fieldsSet).toBe(5);
    expect(await c.hlen('leanenv:session:{ses_4}:fields')).toBe(5);
  } finally {
    a.close();
    c.disconnect();
  }
});

test('saveChanges serializes only what a step touched and stores the same fields as a whole save', async () => {
  const a = new RedisSessionStore(redis.url, 60_000);
  const b = new RedisSessionStore(redis.url, 60_000);
  try {
    const tree = new ProofTree('prf_w', 'ses_5', 'header', 'theorem t : 1 = 1');
    const root = tree.addRoot([goal('1 = 1')], { slot: 0, generation: 1, id: 0 });
    const { epoch } = await a.claim('ses_5');
    // No copy yet beyond the empty claim: the first change goes whole.
    expect(await a.saveChanges({ id: 'ses_5', header: 'header' }, [tree], [{ proofId: 'prf_w', stateIds: [root.stateId] }], epoch)).toBe(true);
    expect(a.lastSave.fieldsSet).toBe(3);
    let at = root;
    for (let i = 0; i < 20; i++) {
      const { node } = tree.addChild(at, `step ${i}`, [goal(`y${i} = y${i}`)], 'open', { slot: 0, generation: 1, id: i + 1 });
      at.outcomes.set(`step ${i}`, { status: 'open', tactic: `step ${i}`, stateId: node.stateId, goals: node.goals, duplicate: false, cached: false, messages: [] });
      expect(await a.saveChanges({ id: 'ses_5', header: 'header' }, [tree], [{ proofId: 'prf_w', stateIds: [at.stateId, node.stateId] }], epoch)).toBe(true);
      expect(a.lastSave).toMatchObject({ fieldsSet: 4, fieldsDeleted: 0 }); // parent, child, edge, proof counter
      at = node;
    }
    // A duplicate (an edge back into the root) and a failure: the edge, the failure, the parent's outcome.
    tree.addChild(at, 'back', [goal('1 = 1')], 'open', { slot: 0, generation: 1, id: 99 });
    tree.addFailure(at, 'bad', 'nope');
    at.outcomes.set('bad', { status: 'failed', tactic: 'bad', error: 'nope', messages: [], cached: false });
    expect(await a.saveChanges({ id: 'ses_5', header: 'header' }, [tree], [{ proofId: 'prf_w', stateIds: [at.stateId] }], epoch)).toBe(true);
    expect(a.lastSave.fieldsSet).toBe(3);
    // What another node loads equals the tree, field for field as a whole save would write.
    const loaded = (await b.claim('ses_5')).snapshot!;
    expect(loaded.proofs[0]).toEqual(tree.toJSON());
  } finally {
    a.close();
    b.close();
  }
});

test('a session of thousands of nodes is saved whole and loaded back (fields go to Redis in chunks)', async () => {
  const a = new RedisSessionStore(redis.url, 60_000);
  const b = new RedisSessionStore(redis.url, 60_000);
  try {
    const tree = new ProofTree('prf_big', 'ses_6', 'header', 'theorem t : 1 = 1');
    let at = tree.addRoot([goal('1 = 1')], { slot: 0, generation: 1, id: 0 });
    for (let i = 1; i < 3000; i++) at = tree.addChild(at, `t${i}`, [goal(`z${i} = z${i}`)], 'open', { slot: 0, generation: 1, id: i }).node;
    const { epoch } = await a.claim('ses_6');
    expect(await a.save({ id: 'ses_6', header: 'header', proofs: [tree.toJSON()] }, epoch)).toBe(true);
    expect(a.lastSave.fieldsSet).toBe(2 + 3000 + 2999);
    expect((await b.claim('ses_6')).snapshot!.proofs[0]).toEqual(tree.toJSON());
  } finally {
    a.close();
    b.close();
  }
});

test('what traces need (time, meta, the verified path, the dataset id) is stored; another node reads it without claiming the session', async () => {
  const a = new RedisSessionStore(redis.url, 60_000);
  const b = new RedisSessionStore(redis.url, 60_000);
  try {
    const tree = new ProofTree('prf_t', 'ses_t', 'header', 'theorem t : 1 = 1 ∧ 2 = 2');
    tree.datasetId = 'item_1';
    const root = tree.addRoot([goal('1 = 1 ∧ 2 = 2')], { slot: 0, generation: 1, id: 0 });
    const { epoch } = await a.claim('ses_t');
    expect(await a.saveChanges({ id: 'ses_t', header: 'header' }, [tree], [{ proofId: 'prf_t', stateIds: [root.stateId] }], epoch)).toBe(true);
    const { node: mid } = tree.addChild(root, 'constructor', [goal('1 = 1'), goal('2 = 2')], 'open', { slot: 0, generation: 1, id: 1 }, { timeMs: 3.5, meta: { logProb: -0.25 } });
    tree.addFailure(root, 'bogus', 'unknown tactic', { timeMs: 1, meta: { rank: 2 } });
    const { node: done } = tree.addChild(mid, 'decide', [], 'solved', { slot: 0, generation: 1, id: 2 }, { timeMs: 2 });
    done.verified = true;
    expect(await a.saveChanges({ id: 'ses_t', header: 'header' }, [tree], [{ proofId: 'prf_t', stateIds: [root.stateId, mid.stateId, done.stateId] }], epoch)).toBe(true);

    const read = await b.read('ses_t');
    const loaded = ProofTree.fromJSON(read!.proofs[0]!);
    expect([...traceRecords(loaded)]).toEqual([...traceRecords(tree)]);
    expect([...traceRecords(loaded)].map((r) => [r.tactic, r.onVerifiedProof, r.leanTimeMs, r.meta, r.datasetId])).toEqual([
      ['constructor', true, 3.5, { logProb: -0.25 }, 'item_1'],
      ['decide', true, 2, null, 'item_1'],
      ['bogus', false, 1, { rank: 2 }, 'item_1'],
    ]);
    // Reading did not claim: the owner still saves.
    expect(await a.save({ id: 'ses_t', header: 'header', proofs: [tree.toJSON()] }, epoch)).toBe(true);
    expect(await b.read('ses_none')).toBeUndefined();
    await a.delete('ses_t');
  } finally {
    a.close();
    b.close();
  }
});
