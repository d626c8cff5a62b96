/** Source text of Lean line/column ranges (pure). */
import { describe, expect, test } from 'vitest';
import { offsetOf, sourceText } from '../../server/lean/source-text.js';

describe('sourceText', () => {
  test('slices by line and codepoint column', () => {
    const code = 'theorem t : 1 = 1 := by\n  rfl\n';
    expect(sourceText(code, { line: 2, column: 2 }, { line: 2, column: 5 })).toBe('rfl');
    expect(sourceText(code, { line: 1, column: 21 }, { line: 2, column: 5 })).toBe('by\n  rfl');
  });

  test('counts a codepoint beyond the BMP as one column', () => {
    const code = 'a 𝔸 b';
    expect(sourceText(code, { line: 1, column: 2 }, { line: 1, column: 3 })).toBe('𝔸');
    expect(sourceText(code, { line: 1, column: 4 }, { line: 1, column: 5 })).toBe('b');
  });

  test('clamps positions past a line or the text', () => {
    expect(offsetOf('ab\ncd', { line: 1, column: 9 })).toBe(2);
    expect(offsetOf('ab\ncd', { line: 7, column: 0 })).toBe(5);
  });
});
