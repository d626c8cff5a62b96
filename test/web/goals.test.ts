/** Goal rendering model of the debugger page: what is highlighted as new since the parent. */
import { describe, expect, test } from 'vitest';
import { diffGoals, goalCountLabel, hypLine } from '../../client/web/src/goals.js';
import type { Goal } from '../../protocol/lean.js';

const goal = (hyps: [string, string, string?][], target: string, caseName: string | null = null): Goal => ({
  caseName,
  hyps: hyps.map(([name, type, value]) => ({ name, type, value: value ?? null })),
  target,
  pretty: [caseName ? `case ${caseName}` : '', ...hyps.map(([n, t, v]) => (v ? `${n} : ${t} := ${v}` : `${n} : ${t}`)), `⊢ ${target}`].filter(Boolean).join('\n'),
});

describe('diffGoals', () => {
  const root = [goal([['x', 'ℤ'], ['h₀', 'x = 4']], '(3 * x - 2) * (4 * x + 1) - (3 * x - 2) * (4 * x) + 1 = 11')];

  test('a root state highlights nothing', () => {
    const v = diffGoals(root);
    expect(v[0]!.changed).toBe(false);
    expect(v[0]!.targetChanged).toBe(false);
    expect(v[0]!.hyps.map((h) => h.isNew)).toEqual([false, false]);
  });

  test('after subst the rewritten target is new and the remaining hypotheses are not', () => {
    const child = [goal([], '(3 * 4 - 2) * (4 * 4 + 1) - (3 * 4 - 2) * (4 * 4) + 1 = 11')];
    const [g] = diffGoals(child, root);
    expect(g!.changed).toBe(true);
    expect(g!.targetChanged).toBe(true);
    expect(g!.hyps).toEqual([]);
  });

  test('an intro adds a new hypothesis; an untouched sibling goal stays unhighlighted', () => {
    const parent = [goal([], 'p → q', 'left'), goal([['n', 'ℕ']], 'n = n', 'right')];
    const child = [goal([['hp', 'p']], 'q', 'left'), parent[1]!];
    const v = diffGoals(child, parent);
    expect(v.map((g) => g.changed)).toEqual([true, false]);
    expect(v[0]!.hyps).toEqual([{ name: 'hp', type: 'p', value: null, isNew: true }]);
    expect(v[0]!.caseName).toBe('left');
    expect(v[1]!.hyps.map((h) => h.isNew)).toEqual([false]);
  });

  test('a let value that changed counts as new; an unchanged target is not highlighted', () => {
    const parent = [goal([['a', 'ℕ', '1']], 'a = 1')];
    const child = [goal([['a', 'ℕ', '2'], ['b', 'ℕ']], 'a = 1')];
    const [g] = diffGoals(child, parent);
    expect(g!.changed).toBe(true);
    expect(g!.targetChanged).toBe(false);
    expect(g!.hyps.map((h) => [h.name, h.isNew])).toEqual([
      ['a', true],
      ['b', true],
    ]);
  });

  test('Unicode is kept as Lean printed it', () => {
    const [g] = diffGoals([goal([['h₀', '∀ (n : ℕ), 0 < n → f n ≠ 0']], '∃ m, f m = 2')], []);
    expect(hypLine(g!.hyps[0]!)).toBe('h₀ : ∀ (n : ℕ), 0 < n → f n ≠ 0');
    expect(g!.target).toBe('∃ m, f m = 2');
  });
});

test('hypLine renders let values and goalCountLabel counts', () => {
  expect(hypLine({ name: 'x', type: 'ℕ', value: '3' })).toBe('x : ℕ := 3');
  expect(hypLine({ name: 'x', type: 'ℕ', value: null })).toBe('x : ℕ');
  expect([0, 1, 3].map(goalCountLabel)).toEqual(['no goals', '1 goal', '3 goals']);
});
