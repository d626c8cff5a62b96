/**
 * The REPL's info-tree filters and goal text (pure); their output on real Lean info trees is
 * tested in `test/lean/tactic-records.test.ts`.
 */
import { describe, expect, test } from 'vitest';
import { filterInfoNodes, goalsText, infotreeNodes, isInfotreeMode } from '../../server/compat/repl-infotree.js';
import type { InfoNode } from '../../server/repl-protocol/tactic-data.js';

const at = { line: 1, column: 0 };
const tactic = (kind: string, original: boolean, children: InfoNode[] = []): InfoNode => ({
  kind: 'TacticInfo', original, stx: { kind, original, pos: at, endPos: at, pp: kind }, goalsBefore: [], goalsAfter: [], children,
});
const term = (children: InfoNode[]): InfoNode => ({ kind: 'TermInfo', original: true, children });
const hole: InfoNode = { kind: 'hole', original: true, goal: '⊢ True', children: [] };

describe('REPL info-tree shaping', () => {
  const tree = [term([tactic('Lean.Parser.Term.byTactic', true, [tactic('Lean.Parser.Tactic.tacticSeq', true, [
    tactic('Lean.Parser.Tactic.tacticRfl', true, [tactic('Lean.Parser.Tactic.eqRefl', false)]), hole])])])];
  const kinds = (ns: InfoNode[]): unknown[] => ns.map((n) => [n.stx?.kind ?? n.kind, kinds(n.children)]);

  test('a dropped node hands its kept children to its parent; holes go unless the mode is full', () => {
    expect(filterInfoNodes(tree, (n) => n.kind === 'TacticInfo').length).toBe(1);
    expect(kinds(infotreeNodes(tree, 'full'))).toEqual(kinds(tree));
    expect(kinds(infotreeNodes(tree, 'tactics'))).toEqual([['Lean.Parser.Term.byTactic', [['Lean.Parser.Tactic.tacticSeq', [
      ['Lean.Parser.Tactic.tacticRfl', [['Lean.Parser.Tactic.eqRefl', []]]]]]]]]);
    expect(kinds(infotreeNodes(tree, 'original'))).toEqual([['Lean.Parser.Term.byTactic', [['Lean.Parser.Tactic.tacticSeq', [
      ['Lean.Parser.Tactic.tacticRfl', []]]]]]]);
    expect(kinds(infotreeNodes(tree, 'substantive'))).toEqual([['Lean.Parser.Tactic.tacticRfl', [['Lean.Parser.Tactic.eqRefl', []]]]]);
  });

  test('goal lists print one goal after another, or `no goals`', () => {
    const g = (pretty: string) => ({ caseName: null, hyps: [], target: '', pretty });
    expect(goalsText([])).toBe('no goals');
    expect(goalsText([g('case a\n⊢ p'), g('case b\n⊢ q')])).toBe('case a\n⊢ p\ncase b\n⊢ q');
  });

  test('only the four modes are modes', () => {
    expect(['full', 'tactics', 'original', 'substantive', 'other', 1].map(isInfotreeMode)).toEqual([true, true, true, true, false, false]);
  });
});
