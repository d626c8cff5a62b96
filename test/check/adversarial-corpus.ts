/**
 * An adversarial corpus for the checker: submissions that try to get a verdict of
 * `proved` without proving the reference statement (sorry in its disguises, axioms,
 * native code, a switched-off kernel, a statement changed by notation, macros,
 * instances, shadowing or section variables, unsafe declarations), each with the verdict
 * and the reason it must get, and an honest proof of every statement used, which must
 * stay `proved`. Statements come from `../shared/benchmarks/core-subset.jsonl`.
 */
import type { CheckItem, Verdict } from '../../server/check/checker.js';
import { coreSubset } from '../support/lean.js';

/** One case: the submission, the verdict it must get and, for a refusal, what the reason must name. */
export interface AdversarialCase {
  /** What the submission tries. */
  trick: string;
  item: CheckItem & { header: string; body: string; reference?: string };
  verdict: Verdict;
  reason?: RegExp;
}

const dataset = coreSubset();

/** The dataset statement `id` without its `:= by sorry`. */
export function statementOf(id: string): string {
  const it = dataset.get(id);
  if (!it) throw new Error(`no core-subset item ${id}`);
  return it.body.replace(/\s*:=\s*by\s+sorry\s*$/, '');
}

/** The shared header of the core subset (notation for ℕ and ℤ, autoImplicit off). */
export const HEADER = dataset.get('mathd_numbertheory_66')!.header;

/**
 * A submission for dataset item `id`: `before` (commands placed ahead of the theorem), the
 * theorem with its statement passed through `edit`, then `:= proof`; the untouched dataset
 * statement is the reference unless `reference` says otherwise.
 */
function submission(id: string, proof: string, o: { before?: string; edit?: (s: string) => string; reference?: string; suffix?: string } = {}): AdversarialCase['item'] {
  const statement = (o.edit ?? ((s) => s))(statementOf(id));
  return {
    id: `${id}${o.suffix ?? ''}`,
    header: HEADER,
    body: `${o.before ?? ''}${statement} := ${proof}\n`,
    reference: o.reference ?? statementOf(id),
  };
}

/** A statement of the subset made false by changing its right-hand side (for attacks that "prove" anything). */
const FALSE_254 = statementOf('mathd_numbertheory_254').replace('= 6', '= 7');

/** Refusals under the default axiom policy. */
export const REFUSALS: AdversarialCase[] = [
  { trick: 'sorry', item: submission('mathd_numbertheory_342', 'by sorry', { suffix: ':sorry' }), verdict: 'incomplete', reason: /sorry \(in mathd_numbertheory_342\)/ },
  { trick: 'admit', item: submission('mathd_numbertheory_551', 'by admit', { suffix: ':admit' }), verdict: 'incomplete', reason: /sorry \(in mathd_numbertheory_551\)/ },
  { trick: 'sorryAx spelled out', item: submission('mathd_numbertheory_200', 'by exact sorryAx _ false', { suffix: ':sorryAx' }), verdict: 'incomplete', reason: /sorry/ },
  {
    trick: 'sorry inside a helper lemma',
    item: submission('mathd_numbertheory_45', 'helper_45', { before: 'theorem helper_45 : Nat.gcd 6432 132 + 11 = 23 := by sorry\n', suffix: ':helper' }),
    verdict: 'incomplete',
    reason: /sorry \(in helper_45\)/,
  },
  {
    trick: 'a custom axiom',
    item: submission('mathd_numbertheory_81', 'cheat _', { before: 'axiom cheat : ∀ p : Prop, p\n', suffix: ':axiom' }),
    verdict: 'failed',
    reason: /axioms that are not allowed: cheat/,
  },
  {
    trick: 'the theorem itself declared as an axiom',
    item: { id: 'mathd_numbertheory_101:as-axiom', header: HEADER, body: `axiom ${statementOf('mathd_numbertheory_101').replace(/^theorem /, '')}\n`, reference: statementOf('mathd_numbertheory_101') },
    verdict: 'failed',
    reason: /axioms that are not allowed: mathd_numbertheory_101/,
  },
  { trick: 'native_decide (Lean.ofReduceBool) by default', item: submission('mathd_numbertheory_66', 'by native_decide', { suffix: ':native' }), verdict: 'failed', reason: /not allowed: Lean\.ofReduceBool/ },
  {
    trick: 'kernel check switched off, bogus term, false statement',
    item: submission('mathd_numbertheory_254', 'unsafeCast ()', { before: 'set_option debug.skipKernelTC true in\n', edit: () => FALSE_254, reference: FALSE_254, suffix: ':skip-kernel' }),
    verdict: 'failed',
    reason: /kernel re-check of mathd_numbertheory_254 failed: .*unsafe declaration 'unsafeCast'/,
  },
  {
    trick: 'kernel check switched off inside the proof for decide +kernel, false statement',
    item: submission('mathd_numbertheory_254', 'by\n  set_option debug.skipKernelTC true in decide +kernel', { edit: () => FALSE_254, reference: FALSE_254, suffix: ':skip-kernel-tactic' }),
    verdict: 'failed',
    reason: /kernel re-check of mathd_numbertheory_254 failed: it uses mathd_numbertheory_254\._proof_1, which the kernel did not accept: \(kernel\) application type mismatch/,
  },
  {
    trick: 'statement changed (weakened)',
    item: submission('mathd_numbertheory_961', 'by decide', { edit: (s) => s.replace('2003 % 11 = 1', '2003 % 11 = 1 ∨ False'), suffix: ':weakened' }),
    verdict: 'failed',
    reason: /statement mismatch: theorem mathd_numbertheory_961 .*it states 2003 % 11 = 1 ∨ False/s,
  },
  {
    trick: 'statement changed through local notation (% means "7")',
    item: submission('mathd_numbertheory_66', 'rfl', { before: 'local infixl:70 (priority := high) " % " => fun (_ _ : Nat) => (7 : Nat)\n', suffix: ':notation' }),
    verdict: 'failed',
    reason: /statement mismatch: theorem mathd_numbertheory_66/,
  },
  {
    trick: 'statement changed through a macro (every equation means True)',
    item: submission('mathd_numbertheory_299', 'trivial', { before: 'local macro_rules | `($a = $b) => `(True)\n', suffix: ':macro' }),
    verdict: 'failed',
    reason: /statement mismatch: theorem mathd_numbertheory_299 .*it states True/s,
  },
  {
    trick: 'meaning of % changed by a local instance',
    item: submission('mathd_numbertheory_254', 'rfl', { before: 'local instance (priority := high) : Mod Nat := ⟨fun _ _ => 6⟩\n', suffix: ':instance' }),
    verdict: 'failed',
    reason: /statement mismatch: theorem mathd_numbertheory_254/,
  },
  {
    trick: 'Nat.gcd shadowed by a def in an enclosing namespace',
    item: {
      id: 'mathd_numbertheory_188:shadow',
      header: HEADER,
      body: `namespace Cheat\ndef Nat.gcd (_ _ : Nat) : Nat := 12\n${statementOf('mathd_numbertheory_188').replace('theorem mathd', 'theorem _root_.mathd')} := rfl\nend Cheat\n`,
      reference: statementOf('mathd_numbertheory_188'),
    },
    verdict: 'failed',
    reason: /statement mismatch: theorem mathd_numbertheory_188/,
  },
  {
    trick: 'a section variable (h : False) included into the statement',
    item: submission('mathd_numbertheory_85', 'h.elim', { before: 'variable (h : False)\ninclude h\n', suffix: ':variable' }),
    verdict: 'failed',
    reason: /statement mismatch: theorem mathd_numbertheory_85 .*False →/s,
  },
  {
    trick: 'the theorem as an unsafe def proved by unsafeCast',
    item: submission('mathd_numbertheory_254', 'unsafeCast ()', { edit: () => FALSE_254.replace(/^theorem/, 'unsafe def'), reference: FALSE_254, suffix: ':unsafe-def' }),
    verdict: 'failed',
    reason: /mathd_numbertheory_254 is declared unsafe/,
  },
];

/** Honest proofs of every statement the refusals use: must be `proved`. */
export const HONEST: AdversarialCase[] = (
  [
    ['mathd_numbertheory_342', 'by decide'],
    ['mathd_numbertheory_551', 'by decide'],
    ['mathd_numbertheory_200', 'by decide'],
    ['mathd_numbertheory_45', 'by decide'],
    ['mathd_numbertheory_81', 'by decide'],
    ['mathd_numbertheory_101', 'by decide'],
    ['mathd_numbertheory_66', 'by decide'],
    ['mathd_numbertheory_254', 'by decide'],
    ['mathd_numbertheory_961', 'by decide'],
    ['mathd_numbertheory_299', 'by decide'],
    ['mathd_numbertheory_188', 'by decide'],
    ['mathd_numbertheory_85', 'by decide'],
  ] as const
).map(([id, proof]) => ({ trick: 'honest proof', item: submission(id, proof, { suffix: ':honest' }), verdict: 'proved' as const }));

/** The default allow-list plus Lean.ofReduceBool (trusting the compiler, as native_decide needs). */
export const WITH_NATIVE = ['propext', 'Classical.choice', 'Quot.sound', 'Lean.ofReduceBool'];

/** Cases checked with {@link WITH_NATIVE}. */
export const NATIVE_CASES: AdversarialCase[] = [
  { trick: 'native_decide, Lean.ofReduceBool allowed', item: submission('mathd_numbertheory_66', 'by native_decide', { suffix: ':native-allowed' }), verdict: 'proved' },
  {
    // The replay compiles `f` from its own body, not from the submission's implemented_by.
    trick: 'implemented_by makes native code disagree with the definition',
    item: {
      id: 'implemented-by',
      header: HEADER,
      body: 'def fImpl (_ : Nat) : Bool := true\n@[implemented_by fImpl] def f (_ : Nat) : Bool := false\ntheorem f_true : f 0 = true := by native_decide\n',
    },
    verdict: 'failed',
    reason: /kernel re-check of f_true failed/,
  },
];

/** A whole-file case checked without a reference (what `leanenv check file.lean` sends). */
export interface FileCase {
  /** What the file tries; also the base of its item id and file name. */
  trick: string;
  id: string;
  code: string;
  verdict: Verdict;
  reason?: RegExp;
}

const PRELUDE = 'notation "ℕ" => Nat\nset_option autoImplicit false\n';
const CHEAT = 'axiom cheat : False\n';
const HONEST_THM = 'theorem honest : 1 + 1 = 2 := rfl\n';
/** A false statement "proved" with the kernel check switched off: only a replay of the constant in the kernel refuses it. */
const SKIP = 'set_option debug.skipKernelTC true in\n';

/** Files without a reference: every declared proof is audited, whatever its form or place. */
export const NO_REFERENCE: FileCase[] = [
  {
    trick: 'axiom used by a second theorem behind `set_option … in`',
    id: 'nr-set-option-in',
    code: `${PRELUDE}${CHEAT}${HONEST_THM}set_option maxHeartbeats 400000 in theorem bad : 1 = 2 := cheat.elim\n`,
    verdict: 'failed',
    reason: /axioms that are not allowed: cheat/,
  },
  {
    trick: 'axiom used by a doc-commented theorem on one line',
    id: 'nr-doc-one-line',
    code: `${PRELUDE}${CHEAT}${HONEST_THM}/-- doc -/ theorem bad : 1 = 2 := cheat.elim\n`,
    verdict: 'failed',
    reason: /axioms that are not allowed: cheat/,
  },
  {
    trick: 'false theorem inside a namespace, kernel check off',
    id: 'nr-namespace',
    code: `${PRELUDE}${HONEST_THM}namespace Foo\n${SKIP}theorem bad : 1 = 2 := unsafeCast ()\nend Foo\n`,
    verdict: 'failed',
    reason: /kernel re-check of Foo\.bad failed/,
  },
  {
    trick: 'false theorem in a section with variables, kernel check off',
    id: 'nr-section-variables',
    code: `${PRELUDE}${HONEST_THM}section\nvariable (n : ℕ)\n${SKIP}theorem bad : n = n + 1 := unsafeCast ()\nend\n`,
    verdict: 'failed',
    reason: /kernel re-check of bad failed/,
  },
  {
    trick: 'false theorem with @[simp] and a doc comment on the line before, kernel check off',
    id: 'nr-simp-doc',
    code: `${PRELUDE}${HONEST_THM}${SKIP}/-- a doc comment -/\n@[simp] theorem bad : (1 : ℕ) = 2 := unsafeCast ()\n`,
    verdict: 'failed',
    reason: /kernel re-check of bad failed/,
  },
  {
    trick: 'axiom used by an instance of a Prop-valued class',
    id: 'nr-instance-axiom',
    code: `${PRELUDE}${CHEAT}${HONEST_THM}class Bad : Prop where\n  h : 1 = 2\ninstance : Bad := ⟨cheat.elim⟩\n`,
    verdict: 'failed',
    reason: /axioms that are not allowed: cheat/,
  },
  {
    trick: 'instance of a Prop-valued class proved by native_decide (an axiom not allowed)',
    id: 'nr-instance-native',
    code: `${PRELUDE}${HONEST_THM}class Big : Prop where\n  h : 2 ^ 10 = 1024\ninstance bigInst : Big := ⟨by native_decide⟩\n`,
    verdict: 'failed',
    reason: /not allowed: Lean\.ofReduceBool \(bigInst\)/,
  },
  {
    trick: 'example whose proof uses the axiom',
    id: 'nr-example-axiom',
    code: `${PRELUDE}${CHEAT}${HONEST_THM}example : 1 = 2 := cheat.elim\n`,
    verdict: 'failed',
    reason: /axioms that are not allowed: cheat/,
  },
  {
    trick: 'false example, kernel check off',
    id: 'nr-example-skip-kernel',
    code: `${PRELUDE}${HONEST_THM}${SKIP}example : 1 = 2 := unsafeCast ()\n`,
    verdict: 'failed',
    reason: /kernel re-check of example \(line 4\) failed/, // the command starts at its `set_option … in` line
  },
  {
    trick: 'example proved by sorry beside an honest theorem',
    id: 'nr-example-sorry',
    code: `${PRELUDE}${HONEST_THM}example : 2 = 2 := by sorry\n`,
    verdict: 'incomplete',
    reason: /sorry \(in example \(line 4\)\)/,
  },
  { trick: 'only an honest example', id: 'nr-only-example', code: `${PRELUDE}example : 2 + 2 = 4 := by decide\n`, verdict: 'proved' },
  {
    trick: 'a leading /- … -/ comment block before the imports',
    id: 'nr-leading-comment',
    code: `/- A comment block\n   over two lines. -/\nimport Init\n${PRELUDE}theorem t : (3 : ℕ) + 4 = 7 := by decide\n`,
    verdict: 'proved',
  },
  { trick: '`set_option … in` before an honest theorem', id: 'nr-set-option-honest', code: `${PRELUDE}set_option maxHeartbeats 400000 in theorem t : (2 : ℕ) * 3 = 6 := by decide\n`, verdict: 'proved' },
  { trick: 'an honest theorem inside a namespace', id: 'nr-namespace-honest', code: `${PRELUDE}namespace Foo\ntheorem t : (5 : ℕ) - 2 = 3 := by decide\nend Foo\n`, verdict: 'proved' },
  { trick: 'no theorem or example at all', id: 'nr-no-proof', code: `${PRELUDE}def two : ℕ := 2\n`, verdict: 'failed', reason: /declares no theorem or example/ },
  {
    trick: 'heartbeat limit in a named theorem',
    id: 'nr-heartbeats',
    code: `${PRELUDE}${HONEST_THM}set_option maxHeartbeats 1 in\ntheorem slow : (List.range 300).foldl (· + ·) 0 = 44850 := by simp [List.range, List.range.loop]\n`,
    verdict: 'timeout',
    reason: /heartbeat limit reached in slow/,
  },
];
