/**
 * The sound verdict on a solved proof state of the WebSocket API: the worker hands the proof
 * term over as data (`proof.export`), and the judge, a process that never ran submission code,
 * elaborates the session's statement itself in the header's environment, adds
 * `theorem <name> : <statement> := <term>` through the kernel and collects its axioms.
 */
import type { LeanWorker } from '../lean/worker.js';
import { LeanWorkerError } from '../lean/errors.js';
import type { Judge } from '../judge/judge.js';
import { renderProof } from '../lean/proof-script.js';
import { plainNames } from './judge.js';
import { DEFAULT_ALLOWED_AXIOMS, judgeVerification } from '../lean/verdict.js';

/** What a proof state was reached from. */
export interface SolvedState {
  /** Proof id. */
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

/** Judge solved state `proofState` (on `worker`) of `s`: the judge's kernel check of its proof term against the statement. */
export async function verifySolvedState(
  worker: LeanWorker,
  judge: Judge,
  proofState: number,
  s: SolvedState,
  allowedAxioms: readonly string[] = DEFAULT_ALLOWED_AXIOMS,
): Promise<StateVerdict> {
  const proofText = renderProof(s.statement, s.tactics);
  const exported = await worker.exportProof(proofState).catch((e: unknown) => {
    // A state with goals left is an answer (not proved), not a failed request.
    if (e instanceof LeanWorkerError && e.replCode === 'not_finished') return e;
    throw e;
  });
  if (exported instanceof LeanWorkerError) return { proved: false, reason: exported.message, axioms: [], proofText };
  const v = await judge.verifyProof(s.header, s.statement, exported);
  const j = judgeVerification(v, allowedAxioms);
  return { proved: j.proved, ...(j.reason ? { reason: plainNames(j.reason) } : {}), axioms: j.axioms, proofText };
}
