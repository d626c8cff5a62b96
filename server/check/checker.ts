/**
 * Whole-proof checking for `POST /v1/check` and the CLI: elaborate a submission in its
 * header's environment and give a verdict — proved | failed | incomplete (sorry) | timeout |
 * error (not checked: no worker could run it) —
 * with the messages, the axioms used and the time taken.
 */
import type { CheckItem, CheckResult, Verdict } from '../../protocol/check.js';
import { LeanWorkerError } from '../lean/errors.js';
import type { LeanWorker } from '../lean/worker.js';
import type { ReplResult } from '../repl-protocol/repl.js';
import { DEFAULT_ALLOWED_AXIOMS } from '../lean/verdict.js';
import { JudgeError, type Judge } from '../judge/judge.js';
import { judgeSubmission } from './judge.js';
import { ReferenceError } from './reference.js';
import { decideWithJudge } from './decide.js';

export { ReferenceError };

export type { CheckItem, CheckResult, Verdict };

/** Options of a check. */
export interface CheckOptions {
  /** The node's judge: every `proved` is its decision (see `server/judge/judge.ts`). */
  judge: Judge;
  allowedAxioms?: readonly string[];
  /** Sees the REPL's report on the submission (the compatibility fronts build their replies from it). */
  onSubmission?: (report: ReplResult<'env.check'>) => void;
}

/**
 * Check one item: a worker elaborates the submission command by command and reports what it
 * added (its errors, limits and `sorry` can only fail the item), and hands every constant added
 * since the imports over as data; the judge, a process that never ran submission code, replays
 * them through the kernel onto its own environment and audits them, and with a reference
 * elaborates the reference statement itself and compares types (`decideWithJudge`). A
 * wall-clock timeout ends the worker (its owner restarts it). An unusable reference throws
 * `ReferenceError` (a request error, not a verdict); a judge that cannot decide gives `error`.
 */
export async function checkItem(worker: LeanWorker, item: CheckItem, o: CheckOptions): Promise<CheckResult> {
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
    let s: ReplResult<'env.check'>;
    if ('code' in item) {
      s = await worker.checkSubmission(item.code, undefined, { exportData: true });
    } else {
      const env = await worker.importHeader(item.header);
      if (env.hasErrors) return done('failed', { reason: 'the header does not elaborate', messages: env.messages });
      s = await worker.checkSubmission(item.body, env.env, { exportData: true, exportFromImports: !!item.reference });
    }
    drop.push(s.env);
    o.onSubmission?.(s);
    const messages = s.messages;
    // The worker's word can only fail an item: errors, limits, sorry, refused axioms.
    const pre = judgeSubmission(s, allowed, { kernelChecked: false });
    if (pre.verdict !== 'proved') return done(pre.verdict, { ...pre, messages });
    if (!s.export) return done('error', { reason: 'the worker did not hand over the submission as data', messages });
    const judged = await decideWithJudge(o.judge, item, s, s.export, allowed);
    return done(judged.verdict, { ...judged, messages });
  } catch (e) {
    if (e instanceof JudgeError) return done(e.timedOut ? 'timeout' : 'error', { reason: e.message });
    if (e instanceof LeanWorkerError && e.kind === 'worker_timeout') return done('timeout', { reason: e.message });
    if (e instanceof LeanWorkerError && e.kind === 'repl_error') return done('failed', { reason: e.message });
    throw e;
  } finally {
    if (drop.length) void worker.drop({ envs: drop }).catch(() => undefined);
  }
}
