/**
 * Judging a kernel verification: which axioms a proof really uses and whether they
 * are allowed. On the embedded (module-system) build an imported theorem's body is
 * hidden and so looks like an axiom to Lean's axiom collector; only Lean's own
 * axioms among the imported ones are counted as axioms.
 */
import type { KernelLimit, ReplResult } from '../repl-protocol/repl.js';

/** Axioms declared by Lean's core library. */
export const CORE_AXIOMS: readonly string[] = [
  'propext',
  'Classical.choice',
  'Quot.sound',
  'sorryAx',
  'Lean.ofReduceBool',
  'Lean.ofReduceNat',
  'Lean.trustCompiler',
];

/** Axioms a proof may use by default (the standard classical ones). */
export const DEFAULT_ALLOWED_AXIOMS: readonly string[] = ['propext', 'Classical.choice', 'Quot.sound'];

/** The verdict on a verification. */
export interface Judgement {
  proved: boolean;
  /** Axioms the proof depends on (sorted). */
  axioms: string[];
  /** Why it is not proved. */
  reason?: string;
}

/** A declaration's name as the user wrote it (module-system builds make declarations private: `_private.0.foo`). */
export function userName(name: string): string {
  return name.replace(/^_private\.(?:[^.]+\.)*?\d+\./, '');
}

/** Judge the axioms a declaration depends on (declared since the imports, and imported). */
export function judgeAxioms(declared: readonly string[], importedAxioms: readonly string[], allowed: readonly string[] = DEFAULT_ALLOWED_AXIOMS): Judgement {
  const imported = importedAxioms.filter((a) => CORE_AXIOMS.includes(a));
  const axioms = [...new Set([...declared, ...imported].map(userName))].sort();
  if (axioms.includes('sorryAx')) return { proved: false, axioms, reason: 'the proof depends on sorry' };
  const refused = axioms.filter((a) => !allowed.includes(a));
  if (refused.length > 0) return { proved: false, axioms, reason: `the proof uses axioms that are not allowed: ${refused.join(', ')}` };
  return { proved: true, axioms };
}

/** What a kernel resource limit means, for a reason text. */
export function describeKernelLimit(limit: KernelLimit): string {
  switch (limit) {
    case 'heartbeats':
      return 'the kernel reached the heartbeat limit';
    case 'recursion':
      return 'the kernel stopped a recursion too deep for its stack';
    case 'memory':
      return 'the kernel reached its memory limit';
    case 'interrupted':
      return 'the kernel check was interrupted';
  }
}

/** Decide whether a `proof.verify` result is a proof: kernel-accepted and only allowed axioms. */
export function judgeVerification(v: ReplResult<'proof.verify'>, allowed: readonly string[] = DEFAULT_ALLOWED_AXIOMS): Judgement {
  if (!v.ok) return { proved: false, axioms: [], reason: v.limit ? `${describeKernelLimit(v.limit)} (${v.error})` : v.error };
  return judgeAxioms(v.axioms, v.importedAxioms, allowed);
}
