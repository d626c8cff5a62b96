/**
 * The bench's judge: one judge process shared by every section of a bench run (as a node has
 * one), started on first use; and the check as it was before the judge (the worker's own kernel
 * replay and report), measured beside it.
 */
import { loadConfig } from '../../server/config/config.js';
import { resolveBackend } from '../../server/lean/backend.js';
import { createJudge } from '../../server/judge/create.js';
import type { Judge } from '../../server/judge/judge.js';
import type { LeanWorker } from '../../server/lean/worker.js';
import type { CheckItem } from '../../protocol/check.js';
import { judgeSubmission } from '../../server/check/judge.js';
import { DEFAULT_ALLOWED_AXIOMS } from '../../server/lean/verdict.js';

let shared: Promise<Judge> | undefined;

/** The bench's judge, started once (and ready) on first use. */
export function benchJudge(): Promise<Judge> {
  shared ??= (async () => {
    const config = loadConfig([]);
    const judge = createJudge(await resolveBackend(config), config);
    await judge.start();
    return judge;
  })();
  return shared;
}

/** A header/body item checked as before the judge: the worker replays and audits, and its report decides (for comparison only). */
export async function checkOnWorkerOnly(worker: LeanWorker, item: CheckItem): Promise<string> {
  if ('code' in item) throw new Error('checkOnWorkerOnly: header/body items only');
  const env = await worker.importHeader(item.header);
  const s = await worker.checkSubmission(item.body, env.env);
  void worker.drop({ envs: [s.env] }).catch(() => undefined);
  return judgeSubmission(s, DEFAULT_ALLOWED_AXIOMS).verdict;
}
