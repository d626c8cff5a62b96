/** Whole-proof text from a statement and the tactics applied since the start state. */

/** Indent every line of a (possibly multi-line) tactic by `pad`. */
function indent(tactic: string, pad: string): string {
  return tactic
    .split('\n')
    .map((l) => (l.trim() ? pad + l : l))
    .join('\n');
}

/** `statement := by` followed by the tactics, one per line, indented; re-checkable from scratch. */
export function renderProof(statement: string, tactics: readonly string[]): string {
  const body = tactics.length ? tactics.map((t) => indent(t.trim(), '  ')).join('\n') : '  skip';
  return `${statement.trimEnd()} := by\n${body}\n`;
}
