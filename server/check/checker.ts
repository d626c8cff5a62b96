/**
 * Whole-proof checking for `POST /v1/check` and the CLI: elaborate a submission in its
 * header's environment and give a verdict — proved | failed | incomplete (sorry) | timeout |
 * error (not checked: no worker could run it) —
 * with the messages, the axioms used and the time taken.
 */
import { z } from 'zod';
import type { LeanMessage } from '../protocol/repl.js';
import { LeanWorkerError } from '../lean/errors.js';
import { stripProofBody, type LeanWorker } from '../lean/worker.js';
import { DEFAULT_ALLOWED_AXIOMS, judgeAxioms } from '../lean/verdict.js';

/** One item: a whole file (`code`) or a header and a body; an optional reference statement. */
export const CheckItem = z.union([
  z.object({ id: z.string().min(1), code: z.string(), reference: z.string().optional() }).strict(),
  z.object({ id: z.string().min(1), header: z.string(), body: z.string(), reference: z.string().optional() }).strict(),
]);
export type CheckItem = z.infer<typeof CheckItem>;

/** Verdicts of a check. */
export const Verdict = z.enum(['proved', 'failed', 'incomplete', 'timeout', 'error']);
export type Verdict = z.infer<typeof Verdict>;

/** The result of checking one item. */
export interface CheckResult {
  id: string;
  verdict: Verdict;
  /** Why it is not proved. */
  reason?: string;
  messages: LeanMessage[];
  axioms: string[];
  elapsedMs: number;
}

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

const HEARTBEAT_TIMEOUT = /\(deterministic\) timeout|maximum number of heartbeats/;
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
      if (errors.length) return done('failed', { reason: errors[0]!.data.split('\n')[0], messages });
      if (r.sorries.length || messages.some((m) => USES_SORRY.test(m.data))) {
        return done('incomplete', { reason: 'the proof uses sorry', messages });
      }
      const names = item.reference ? theoremNames(item.reference).slice(0, 1) : theoremNames(body);
      if (names.length === 0) return done('failed', { reason: 'no theorem to check was found', messages });
      const axioms = new Set<string>();
      for (const name of names) {
        const ref = item.reference ? { referenceEnv: env.env, reference: stripProofBody(item.reference) } : {};
        const d = await worker.checkDecl(r.env, name, { ...ref, baseEnv: env.env });
        if (!d.found) return done('failed', { reason: `theorem ${name} is not declared`, messages });
        if (d.typeMatches === false) return done('failed', { reason: `theorem ${name} does not have the reference statement's type`, messages });
        if (d.kernel && !d.kernel.ok) return done('failed', { reason: `kernel re-check of ${name} failed: ${d.kernel.error}`, messages });
        const j = judgeAxioms(d.axioms, d.importedAxioms, o.allowedAxioms ?? DEFAULT_ALLOWED_AXIOMS);
        j.axioms.forEach((a) => axioms.add(a));
        if (!j.proved) {
          const verdict = j.axioms.includes('sorryAx') ? 'incomplete' : 'failed';
          return done(verdict, { reason: j.reason, messages, axioms: [...axioms].sort() });
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
