/** Tactic names offered by completion in the tactic input (Lean 4 core, no Mathlib). */
export const TACTIC_NAMES = [
  'abel', 'absurd', 'all_goals', 'and_intros', 'any_goals', 'apply', 'apply?', 'assumption', 'bv_decide', 'by_cases',
  'by_contra', 'calc', 'case', 'cases', 'change', 'constructor', 'contradiction', 'conv', 'decide', 'exact', 'exact?',
  'exfalso', 'exists', 'ext', 'first', 'focus', 'funext', 'generalize', 'have', 'induction', 'injection', 'intro',
  'intros', 'left', 'let', 'match', 'next', 'nofun', 'nomatch', 'norm_cast', 'obtain', 'omega', 'refine', 'rename_i',
  'repeat', 'revert', 'rfl', 'right', 'rintro', 'rcases', 'rw', 'rwa', 'show', 'simp', 'simp?', 'simp_all', 'simp_arith',
  'simpa', 'skip', 'sorry', 'specialize', 'split', 'subst', 'subst_vars', 'suffices', 'symm', 'trivial', 'try',
  'unfold', 'native_decide', 'exact_mod_cast', 'push_cast', 'contrapose', 'linarith', 'nlinarith', 'norm_num', 'positivity', 'ring', 'field_simp',
] as const;
