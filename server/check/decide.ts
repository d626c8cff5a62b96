/**
 * The judge's decision on a submission a worker elaborated: the worker's export is replayed and
 * audited by the judge (`Judge.check`), the reference (if any) is resolved and elaborated by the
 * judge itself, and the verdict rules (`judgeSubmission`) run on the judge's audit. The worker's
 * report only names things (which command, which example) and can only fail an item; a name it
 * gives that the judge does not find fails the item, never proves it.
 */
import type { CheckItem } from '../../protocol/check.js';
import type { ExportData, ReplResult } from '../repl-protocol/repl.js';
import { judgeEnv, type Judge, type JudgeBase } from '../judge/judge.js';
import { userName } from '../lean/verdict.js';
import { declaredProofs, describeConstant, judgeSubmission, type Judged } from './judge.js';
import { resolveReference } from './reference.js';

type Submission = ReplResult<'env.check'>;

/** The submission with the judge's audit of its constants (each keeps the worker's command index, a name only). */
function withJudged(s: Submission, judged: ReplResult<'judge.check'>): Submission {
  const command = new Map(s.constants.map((c) => [c.name, c.command]));
  return { ...s, constants: judged.constants.map((c) => ({ ...c, command: command.get(c.name) ?? 0 })) };
}

/** Decide an item: the judge replays and audits `exported`; with a reference, the judge's statement must be the target's type. */
export async function decideWithJudge(judge: Judge, item: CheckItem, s: Submission, exported: ExportData, allowed: readonly string[]): Promise<Judged> {
  const base: JudgeBase = 'code' in item ? { imports: s.header ?? '' } : { header: item.header };
  const r = await judge.use(async (jw) => {
    const scratch: number[] = [];
    try {
      let env = await judgeEnv(jw, base);
      let ref: { statement: string; target?: string; what: string } | undefined;
      if (item.reference) {
        const itemText = 'code' in item ? item.code : `${item.header}\n${item.body}`;
        const resolved = await resolveReference(jw, item.id, item.reference, itemText, env);
        scratch.push(...resolved.scratch.filter((e) => e !== env));
        env = resolved.env;
        // Which of the submission's theorems is the reference's: by name (or the example), from the worker's report.
        const mine = declaredProofs(s);
        const target = resolved.isExample
          ? s.commands.flatMap((c) => (c.example ? mine.filter((k) => c.added.includes(k.name)) : []))[0]
          : mine.find((k) => userName(k.name).split('.').slice(-1)[0] === resolved.name || userName(k.name) === resolved.name);
        ref = { statement: resolved.statement, target: target?.name, what: resolved.isExample ? 'the example' : `theorem ${resolved.name}` };
      }
      const judged = await jw.request('judge.check', {
        env,
        export: exported,
        ...(ref?.target ? { reference: ref.statement, target: ref.target } : {}),
        ...judge.limits(),
      });
      return { judged, ref };
    } finally {
      if (scratch.length) void jw.drop({ envs: scratch }).catch(() => undefined);
    }
  }, 'check');
  const full = withJudged(s, r.judged);
  const verdict = judgeSubmission(full, allowed);
  if (verdict.verdict !== 'proved' || !r.ref) return verdict;
  const { ref } = r;
  const notDeclared: Judged = { verdict: 'failed', reason: `${ref.what} of the reference is not declared by the submission`, axioms: verdict.axioms };
  if (!ref.target || !r.judged.reference?.found) return notDeclared;
  if (r.judged.reference.typeMatches !== true) {
    const target = full.constants.find((c) => c.name === ref.target);
    const named = target && ref.what === 'the example' ? describeConstant(target, full.commands) : `theorem ${userName(ref.target)}`;
    return { verdict: 'failed', reason: `statement mismatch: ${named} does not have the reference statement's type (it states ${r.judged.reference.type ?? '?'})`, axioms: verdict.axioms };
  }
  return verdict;
}
