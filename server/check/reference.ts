/**
 * A check item's reference statement, as users give it: a bare `theorem name binders : type`
 * (elaborated in the item's header environment), or a whole formal statement that carries its
 * own header and preamble (imports, notations, options) before the theorem — accepted when the
 * item's own text starts with that same preamble, so every name in the statement means the
 * same constant in both. Lean delimits the commands; a reference that cannot be used is a
 * request error (`ReferenceError`), never a verdict on the proof.
 */
import type { LeanWorker } from '../lean/worker.js';
import type { CheckedCommand } from '../repl-protocol/repl.js';

/** A reference that cannot be used: the request is wrong, not the proof. */
export class ReferenceError extends Error {
  constructor(
    readonly itemId: string,
    message: string,
  ) {
    super(`item ${itemId}: ${message}`);
    this.name = 'ReferenceError';
  }
}

/** The reference, resolved: the statement text, the environment to elaborate it in, and what it declares. */
export interface ResolvedReference {
  statement: string;
  env: number;
  /** The theorem's name, or undefined for an `example` reference. */
  name?: string;
  isExample: boolean;
  /** Scratch environments to drop after the check. */
  scratch: number[];
}

/** Remove a trailing proof placeholder (`:= sorry`, `:= by sorry`, a bare `:=` or `:= by`) from a statement (text formatting only). */
export function stripPlaceholder(statement: string): string {
  return statement.replace(/\s*:=\s*(by\s*)?(sorry)?\s*$/, '').trimEnd();
}

/** Text from a Lean position (1-based line, codepoint column) on. */
function textFrom(text: string, pos: { line: number; column: number }): { before: string; after: string } {
  const lines = text.split('\n');
  const head = lines.slice(0, pos.line - 1).join('\n');
  const line = [...(lines[pos.line - 1] ?? '')];
  const before = (pos.line > 1 ? head + '\n' : '') + line.slice(0, pos.column).join('');
  return { before, after: text.slice(before.length) };
}

/** Whitespace-insensitive form of Lean text, for comparing preambles. */
function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The last declaration command of a reference's commands: its statement. */
function statementCommand(commands: readonly CheckedCommand[]): CheckedCommand | undefined {
  return [...commands].reverse().find((c) => c.kind === 'Lean.Parser.Command.declaration' || c.example);
}

/**
 * Resolve an item's reference on `worker`: `itemText` is the item's whole text and
 * `headerEnv` its header's environment. Throws `ReferenceError` when the reference does not
 * parse or elaborate, declares no theorem, or carries a preamble the item does not start with.
 */
export async function resolveReference(worker: LeanWorker, itemId: string, reference: string, itemText: string, headerEnv: number): Promise<ResolvedReference> {
  const ref = stripPlaceholder(reference);
  const scratch: number[] = [];
  const errorsOf = (ms: readonly { severity: string; data: string }[]) => ms.filter((m) => m.severity === 'error').map((m) => m.data.split('\n')[0]);
  // Lean delimits the reference on its own: its header and its commands.
  const own = await worker.checkSubmission(`${ref} := sorry`);
  scratch.push(own.env);
  // A reference that needs the item's header to parse (e.g. `ℕ` from its notation) has errors on its own: a bare statement.
  const ownErrors = errorsOf(own.messages);
  const hasPreamble = ownErrors.length === 0 && ((own.header ?? '').trim() !== '' || own.commands.length > 1);
  if (!hasPreamble) {
    const r = await worker.checkSubmission(`${ref} := sorry`, headerEnv);
    scratch.push(r.env);
    const errors = errorsOf(r.messages);
    if (errors.length) throw new ReferenceError(itemId, `the reference does not elaborate in the item's header: ${errors[0]}`);
    const cmd = statementCommand(r.commands);
    if (!cmd) throw new ReferenceError(itemId, 'the reference declares no theorem');
    return { statement: ref, env: headerEnv, ...(cmd.example ? {} : { name: cmd.name ?? undefined }), isExample: cmd.example, scratch };
  }
  const cmd = statementCommand(own.commands);
  if (!cmd) throw new ReferenceError(itemId, 'the reference declares no theorem');
  const { before: preamble, after: statement } = textFrom(ref, cmd.pos);
  if (!squash(itemText).startsWith(squash(preamble))) {
    throw new ReferenceError(itemId, "the reference's header and preamble (the text before its theorem) are not the beginning of the item's text");
  }
  const env = await worker.checkSubmission(preamble);
  scratch.push(env.env);
  return { statement: statement.trim(), env: env.env, ...(cmd.example ? {} : { name: cmd.name ?? undefined }), isExample: cmd.example, scratch };
}

/**
 * A statement that carries a header and preamble (e.g. a benchmark's whole formal statement),
 * reduced to its theorem when `header` (the session's) begins with that preamble; undefined
 * when it carries none or another one. Lean delimits the commands.
 */
export async function statementInHeader(worker: LeanWorker, statement: string, header: string): Promise<string | undefined> {
  const own = await worker.checkSubmission(`${stripPlaceholder(statement)} := sorry`);
  void worker.drop({ envs: [own.env] }).catch(() => undefined);
  if (own.hasErrors || ((own.header ?? '').trim() === '' && own.commands.length <= 1)) return undefined;
  const cmd = statementCommand(own.commands);
  if (!cmd) return undefined;
  const { before, after } = textFrom(stripPlaceholder(statement), cmd.pos);
  return squash(header).startsWith(squash(before)) ? after.trim() : undefined;
}
