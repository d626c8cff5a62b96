import { describe, expect, test } from 'vitest';
import { ProofTree, canonicalGoals } from '../../server/sessions/proof-tree.js';
import type { Goal } from '../../protocol/api.js';

const goal = (pretty: string): Goal => ({ caseName: null, hyps: [], target: pretty.replace(/^⊢ /, ''), pretty });
const w = (id: number) => ({ slot: 0, generation: 1, id });

describe('ProofTree', () => {
  test('open states with the same goals are one node; the path to a node is its tactics', () => {
    const t = new ProofTree('prf_x', 'ses_x', '', 'theorem t : P');
    const root = t.addRoot([goal('⊢ P')], w(0));
    const a = t.addChild(root, 'tac1', [goal('⊢ Q')], 'open', w(1));
    const b = t.addChild(root, 'tac2', [goal('⊢ Q')], 'open', w(2));
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ node: a.node, duplicate: true });
    const same = t.addChild(a.node, 'skip', [goal('⊢ Q')], 'open', w(3));
    expect(same).toEqual({ node: a.node, duplicate: true });
    const done = t.addChild(a.node, 'fin', [], 'solved', w(4));
    expect(t.pathTo(done.node)).toEqual(['tac1', 'fin']);
    expect(t.edges.map((e) => e.tactic)).toEqual(['tac1', 'tac2', 'skip', 'fin']);
  });

  test('solved states are never merged: each keeps its own path', () => {
    const t = new ProofTree('prf_y', 'ses_y', '', 'theorem t : P');
    const root = t.addRoot([goal('⊢ P')], w(0));
    const x = t.addChild(root, 'sorry', [], 'solved', w(1));
    const y = t.addChild(root, 'trivial', [], 'solved', w(2));
    expect(y.duplicate).toBe(false);
    expect(y.node.stateId).not.toBe(x.node.stateId);
    expect(t.pathTo(y.node)).toEqual(['trivial']);
  });

  test('canonical goal text joins the goals in order', () => {
    expect(canonicalGoals([goal('⊢ A'), goal('⊢ B')])).toBe('⊢ A\n\n⊢ B');
  });
});
