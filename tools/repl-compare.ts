/**
 * Comparison of Lean REPL replies the way issue 26 counts a transcript as matching: the same
 * keys, the same `env` / `proofState` numbers, sorries, goals, `proofStatus`, message
 * severities and positions. Differences in message text (`data` of a message, the `message`
 * of an error reply) are "wording": listed, but a transcript with only those still matches.
 */

/** One difference between an expected and an actual reply. */
export interface ReplDifference {
  /** Which reply (0-based) of the transcript. */
  reply: number;
  /** JSON path inside the reply, e.g. `sorries.0.proofState`. */
  path: string;
  /** The class: `wording` differences alone still count as a match. */
  kind: 'missing-reply' | 'extra-reply' | 'keys' | 'numbering' | 'goals' | 'positions' | 'severity' | 'proofStatus' | 'wording' | 'value';
  expected: unknown;
  actual: unknown;
}

/** Parse a stream of JSON values separated by blank lines (a `.in` or `.expected.out` file); `#`/`--` queries skipped. */
export function splitTranscript(text: string): string[] {
  const out: string[] = [];
  let buf: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      if (buf.length) out.push(buf.join('\n'));
      buf = [];
    } else buf.push(line);
  }
  if (buf.length) out.push(buf.join('\n'));
  return out.filter((q) => !q.startsWith('#') && !q.startsWith('--'));
}

const NUMBERING_KEYS = new Set(['env', 'proofState']);
const POSITION_KEYS = new Set(['pos', 'endPos', 'line', 'column']);

function kindOf(path: string[]): ReplDifference['kind'] {
  const last = path[path.length - 1] ?? '';
  if (NUMBERING_KEYS.has(last)) return 'numbering';
  if (last === 'proofStatus') return 'proofStatus';
  if (last === 'severity') return 'severity';
  if (path.some((p) => POSITION_KEYS.has(p))) return 'positions';
  if (path.includes('messages') && last === 'data') return 'wording';
  if (path.length === 1 && last === 'message') return 'wording';
  if (path.includes('goals') || last === 'goal' || last === 'goalsBefore' || last === 'goalsAfter') return 'goals';
  return 'value';
}

function walk(expected: unknown, actual: unknown, path: string[], reply: number, out: ReplDifference[]): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      out.push({ reply, path: path.join('.'), kind: kindOf(path) === 'value' ? 'value' : kindOf(path), expected: expected.length, actual: actual.length });
      return;
    }
    expected.forEach((e, i) => walk(e, actual[i], [...path, String(i)], reply, out));
    return;
  }
  if (expected && actual && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    const ek = Object.keys(expected).sort();
    const ak = Object.keys(actual).sort();
    const missing = ek.filter((k) => !ak.includes(k));
    const extra = ak.filter((k) => !ek.includes(k));
    if (missing.length || extra.length) out.push({ reply, path: path.join('.'), kind: 'keys', expected: missing, actual: extra });
    for (const k of ek) if (ak.includes(k)) walk((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k], [...path, k], reply, out);
    return;
  }
  if (JSON.stringify(expected) !== JSON.stringify(actual)) out.push({ reply, path: path.join('.'), kind: kindOf(path), expected, actual });
}

/** Every difference between two transcripts' replies (parsed JSON values, in order). */
export function compareReplies(expected: unknown[], actual: unknown[]): ReplDifference[] {
  const out: ReplDifference[] = [];
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (i >= actual.length) out.push({ reply: i, path: '', kind: 'missing-reply', expected: expected[i], actual: undefined });
    else if (i >= expected.length) out.push({ reply: i, path: '', kind: 'extra-reply', expected: undefined, actual: actual[i] });
    else walk(expected[i], actual[i], [], i, out);
  }
  return out;
}

/** Whether a transcript with these differences matches (wording differences alone are allowed). */
export function matches(diffs: readonly ReplDifference[]): boolean {
  return diffs.every((d) => d.kind === 'wording');
}
