/** Tree layout model of the debugger page: spanning tree, duplicates, failed attempts, navigation, script. */
import { describe, expect, test } from 'vitest';
import { layoutTree, mergeTree, navigate, spanningParents, tacticPath, type ProofTreeData } from '../../client/web/src/tree-model.js';

const node = (stateId: string, goals = 1, status: 'open' | 'solved' = 'open') => ({ stateId, status, goals: Array(goals).fill('⊢ g'), depth: 0 });

// root --subst h₀--> a --decide--> s (solved); root --norm_num--> b; b --simp--> a (duplicate);
// a --skip--> a (self loop); root: decide failed; a: omega_typo failed.
const t: ProofTreeData = {
  proofId: 'prf_1',
  statement: 'theorem t : True',
  root: 'r',
  nodes: [node('r'), node('a'), node('s', 0, 'solved'), node('b', 2)],
  edges: [
    { from: 'r', to: 'a', tactic: 'subst h₀' },
    { from: 'a', to: 's', tactic: 'decide' },
    { from: 'r', to: 'b', tactic: 'norm_num' },
    { from: 'b', to: 'a', tactic: 'simp' },
    { from: 'a', to: 'a', tactic: 'skip' },
  ],
  failed: [
    { from: 'r', tactic: 'decide', error: 'failed to reduce to true' },
    { from: 'a', tactic: 'omega_typo', error: 'unknown tactic' },
  ],
};

describe('layout model', () => {
  test('each state hangs under the first edge that reached it; later edges into it are duplicates', () => {
    const parents = spanningParents(t);
    expect([...parents].map(([to, e]) => `${e.from}->${to}`).sort()).toEqual(['a->s', 'r->a', 'r->b']);
    const layout = layoutTree(t);
    const kinds = Object.fromEntries(layout.links.map((l) => [`${l.from}->${l.to}:${l.tactic}`, l.kind]));
    expect(kinds).toMatchObject({ 'r->a:subst h₀': 'tree', 'a->s:decide': 'tree', 'r->b:norm_num': 'tree', 'b->a:simp': 'duplicate', 'a->a:skip': 'duplicate' });
  });

  test('failed attempts are leaves of their state, marked failed, with the error', () => {
    const layout = layoutTree(t);
    const failed = layout.nodes.filter((n) => n.kind === 'failed');
    expect(failed.map((f) => [f.tactic, f.status, f.error])).toEqual([
      ['decide', 'failed', 'failed to reduce to true'],
      ['omega_typo', 'failed', 'unknown tactic'],
    ]);
    const r = layout.nodes.find((n) => n.id === 'r')!;
    const rootFail = failed[0]!;
    expect(rootFail.y).toBeGreaterThan(r.y);
    expect(layout.links.filter((l) => l.kind === 'failed').map((l) => l.from)).toEqual(['r', 'a']);
  });

  test('depths go down the page, siblings do not overlap, everything fits the box, goal counts kept', () => {
    const layout = layoutTree(t, { dx: 100, dy: 50, margin: 10 });
    const at = Object.fromEntries(layout.nodes.map((n) => [n.id, n]));
    expect(at.a!.y).toBe(at.r!.y + 50);
    expect(at.s!.y).toBe(at.a!.y + 50);
    const row = layout.nodes.filter((n) => n.y === at.a!.y).map((n) => n.x).sort((x, y) => x - y);
    for (let i = 1; i < row.length; i++) expect(row[i]! - row[i - 1]!).toBeGreaterThanOrEqual(100);
    for (const n of layout.nodes) {
      expect(n.x).toBeGreaterThanOrEqual(10);
      expect(n.x).toBeLessThanOrEqual(layout.width - 10);
      expect(n.y).toBeLessThanOrEqual(layout.height - 10);
    }
    expect([at.b!.goalCount, at.s!.status]).toEqual([2, 'solved']);
  });

  test('a lone root lays out', () => {
    const layout = layoutTree({ ...t, nodes: [node('r')], edges: [], failed: [] });
    expect(layout.nodes.map((n) => n.id)).toEqual(['r']);
    expect(layout.links).toEqual([]);
  });
});

describe('navigation and script', () => {
  test('arrow keys: parent, first child, siblings; clamped at the ends', () => {
    expect(navigate(t, 's', 'up')).toBe('a');
    expect(navigate(t, 'a', 'up')).toBe('r');
    expect(navigate(t, 'r', 'up')).toBe('r');
    expect(navigate(t, 'r', 'down')).toBe('a');
    expect(navigate(t, 'a', 'right')).toBe('b');
    expect(navigate(t, 'b', 'right')).toBe('b');
    expect(navigate(t, 'b', 'left')).toBe('a');
    expect(navigate(t, 's', 'down')).toBe('s');
  });

  test('the tactic script is the spanning path from the root', () => {
    expect(tacticPath(t, 's')).toEqual(['subst h₀', 'decide']);
    expect(tacticPath(t, 'b')).toEqual(['norm_num']);
    expect(tacticPath(t, 'r')).toEqual([]);
  });

  test('merging watch deltas adds what is new once', () => {
    const base: ProofTreeData = { ...t, nodes: [node('r')], edges: [], failed: [] };
    const d1 = { ...t, nodes: [node('a')], edges: [t.edges[0]!], failed: [t.failed[0]!] };
    const once = mergeTree(base, d1);
    const twice = mergeTree(once, d1);
    expect(twice.nodes.map((n) => n.stateId)).toEqual(['r', 'a']);
    expect(twice.edges).toHaveLength(1);
    expect(twice.failed).toHaveLength(1);
    expect(mergeTree(undefined, d1).nodes.map((n) => n.stateId)).toEqual(['a']);
  });
});
