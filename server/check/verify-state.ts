/**
 * The sound verdict on a solved proof state of the WebSocket API: the REPL's kernel check
 * of the proof term, then a re-check of the whole proof text (statement + tactic path) from
 * the header's environment alone, exactly as `POST /v1/check` checks a submission: the
 * session's statement as reference, kernel replay with clean options, axioms audited.
 */
import type { ReplResult } from '../protocol/repl.js';
import type { LeanWorker } from '../lean/worker.js';
import { renderProof } from '../lean/proof-script.js';
import { DEFAULT_ALLOWED_AXIOMS, judgeVerification } from '../lean/verdict.js';
import { checkItem } from './checker.js';

/** What a proof state was reached from. */
export interface SolvedState {
  /** Proof id, used as the check item's id. */
  id: string;
  header: string;
  /** `theorem name binders : type` (or `example binders : type`), without a proof. */
  statement: string;
  tactics: readonly string[];
}

/** The verdict, with the axioms used and the whole proof text. */
export interface StateVerdict {
  proved: boolean;
  reason?: string;
  axioms: string[];
  proofText: string;
}

/** Judge a solved state: the REPL's verification `v` of it, then a re-check of its proof text from the header. */
export async function verifySolvedState(
  worker: LeanWorker,
  v: ReplResult<'proof.verify'>,
  s: SolvedState,
  allowedAxioms: readonly string[] = DEFAULT_ALLOWED_AXIOMS,
): Promise<StateVerdict> {
  const proofText = renderProof(s.statement, s.tactics);
  const first = judgeVerification(v, allowedAxioms);
  if (!first.proved) return { proved: false, reason: first.reason, axioms: first.axioms, proofText };
  // An `example` statement needs no renaming: Lean elaborates examples under a fresh name and the checker finds it.
  const r = await checkItem(worker, { id: s.id, header: s.header, body: renderProof(s.statement, s.tactics), reference: s.statement }, { allowedAxioms });
  if (r.verdict === 'proved') return { proved: true, axioms: r.axioms, proofText };
  return { proved: false, reason: `re-check of the proof text from the header failed (${r.verdict}): ${r.reason ?? 'no reason given'}`, axioms: r.axioms, proofText };
}
