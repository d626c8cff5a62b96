/**
 * Whole-proof checking for `POST /v1/check` and the CLI: elaborate a submission in its
 * header's environment and give a verdict — proved | failed | incomplete (sorry) | timeout |
 * error (not checked: no worker could run it) —
 * with the messages, the axioms used and the time taken.
 */
import type { CheckItem, CheckResult, Verdict } from '../../protocol/check.js';
import { LeanWorkerError } from '../lean/errors.js';
import type { LeanWorker } from '../lean/worker.js';
import type { ReplResult } from '../protocol/repl.js';
import { DEFAULT_ALLOWED_AXIOMS, userName } from '../lean/verdict.js';
import { declaredProofs, describeConstant, judgeSubmission } from './judge.js';
import { ReferenceError, resolveReference } from './reference.js';

export { ReferenceError };

export type { CheckItem, CheckResult, Verdict };

/** Options of a check. */
export interface CheckOptions {
  allowedAxioms?: readonly string[];
  /** Sees the REPL's report on the submission (the compatibility fronts build their replies from it). */
  onSubmission?: (report: ReplResult<'env.check'>) => void;
}

/**
 * Check one item on a worker: Lean elaborates the submission command by command and reports
 * every constant it added; the verdict audits all of them (`judgeSubmission`). With a
 * reference, the reference's theorem must also be among them, with the reference's type.
 * A wall-clock timeout ends the worker (its owner restarts it). An unusable reference throws
 * `ReferenceError` (a request error, not a verdict).
 */
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
  const allowed = o.allowedAxioms ?? DEFAULT_ALLOWED_AXIOMS;
  const drop: number[] = [];
  try {
    let headerEnv: number | undefined;
    let s: ReplResult<'env.check'>;
    if ('code' in item) {
      s = await worker.checkSubmission(item.code);
    } else {
      const env = await worker.importHeader(item.header);
      if (env.hasErrors) return done('failed', { reason: 'the header does not elaborate', messages: env.messages });
      headerEnv = env.env;
      s = await worker.checkSubmission(item.body, env.env);
    }
    drop.push(s.env);
    o.onSubmission?.(s);
    const messages = s.messages;
    const judged = judgeSubmission(s, allowed);
    if (judged.verdict !== 'proved' || !item.reference) return done(judged.verdict, { ...judged, messages });
    // The reference: its theorem must be one of the submission's, with the reference's type.
    if (headerEnv === undefined) headerEnv = (await worker.importHeader(s.header ?? '')).env;
    const itemText = 'code' in item ? item.code : `${item.header}\n${item.body}`;
    const ref = await resolveReference(worker, item.id, item.reference, itemText, headerEnv);
    drop.push(...ref.scratch.filter((e) => e !== headerEnv));
    const mine = declaredProofs(s);
    const target = ref.isExample
      ? s.commands.flatMap((c) => (c.example ? mine.filter((k) => c.added.includes(k.name)) : []))[0]
      : mine.find((k) => userName(k.name).split('.').slice(-1)[0] === ref.name || userName(k.name) === ref.name);
    const what = ref.isExample ? 'the example' : `theorem ${ref.name}`;
    if (!target) return done('failed', { reason: `${what} of the reference is not declared by the submission`, messages, axioms: judged.axioms });
    const d = await worker.checkDecl(s.env, target.name, { referenceEnv: ref.env, reference: ref.statement }).catch((e: unknown) => {
      // Lean refusing the reference statement itself is a request error, not a verdict.
      throw e instanceof LeanWorkerError && e.kind === 'repl_error' ? new ReferenceError(item.id, e.message) : e;
    });
    if (!d.found) return done('failed', { reason: `${what} of the reference is not declared by the submission`, messages, axioms: judged.axioms });
    if (d.typeMatches !== true) {
      return done('failed', { reason: `statement mismatch: ${ref.isExample ? describeConstant(target, s.commands) : `theorem ${userName(target.name)}`} does not have the reference statement's type (it states ${d.type})`, messages, axioms: judged.axioms });
    }
    return done('proved', { messages, axioms: judged.axioms });
  } catch (e) {
    if (e instanceof LeanWorkerError && e.kind === 'worker_timeout') return done('timeout', { reason: e.message });
    if (e instanceof LeanWorkerError && e.kind === 'repl_error') return done('failed', { reason: e.message });
    throw e;
  } finally {
    if (drop.length) void worker.drop({ envs: drop }).catch(() => undefined);
  }
}
