/**
 * Tactic keyword candidates from syntax node kind names, for `tactic-names.ts`: the embedded
 * Lean's interpreter cannot read the parser tables (their accessors' compiled helpers are not
 * in its oleans), so the server reads the syntax node kinds, guesses each tactic's leading
 * keyword from its kind's name (`Lean.Parser.Tactic.simpAll` → `simp_all`, `tacticRfl` →
 * `rfl`, `tacticNorm_cast__` → `norm_cast`), and then asks Lean's own tactic parser which of
 * the guesses start a tactic. Only the parser's answer decides what is offered.
 */

/** Kinds that are parts of other syntax (antiquotations, tokens), never a tactic's own kind. */
const NOT_A_TACTIC_KIND = /\.antiquot$|^token\.|\.pseudo\.|^null$/;

/** Keyword guesses from one kind name's last component. */
export function guessesFromKind(kind: string): string[] {
  if (NOT_A_TACTIC_KIND.test(kind)) return [];
  const last = kind.slice(kind.lastIndexOf('.') + 1);
  let word: string;
  if (/^tactic[A-Z]/.test(last)) {
    // An auto-named `syntax "kw" … : tactic`: `tactic` + the atoms, capitalised, `_` between.
    const rest = last.slice('tactic'.length);
    word = (rest[0]!.toLowerCase() + rest.slice(1)).match(/^[A-Za-z0-9_'?!]+/)?.[0] ?? '';
    word = word.replace(/_+$/, '');
  } else {
    // An explicitly named parser: camelCase for the keyword's snake_case.
    word = last.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/^_/, '');
  }
  if (!/^[a-z][A-Za-z0-9_']*[?!]*$/.test(word)) return [];
  const bare = word.replace(/[?!]+$/, '');
  // Shorter snake_case prefixes too (`rwSeq` → `rw`, `bvDecideMacro` → `bv_decide`): the parser sorts them out.
  const parts = bare.split('_');
  const prefixes = parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('_')).filter((p) => p.length >= 2);
  return [...new Set([word, bare, ...(word.endsWith('?!') ? [bare + '?', bare + '!'] : []), ...prefixes])];
}

/** Every guess from a list of kinds, sorted and unique. */
export function tacticCandidates(kinds: readonly string[]): string[] {
  return [...new Set(kinds.flatMap(guessesFromKind))].sort();
}
