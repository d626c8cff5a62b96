/**
 * `env.command` with `tactics` against the real (embedded) Lean: the tactic records of a
 * command's info trees, checked against stepping the same tactics with `proof.start` /
 * `proof.tactic`. One worker for the file.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LeanWorker } from '../../server/lean/worker.js';
import type { Goal, TacticRecord } from '../../server/repl-protocol/repl.js';
import { startTestWorker } from '../support/lean.js';

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
