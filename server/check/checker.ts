/**
 * Whole-proof checking for `POST /v1/check` and the CLI: elaborate a submission in its
 * header's environment and give a verdict — proved | failed | incomplete (sorry) | timeout |
 * error (not checked: no worker could run it) —
 * with the messages, the axioms used and the time taken.
 */
import type { CheckItem, CheckResult, Verdict } from '../../protocol/check.js';
import { LeanWorkerError } from '../lean/errors.js';
import { stripProofBody, type LeanWorker } from '../lean/worker.js';
import { DEFAULT_ALLOWED_AXIOMS, judgeAxioms } from '../lean/verdict.js';

export type { CheckItem, CheckResult, Verdict };

/** Options of a check. */
export interface CheckOptions {
  allowedAxioms?: readonly string[];
}

const IMPORT_LINE = /^\s*(import\s|--|$)/;

/** Split a whole file into its header (leading `import` lines) and the rest. */
export function splitHeader(code: string): { header: string; body: string } {
  const lines = code.split('\n');
  let i = 0;
  while (i < lines.length && IMPORT_LINE.test(lines[i]!)) i++;
  return { header: lines.slice(0, i).join('\n'), body: lines.slice(i).join('\n') };
}

const THEOREM_NAME = /^\s*(?:@\[[^\]]*\]\s*)?(?:(?:private|protected|noncomputable)\s+)*(?:theorem|lemma)\s+([^\s:({[⦃]+)/gm;

/** Names of the theorems a text declares (`theorem NAME ...`). */
export function theoremNames(text: string): string[] {
  return [...text.matchAll(THEOREM_NAME)].map((m) => m[1]!);
}

const DECLARATION = /^\s*(?:@\[[^\]]*\]\s*)?(?:(?:private|protected|noncomputable|unsafe|partial|nonrec)\s+)*(?:theorem|lemma|def|abbrev|instance|opaque|example)\b\s*([^\s:({[⦃]*)/;

/** The declaration a 1-based line of `text` belongs to: the nearest declaration keyword at or above it. */
export function declarationAt(text: string, line: number): string | undefined {
  const lines = text.split('\n');
  for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
    const m = DECLARATION.exec(lines[i]!);
    if (m) return m[1] || 'example';
  }
  return undefined;
}

/** Replace Lean's private names (`_private.0.foo`, as the module-system build makes them) by the user's names. */
function plainNames(text: string): string {
  return text.replace(/_private\.(?:[^.\s]+\.)*?\d+\./g, '');
}

/** A heartbeat limit reached, by the elaborator ("(deterministic) timeout") or the kernel ("(kernel) deterministic timeout"). */
const HEARTBEAT_TIMEOUT = /deterministic\)? timeout|maximum number of heartbeats/;
const USES_SORRY = /declaration uses 'sorry'|declaration uses `sorry`/;

/** Check one item on a worker. A wall-clock timeout ends the worker (its owner restarts it). */
export async function checkItem(worker: LeanWorker, item: CheckItem, o: CheckOptions = {}): Promise<CheckResult> {
  const t0 = Date.now();
  const done = (verdict: Verdict, rest: Partial<CheckResult> = {}): CheckResult => ({
    id: item.id,
    verdict,
    messages: [],
    axioms: [],
    ...rest,
    elapsedMs: Date.now() - t0,
  });
  const { header, body } = 'code' in item ? splitHeader(item.code) : item;
  try {
    const env = await worker.importHeader(header);
    if (env.hasErrors) return done('failed', { reason: 'the header does not elaborate', messages: env.messages });
    const r = await worker.runCommand(env.env, body);
    try {
      const messages = r.messages;
      const errors = messages.filter((m) => m.severity === 'error');
      if (errors.some((m) => HEARTBEAT_TIMEOUT.test(m.data))) return done('timeout', { reason: 'heartbeat limit reached', messages });
      if (errors.length) return done('failed', { reason: plainNames(errors[0]!.data.split('\n')[0]!), messages });
      const sorryAt = [...r.sorries.map((x) => x.pos.line), ...messages.filter((m) => USES_SORRY.test(m.data)).map((m) => m.pos.line)];
      if (sorryAt.length) {
        const decls = [...new Set(sorryAt.map((l) => declarationAt(body, l) ?? `line ${l}`))];
        return done('incomplete', { reason: `the proof uses sorry (in ${decls.join(', ')})`, messages });
      }
      const names = item.reference ? theoremNames(item.reference).slice(0, 1) : theoremNames(body);
      if (names.length === 0) return done('failed', { reason: 'no theorem to check was found', messages });
      const axioms = new Set<string>();
      for (const name of names) {
        const ref = item.reference ? { referenceEnv: env.env, reference: stripProofBody(item.reference) } : {};
        const d = await worker.checkDecl(r.env, name, { ...ref, baseEnv: env.env });
        if (!d.found) return done('failed', { reason: `theorem ${name} is not declared`, messages });
        if (d.typeMatches === false) {
          return done('failed', { reason: `statement mismatch: theorem ${name} does not have the reference statement's type (it states ${d.type})`, messages });
        }
        // Axioms before the kernel: a native_decide proof is refused for Lean.ofReduceBool, by name.
        const j = judgeAxioms(d.axioms, d.importedAxioms, o.allowedAxioms ?? DEFAULT_ALLOWED_AXIOMS);
        j.axioms.forEach((a) => axioms.add(a));
        if (!j.proved) {
          const verdict = j.axioms.includes('sorryAx') ? 'incomplete' : 'failed';
          return done(verdict, { reason: `${j.reason} (theorem ${name})`, messages, axioms: [...axioms].sort() });
        }
        if (d.kernel && !d.kernel.ok) {
          const verdict = HEARTBEAT_TIMEOUT.test(d.kernel.error ?? '') ? 'timeout' : 'failed';
          return done(verdict, { reason: `kernel re-check of ${name} failed: ${plainNames(d.kernel.error ?? 'no reason given')}`, messages, axioms: [...axioms].sort() });
        }
      }
      return done('proved', { messages, axioms: [...axioms].sort() });
    } finally {
      void worker.drop({ envs: [r.env] }).catch(() => undefined);
    }
  } catch (e) {
    if (e instanceof LeanWorkerError && e.kind === 'worker_timeout') return done('timeout', { reason: e.message });
    if (e instanceof LeanWorkerError && e.kind === 'repl_error') return done('failed', { reason: e.message });
    throw e;
  }
}
