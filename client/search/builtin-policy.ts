/**
 * The built-in policy, no model: a configurable, scored list of core-Lean tactics. Rules are
 * plain tactics, tactics for goals whose target matches a pattern, and templates filled in
 * from the goal's hypotheses (`{h}`: each hypothesis whose type matches) or variables (`{x}`),
 * plus case splits on residues (`{x} % m` for the moduli `m` in the target). When a state has
 * several goals, closing tactics are also offered under `all_goals`.
 */
import { z } from 'zod';
import { describeIssues } from '../../protocol/issues.js';
import type { Candidate, Goal, Policy, PolicyState } from './policy.js';

/** One rule of the built-in policy. */
export const BuiltinRule = z
  .object({
    /** The tactic; `{h}` is replaced by a hypothesis name, `{x}` by a variable name. */
    tactic: z.string().min(1),
    /** Log-probability-like score (<= 0; higher is tried first and ranks its children higher). */
    score: z.number().max(0),
    /** Regex the first goal's target must match. */
    target: z.string().optional(),
    /** Regex a hypothesis type must match: one candidate per such hypothesis, named by `{h}`. */
    hyp: z.string().optional(),
    /** Regex a variable's type must match: one candidate per such variable, named by `{x}`. */
    var: z.string().optional(),
    /** A closing tactic: also offered as `all_goals …` when there are several goals. */
    closing: z.boolean().optional(),
  })
  .strict();
export type BuiltinRule = z.infer<typeof BuiltinRule>;

/** Configuration of the built-in policy. */
export const BuiltinConfig = z
  .object({
    rules: z.array(BuiltinRule),
    /** Case split `rcases (by omega : x % m = 0 ∨ …) with h | …` for integer/natural variables and moduli up to this (0: off). */
    residueSplitMaxModulus: z.number().int().min(0).max(16),
    residueSplitScore: z.number().max(0),
  })
  .strict();
export type BuiltinConfig = z.infer<typeof BuiltinConfig>;

const NUM = '^(ℕ|ℤ|Nat|Int)$';
const EQ_WITH_VAR_SIDE = '^[^=]*\\b\\w+ = \\S+$';

/** The default rules: closing tactics, structural ones, and hypothesis-based templates. */
export const DEFAULT_BUILTIN: BuiltinConfig = {
  rules: [
    // Closing: decision procedures and the simplifier (no Mathlib, so no norm_num).
    { tactic: 'omega', score: -0.3, closing: true },
    { tactic: 'decide', score: -0.5, closing: true },
    { tactic: 'rfl', score: -0.6, closing: true },
    { tactic: 'simp', score: -0.7, closing: true },
    { tactic: 'simp_all', score: -1.0, closing: true },
    { tactic: 'decide +kernel', score: -1.1, closing: true },
    { tactic: 'simp +arith +decide', score: -1.2, closing: true },
    { tactic: 'grind', score: -1.3, closing: true },
    { tactic: 'simp [Int.pow_succ, Nat.pow_succ, Int.mul_emod, Int.add_emod, Nat.mul_mod, Nat.add_mod, *]', score: -1.5, closing: true, target: '%' },
    { tactic: 'trivial', score: -1.5, closing: true },
    { tactic: 'contradiction', score: -2.0, closing: true },
    // Structural.
    { tactic: 'intro h', score: -0.8, target: '→|¬|^∀' },
    { tactic: 'intros', score: -1.0, target: '→|¬|^∀' },
    { tactic: 'constructor', score: -0.8, target: '∧|↔|^∃' },
    { tactic: 'left', score: -1.4, target: '∨' },
    { tactic: 'right', score: -1.4, target: '∨' },
    { tactic: 'subst_vars', score: -0.9 },
    { tactic: 'simp at *', score: -1.6 },
    // From the goal's hypotheses.
    { tactic: 'subst {h}', score: -0.6, hyp: EQ_WITH_VAR_SIDE },
    { tactic: 'rw [{h}]', score: -1.0, hyp: ' = ' },
    { tactic: 'rw [← {h}]', score: -1.5, hyp: ' = ' },
    { tactic: 'simp [{h}]', score: -0.9, hyp: '=|↔|∀' },
    { tactic: 'simp only [{h}]', score: -1.4, hyp: '=|↔|∀' },
    { tactic: 'cases {h}', score: -1.0, hyp: '∧|∨|^∃' },
    { tactic: 'have := {h}; omega', score: -1.6, hyp: '%|∣|<|≤' },
    // From the goal's variables.
    { tactic: 'induction {x}', score: -2.0, var: '^(ℕ|Nat)$' },
    { tactic: 'cases {x}', score: -2.2, var: NUM },
  ],
  residueSplitMaxModulus: 8,
  residueSplitScore: -1.2,
};

/** A hypothesis name usable in tactic text (not an inaccessible `x✝`). */
const usable = (name: string) => !name.includes('✝');

/** The built-in policy. */
export class BuiltinPolicy implements Policy {
  readonly name = 'builtin';
  private readonly config: BuiltinConfig;
  private readonly rules: Array<BuiltinRule & { targetRe?: RegExp; hypRe?: RegExp; varRe?: RegExp }>;

  /** A policy from a configuration (validated; a bad one throws with what was wrong). */
  constructor(config: unknown = DEFAULT_BUILTIN) {
    const r = BuiltinConfig.safeParse(config);
    if (!r.success) throw new Error(`builtin policy: ${describeIssues(r.error, 'config').join('; ')}`);
    this.config = r.data;
    this.rules = r.data.rules.map((rule) => ({
      ...rule,
      targetRe: rule.target === undefined ? undefined : new RegExp(rule.target, 'u'),
      hypRe: rule.hyp === undefined ? undefined : new RegExp(rule.hyp, 'u'),
      varRe: rule.var === undefined ? undefined : new RegExp(rule.var, 'u'),
    }));
  }

  /** Candidates for the first goal of the state (tactics act on it, like the next line of a proof). */
  async propose(state: PolicyState): Promise<Candidate[]> {
    const goal = state.goals[0];
    if (!goal) return [];
    const several = state.goals.length > 1;
    const out: Candidate[] = [];
    for (const rule of this.rules) {
      if (rule.targetRe && !rule.targetRe.test(goal.target)) continue;
      const names = rule.hypRe ? namesOf(goal, rule.hypRe) : rule.varRe ? namesOf(goal, rule.varRe) : undefined;
      const tactics = names === undefined ? [rule.tactic] : names.map((n) => rule.tactic.replaceAll(rule.hypRe ? '{h}' : '{x}', n));
      for (const tactic of tactics) {
        out.push({ tactic, score: rule.score });
        if (several && rule.closing) out.push({ tactic: `all_goals ${tactic}`, score: rule.score - 0.1 });
      }
    }
    out.push(...this.residueSplits(goal));
    return out;
  }

  /** `rcases (by omega : x % m = 0 ∨ …) with h | …` for numeric variables and the target's small moduli. */
  private residueSplits(goal: Goal): Candidate[] {
    const max = this.config.residueSplitMaxModulus;
    const moduli = [...new Set([...goal.target.matchAll(/% (\d+)/gu)].map((m) => Number(m[1])))].filter((m) => m >= 2 && m <= max);
    const vars = namesOf(goal, new RegExp(NUM, 'u'));
    return vars.flatMap((x) =>
      moduli.map((m) => {
        const cases = Array.from({ length: m }, (_, r) => `${x} % ${m} = ${r}`).join(' ∨ ');
        return { tactic: `rcases (by omega : ${cases}) with ${Array(m).fill('h').join(' | ')}`, score: this.config.residueSplitScore };
      }),
    );
  }
}

/** Names of the goal's hypotheses (or variables) whose type matches `re`. */
function namesOf(goal: Goal, re: RegExp): string[] {
  return goal.hyps.filter((h) => h.value === null && usable(h.name) && re.test(h.type)).map((h) => h.name);
}
