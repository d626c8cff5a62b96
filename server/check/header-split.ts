/**
 * A text split of a whole file into its leading `import` lines and the rest. It decides no
 * verdict (verdicts use Lean's own header parser, `env.check`): it only picks a worker that has
 * the header imported, and gives the compatibility fronts (Kimina, the REPL protocol) the
 * import step and line offsets their replies need.
 */

const IMPORT_OR_BLANK = /^\s*(import\s|--|$)/;

/** The leading `import` (and blank or `--` comment) lines of `code`, and the rest. */
export function splitHeader(code: string): { header: string; body: string } {
  const lines = code.split('\n');
  let i = 0;
  while (i < lines.length && IMPORT_OR_BLANK.test(lines[i]!)) i++;
  return { header: lines.slice(0, i).join('\n'), body: lines.slice(i).join('\n') };
}
