/**
 * Traced whole proofs (`POST /v1/check` with `trace: true`): the item's tactics with their goals
 * before and after, from the REPL's tactic records (`env.command` with `tactics`). Information
 * beside the verdict, which comes from the judge alone (docs/verdicts.md): this runs after it.
 */
import type { CheckItem, TracedTactic } from '../../protocol/check.js';
import type { LeanWorker } from '../lean/worker.js';
import { splitHeader } from './header-split.js';

type Position = TracedTactic['pos'];

/** Each tactic of `item` in source order, positions in the item's own text (`code`, or `body`); undefined if its header does not elaborate. */
export async function traceItem(worker: LeanWorker, item: CheckItem): Promise<TracedTactic[] | undefined> {
  const { header, body } = 'code' in item ? splitHeader(item.code) : item;
  // Lines of `code` before its body (the import lines), so that positions point into `code`.
  const lineOffset = 'code' in item ? item.code.split('\n').length - body.split('\n').length : 0;
  const env = await worker.importHeader(header);
  if (env.hasErrors) return undefined;
  const r = await worker.runCommand(env.env, body, undefined, { tactics: true });
  const records = r.tactics ?? [];
  void worker.drop({ envs: [r.env], proofStates: records.flatMap((t) => (t.proofState === undefined ? [] : [t.proofState])) }).catch(() => undefined);
  const at = (p: Position): Position => ({ line: p.line + lineOffset, column: p.column });
  return records.map((t) => ({
    tactic: t.text ?? t.pretty ?? '',
    kind: t.kind,
    decl: t.decl,
    pos: at(t.pos),
    endPos: at(t.endPos),
    goalsBefore: t.goalsBefore ?? [],
    goalsAfter: t.goalsAfter ?? [],
    usedConstants: t.usedConstants ?? [],
    ...(t.error === undefined ? {} : { error: t.error }),
  }));
}
