/**
 * What the Lean REPL front needs from our Lean side, against the real (embedded) Lean:
 * `env.command` with `tactics` (the tactic records of a command's info trees, checked against
 * stepping the same tactics with `proof.start` / `proof.tactic`) and `proof.tactic` with
 * `recover` (Lean's error recovery); `rootGoals` and `infoTree`, and their shaping into the REPL's
 * reply fields (`server/compat/repl-infotree.ts`) on this real output. One worker for the file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LeanWorker } from '../../server/lean/worker.js';
import type { Goal, TacticRecord } from '../../server/repl-protocol/repl.js';
import { startTestWorker } from '../support/lean.js';
import { replInfotree, replRootGoals, replTactics, type ReplTactic } from '../../server/compat/repl-infotree.js';
import { sourceText } from '../../server/lean/source-text.js';

let worker: LeanWorker;
let env: number;

beforeAll(async () => {
  worker = await startTestWorker({ maxHeaderEnvs: 1 });
  env = (await worker.importHeader('')).env;
});
afterAll(async () => {
  await worker?.dispose();
});

/** The records of `code`, each with goals and a proof state. */
async function records(code: string): Promise<TacticRecord[]> {
  const r = await worker.runCommand(env, code, undefined, { tactics: true });
  expect(r.hasErrors, JSON.stringify(r.messages)).toBe(false);
  for (const t of r.tactics!) expect(t.error).toBeUndefined();
  return r.tactics!;
}

/** Goals of a step from `state` with `tactic`, which must succeed. */
async function step(state: number, tactic: string): Promise<{ proofState: number; goals: Goal[] }> {
  const r = await worker.applyTactic(state, tactic);
  if (r.status === 'failed') throw new Error(`${tactic}: ${r.error}`);
  return r;
}

const andProof = 'theorem t (p q : Prop) (hp : p) (hq : q) : p ∧ q := by constructor; exact hp; exact hq';

describe('env.command tactics', () => {
  test('records each tactic of a sequence with its text, range and goals before and after, as stepping gives them', async () => {
    const rs = await records(andProof);
    expect(rs.map((t) => [t.kind, t.text, t.pretty, t.decl])).toEqual([
      ['Lean.Parser.Tactic.constructor', 'constructor', 'constructor', 't'],
      ['Lean.Parser.Tactic.exact', 'exact hp', 'exact hp', 't'],
      ['Lean.Parser.Tactic.exact', 'exact hq', 'exact hq', 't'],
    ]);
    const col = andProof.indexOf('exact hp');
    expect(rs[1]!.pos).toEqual({ line: 1, column: col });
    expect(rs[1]!.endPos).toEqual({ line: 1, column: col + 'exact hp'.length });

    const start = await worker.startProof(env, { statement: andProof.replace(/ := by .*/, '') });
    let state = start.proofState;
    let goals = start.goals;
    for (const r of rs) {
      expect(r.goalsBefore).toEqual(goals);
      const next = await step(state, r.text!);
      expect(r.goalsAfter).toEqual(next.goals);
      ({ proofState: state, goals } = next);
    }
    expect(goals).toEqual([]);
  });

  test('reports the constants a tactic put into the proof', async () => {
    const rs = await records(andProof);
    expect(rs[0]!.usedConstants).toContain('And.intro');
    expect(rs[1]!.usedConstants).toEqual([]);
  });

  test("each record's proof state continues from the goals before the tactic", async () => {
    const rs = await records(andProof);
    const fromSecond = await step(rs[1]!.proofState!, 'exact hp');
    expect(fromSecond.goals).toEqual(rs[2]!.goalsBefore);
    const fromFirst = await worker.applyTactic(rs[0]!.proofState!, 'exact ⟨hp, hq⟩');
    expect(fromFirst.status).toBe('solved');
  });

  test('records nested tactics in source order, each with the case it works on', async () => {
    const code = 'theorem u (n : Nat) (h : n > 0) : n ≠ 0 := by\n  intro hn\n  cases n with\n  | zero => omega\n  | succ m => simp at hn';
    const rs = await records(code);
    expect(rs.map((t) => t.text)).toEqual(['intro hn', 'cases n with\n  | zero => omega\n  | succ m => simp at hn', 'omega', 'simp at hn']);
    expect(rs.map((t) => t.goalsBefore?.[0]?.caseName ?? null)).toEqual([null, null, 'zero', 'succ']);

    const start = await worker.startProof(env, { statement: code.replace(/ := by[^]*/, '') });
    expect(rs[0]!.goalsBefore).toEqual(start.goals);
    const afterIntro = await step(start.proofState, 'intro hn');
    expect(rs[0]!.goalsAfter).toEqual(afterIntro.goals);
    expect(rs[1]!.goalsBefore).toEqual(afterIntro.goals);
    const done = await step(afterIntro.proofState, rs[1]!.text!.replace(/\n {2}/g, '\n'));
    expect(done.goals).toEqual([]);
    expect(rs[1]!.goalsAfter).toEqual([]);
    // The cases' goals, as `cases n with | zero => ?_ | succ m => ?_` leaves them, are the nested tactics' goals before.
    const split = await step(afterIntro.proofState, 'cases n with\n| zero => ?_\n| succ m => ?_');
    expect(split.goals.map((g) => g.pretty)).toEqual([rs[2]!.goalsBefore![0]!.pretty, rs[3]!.goalsBefore![0]!.pretty]);
    expect((await worker.applyTactic(rs[3]!.proofState!, 'simp at hn')).status).toBe('solved');
  });

  test('a command without tactics has none; without the option there is no list', async () => {
    expect(await records('def k : Nat := 3')).toEqual([]);
    const r = await worker.runCommand(env, andProof);
    expect(r.tactics).toBeUndefined();
  });
});

describe('proof.tactic recover', () => {
  const statement = 'theorem r (p q : Prop) (hp : p) (hq : q) : p ∧ q';

  test("a tactic whose error Lean recovers from gives a new state with the error; without recover it fails as before", async () => {
    const start = await worker.startProof(env, { statement });
    const plain = await worker.applyTactic(start.proofState, 'exact my_fake_premise');
    expect(plain.status).toBe('failed');
    expect(plain.status === 'failed' && plain.error).toMatch(/Unknown identifier `my_fake_premise`/);

    const r = await worker.applyTactic(start.proofState, 'exact my_fake_premise', undefined, { recover: true });
    expect(r.status).toBe('solved');
    if (r.status === 'failed') throw new Error(r.error);
    expect(r.recovered).toBe(true);
    expect(r.messages.map((m) => [m.severity, m.data])).toEqual([['error', 'Unknown identifier `my_fake_premise`']]);
    // The goal was closed with `sorry`: the kernel check refuses the proof.
    const v = await worker.verify(r.proofState);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.error).toMatch(/sorry/);
  });

  test('the recovered state goes on with the goals left; a clean step is not marked recovered', async () => {
    const start = await worker.startProof(env, { statement });
    const split = await worker.applyTactic(start.proofState, 'constructor', undefined, { recover: true });
    if (split.status === 'failed') throw new Error(split.error);
    expect(split.recovered).toBeUndefined();
    const bad = await worker.applyTactic(split.proofState, 'exact my_fake_premise', undefined, { recover: true });
    if (bad.status === 'failed') throw new Error(bad.error);
    expect([bad.status, bad.recovered, bad.goals.map((g) => g.target)]).toEqual(['open', true, ['q']]);
    expect((await worker.applyTactic(bad.proofState, 'exact hq')).status).toBe('solved');
  });

  test('an error Lean throws (no recovery) still fails the step, as does a parse error', async () => {
    const start = await worker.startProof(env, { statement });
    const thrown = await worker.applyTactic(start.proofState, 'apply Nat.le_refl', undefined, { recover: true });
    expect(thrown.status).toBe('failed');
    expect(thrown.status === 'failed' && thrown.error).toMatch(/apply/);
    const unparsed = await worker.applyTactic(start.proofState, 'exac hp', undefined, { recover: true });
    expect(unparsed.status).toBe('failed');
  });
});

/** (goal, tactic) pairs of an `infotree` reply: every original tactic node with its goals before and pretty text. */
function infotreePairs(nodes: Record<string, unknown>[]): { goal: string; tactic: string; start: unknown }[] {
  const out: { goal: string; tactic: string; start: unknown }[] = [];
  const walk = (n: Record<string, unknown>) => {
    const node = n.node as { stx: { pp: string; range: { synthetic: boolean; start: unknown } }; goalsBefore: string[] } | undefined;
    if (n.kind === 'TacticInfo' && node && !node.stx.range.synthetic) out.push({ goal: node.goalsBefore.join('\n'), tactic: node.stx.pp, start: node.stx.range.start });
    for (const c of n.children as Record<string, unknown>[]) walk(c);
  };
  nodes.forEach(walk);
  return out;
}

describe('env.command rootGoals and infoTree, shaped as the REPL replies', () => {
  test('root goals: one per proof, at its `by`, with a proof state that proves it', async () => {
    const code = 'example : 1=1 := by\n  skip\n  rfl\n\ntheorem bb : 1+1=2 := by rfl';
    const r = await worker.runCommand(env, code, undefined, { rootGoals: true });
    const ids: number[] = [];
    const roots = replRootGoals(r.rootGoals!, (id) => ids.push(id) - 1);
    expect(roots).toEqual([
      { goal: '⊢ 1 = 1', proofState: 0, pos: { line: 1, column: 17 }, endPos: { line: 1, column: 17 } },
      { goal: '⊢ 1 + 1 = 2', proofState: 1, pos: { line: 5, column: 22 }, endPos: { line: 5, column: 22 } },
    ]);
    for (const id of ids) expect((await worker.applyTactic(id, 'rfl')).status).toBe('solved');
  });

  test('infotree modes keep what the REPL keeps: one substantive node for a one-tactic proof', async () => {
    const code = 'def f (h : Int) : Nat := by constructor';
    const r = await worker.runCommand(env, code, undefined, { infoTree: true });
    expect(replInfotree(r.infoTree!, 'substantive')).toEqual([
      {
        kind: 'TacticInfo',
        node: {
          name: 'Lean.Parser.Tactic.constructor',
          stx: { pp: 'constructor', range: { synthetic: false, start: { line: 1, column: 28 }, finish: { line: 1, column: 39 } } },
          goalsBefore: ['h : Int\n⊢ Nat'],
          goalsAfter: [],
        },
        children: [],
      },
    ]);
    const tactics = replInfotree(r.infoTree!, 'tactics')!;
    expect(tactics.map((n) => (n.node as { name?: string }).name)).toEqual(['Lean.Parser.Term.byTactic']);
    const full = replInfotree(r.infoTree!, 'full')!;
    expect(full.map((n) => n.kind)).toContain('CommmandInfo');
    const terms = JSON.stringify(full);
    expect(terms).toContain('"expr":"Int"');
    expect(terms).toContain('"elaborator":"Lean.Elab.Command.elabDeclaration"');
  });

  test('original mode drops what macros made (rfl expands to eq_refl), tactics mode keeps it', async () => {
    const r = await worker.runCommand(env, 'theorem bb : 1+1=2 := by rfl', undefined, { infoTree: true });
    const names = (nodes: Record<string, unknown>[] | undefined): string[] =>
      (nodes ?? []).flatMap((n) => [(n.node as { name?: string }).name ?? '', ...names(n.children as Record<string, unknown>[])]);
    expect(names(replInfotree(r.infoTree!, 'tactics'))).toContain('Lean.Parser.Tactic.eqRefl');
    expect(names(replInfotree(r.infoTree!, 'original'))).not.toContain('Lean.Parser.Tactic.eqRefl');
    expect(names(replInfotree(r.infoTree!, 'original'))).toContain('Lean.Parser.Tactic.tacticRfl');
  });

  test('allTactics and infotree both give a (goal, tactic) pair for every tactic of a proof', async () => {
    const code =
      'theorem w (p q : Prop) (hp : p) (hq : q) (n : Nat) (h : n > 0) : (p ∧ q) ∧ n ≠ 0 := by\n' +
      '  constructor\n  · constructor\n    · exact hp\n    · exact hq\n  · intro hn\n    cases n with\n    | zero => omega\n    | succ m => simp at hn';
    const written = ['constructor', 'constructor', 'exact hp', 'exact hq', 'intro hn', 'cases n with', 'omega', 'simp at hn'];
    const r = await worker.runCommand(env, code, undefined, { tactics: true, infoTree: true });
    expect(r.hasErrors, JSON.stringify(r.messages)).toBe(false);
    const ids = new Map<number, number>();
    const tactics: ReplTactic[] = replTactics(r.tactics!, (id) => ids.set(id, ids.size).size - 1);
    expect(tactics.map((t) => t.tactic.split('\n')[0])).toEqual(written);
    for (const t of tactics) {
      expect(t.goals).toMatch(/⊢/);
      expect(sourceText(code, t.pos, t.endPos).replace(/\n +/g, '\n')).toBe(t.tactic);
      expect(t.parentDecl).toBe('w');
    }
    const pairs = infotreePairs(replInfotree(r.infoTree!, 'substantive')!);
    expect(pairs.map((p) => p.tactic.split('\n')[0])).toEqual(written);
    expect(pairs.map((p) => p.goal)).toEqual(tactics.map((t) => t.goals));
    expect(pairs.map((p) => p.start)).toEqual(tactics.map((t) => t.pos));
    // Each pair's goal is a state the tactic runs in: its proof state takes the tactic.
    const omega = r.tactics!.find((t) => t.pretty === 'omega')!;
    expect((await worker.applyTactic(omega.proofState!, 'omega')).status).toBe('solved');
  });
});

describe('proof.tactic sorries', () => {
  /** The proof state of the `sorry` of `theorem name (x : Nat) : x + 0 = x := by sorry`. */
  async function sorryState(name: string): Promise<number> {
    const r = await worker.runCommand(env, `theorem ${name} (x : Nat) : x + 0 = x := by sorry`);
    return r.sorries[0]!.proofState!;
  }
  const goalsOf = (s: { goals?: Goal[] }) => (s.goals ?? []).map((g) => g.pretty);

  test('a term `sorry` in a tactic gives its goal as a proof state, numbered before the new state', async () => {
    const from = await sorryState('s1');
    const r = await worker.applyTactic(from, 'have h : x = x := sorry', undefined, { recover: true, sorries: true });
    if (r.status === 'failed') throw new Error(r.error);
    expect(r.sorries!.map(goalsOf)).toEqual([['x : Nat\n⊢ x = x']]);
    expect(r.goals.map((g) => g.pretty)).toEqual(['x : Nat\nh : x = x\n⊢ x + 0 = x']);
    const hole = r.sorries![0]!.proofState!;
    expect(hole).toBeLessThan(r.proofState);
    expect((await worker.applyTactic(hole, 'rfl')).status).toBe('solved');
    expect((await worker.applyTactic(r.proofState, 'simp')).status).toBe('solved');
  });

  test('tactic `sorry`s: one per goal they close (by_cases then all_goals sorry), and inside a nested `by`', async () => {
    const from = await sorryState('s2');
    const split = await worker.applyTactic(from, 'by_cases h : x = 0', undefined, { sorries: true });
    if (split.status === 'failed') throw new Error(split.error);
    expect(split.sorries).toEqual([]);
    const closed = await worker.applyTactic(split.proofState, 'all_goals sorry', undefined, { sorries: true });
    if (closed.status === 'failed') throw new Error(closed.error);
    expect(closed.status).toBe('solved');
    expect(closed.sorries!.map(goalsOf)).toEqual([['case pos\nx : Nat\nh : x = 0\n⊢ x + 0 = x'], ['case neg\nx : Nat\nh : ¬x = 0\n⊢ x + 0 = x']]);
    for (const s of closed.sorries!) expect((await worker.applyTactic(s.proofState!, 'simp')).status).toBe('solved');
    const nested = await worker.applyTactic(from, 'have h : x = x := by sorry', undefined, { sorries: true });
    if (nested.status === 'failed') throw new Error(nested.error);
    expect(nested.sorries!.map(goalsOf)).toEqual([['x : Nat\n⊢ x = x']]);
  });

  test('without the option the reply has no sorries', async () => {
    const r = await worker.applyTactic(await sorryState('s3'), 'have h : x = x := sorry');
    expect(r.status).toBe('open');
    expect('sorries' in r).toBe(false);
  });
});

describe("a command's sorry does not see the declaration it is in", () => {
  test('`exact t` (t the theorem itself) fails in its sorry\'s proof state, an earlier declaration of the same input is there', async () => {
    const r = await worker.runCommand(env, 'theorem before : 2 = 2 := rfl\ntheorem self (n : Nat) : n = 7 := by\n  induction n\n  sorry\n  exact sorry');
    expect(r.sorries).toHaveLength(2);
    for (const s of r.sorries) {
      const t = await worker.applyTactic(s.proofState!, 'exact self');
      expect(t.status).toBe('failed');
      expect((await worker.applyTactic(s.proofState!, 'have := before; sorry')).status).toBe('solved');
    }
    const term = await worker.runCommand(env, 'theorem self2 : 1 = 2 := sorry');
    expect((await worker.applyTactic(term.sorries[0]!.proofState!, 'exact self2')).status).toBe('failed');
  });
});

describe('allTactics and rootGoals proof states do not see the declaration being proved', () => {
  test('`exact t` and `exact?` cannot use theorem t there, an earlier declaration of the same input can; goals are as recorded', async () => {
    const code = 'theorem before : 2 = 2 := rfl\ntheorem t : 2 + 2 = 5 := by\n  skip\n  sorry';
    const r = await worker.runCommand(env, code, undefined, { tactics: true, rootGoals: true });
    expect(r.hasErrors, JSON.stringify(r.messages)).toBe(false);
    expect(r.tactics!.map((x) => x.text)).toEqual(['skip', 'sorry']);
    expect(r.rootGoals).toHaveLength(1);
    for (const rec of [r.tactics![0]!, r.rootGoals![0]!]) {
      const state = rec.proofState!;
      const own = await worker.applyTactic(state, 'exact t');
      expect(own.status).toBe('failed');
      expect(own.status === 'failed' && own.error).toMatch(/Unknown identifier `t`/);
      expect((await worker.applyTactic(state, 'exact?')).status).toBe('failed');
      expect((await worker.applyTactic(state, 'have h : 2 = 2 := before')).status).toBe('open');
      const goals = await worker.request('proof.goals', { proofState: state });
      expect(goals.goals).toEqual(rec.goalsBefore);
    }
  });

  test('a goal about what its own command defines (a derived instance of a new type) keeps the environment after the command', async () => {
    const r = await worker.runCommand(env, 'inductive T where\n  | a | b\n  deriving DecidableEq', undefined, { rootGoals: true });
    expect(r.hasErrors, JSON.stringify(r.messages)).toBe(false);
    const root = r.rootGoals!.find((x) => x.goalsBefore?.[0]?.hyps.some((h) => h.type === 'T'))!;
    expect((await worker.applyTactic(root.proofState!, 'have c : T := T.a')).status).toBe('open');
    expect((await worker.request('proof.goals', { proofState: root.proofState! })).goals).toEqual(root.goalsBefore);
  });

  test("a goal that mentions the definition's own recursive call keeps it, and stays well formed (records and sorries)", async () => {
    const code = 'def f : Nat → Nat\n  | 0 => 0\n  | n + 1 => have h : f n = f n := by skip; rfl\n    have h2 : f n = f n := by sorry\n    f n';
    const r = await worker.runCommand(env, code, undefined, { tactics: true });
    expect(r.hasErrors, JSON.stringify(r.messages)).toBe(false);
    const skip = r.tactics!.find((x) => x.text === 'skip')!;
    expect(skip.goalsBefore!.map((g) => g.target)).toEqual(['f n = f n']);
    const stepped = await worker.applyTactic(skip.proofState!, 'skip');
    expect(stepped.status === 'open' && stepped.goals).toEqual(skip.goalsBefore);
    expect((await worker.applyTactic(skip.proofState!, 'rfl')).status).toBe('solved');
    // The same for a command's sorry.
    const hole = r.sorries[0]!;
    expect(hole.goals!.map((g) => g.target)).toEqual(['f n = f n']);
    const fromHole = await worker.applyTactic(hole.proofState!, 'skip');
    expect(fromHole.status === 'open' && fromHole.goals).toEqual(hole.goals);
  });
});
