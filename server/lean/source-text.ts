/** Source text of a range that Lean reports as line and column (codepoints), e.g. a tactic's. */

/** A Lean position: line from 1, column in codepoints. */
export interface LinePosition {
  line: number;
  column: number;
}

/** UTF-16 offset in `code` of a Lean position (line from 1, column in codepoints); clamped to the text. */
export function offsetOf(code: string, pos: LinePosition): number {
  let offset = 0;
  for (let line = 1; line < pos.line; line++) {
    const nl = code.indexOf('\n', offset);
    if (nl < 0) return code.length;
    offset = nl + 1;
  }
  let column = 0;
  while (column < pos.column && offset < code.length && code[offset] !== '\n') {
    offset += (code.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
    column += 1;
  }
  return offset;
}

/** The text of `code` between two Lean positions. */
export function sourceText(code: string, pos: LinePosition, endPos: LinePosition): string {
  return code.slice(offsetOf(code, pos), offsetOf(code, endPos));
}
