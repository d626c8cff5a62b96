/**
 * Goal rendering model: which goals, hypotheses and targets of a state are new since its
 * parent state (what the page highlights), and the lines of a goal as Lean prints them.
 */
import type { Goal } from '../../../protocol/lean.js';

/** A hypothesis with whether it is new since the parent. */
export interface HypView {
  name: string;
  type: string;
  /** The value of a `let` hypothesis (`x : T := v`), else null. */
  value: string | null;
  isNew: boolean;
}

/** A goal as the page shows it. */
export interface GoalView {
  caseName: string | null;
  hyps: HypView[];
  target: string;
  /** The goal is not among the parent's goals (something in it changed, or it is new). */
  changed: boolean;
  /** The target is not the target of any of the parent's goals. */
  targetChanged: boolean;
  pretty: string;
}

const hypKey = (h: { name: string; type: string; value: string | null }) => `${h.name}\u0000${h.type}\u0000${h.value ?? ''}`;

/**
 * The goals of a state compared with its parent's (none for a root: nothing is highlighted).
 * A goal equal to one of the parent's is unchanged; in a changed goal, a hypothesis is new
 * when no parent goal has it with the same type and value, the target when no parent goal has it.
 */
export function diffGoals(goals: readonly Goal[], parent?: readonly Goal[]): GoalView[] {
  const parentPretty = new Set((parent ?? []).map((g) => g.pretty.trim()));
  const parentHyps = new Set((parent ?? []).flatMap((g) => g.hyps.map(hypKey)));
  const parentTargets = new Set((parent ?? []).map((g) => g.target));
  return goals.map((g) => {
    const changed = parent !== undefined && !parentPretty.has(g.pretty.trim());
    return {
      caseName: g.caseName,
      target: g.target,
      pretty: g.pretty,
      changed,
      targetChanged: changed && !parentTargets.has(g.target),
      hyps: g.hyps.map((h) => ({ ...h, isNew: changed && !parentHyps.has(hypKey(h)) })),
    };
  });
}

/** A hypothesis line as Lean prints it: `name : type` or `name : type := value`. */
export function hypLine(h: { name: string; type: string; value: string | null }): string {
  return h.value === null ? `${h.name} : ${h.type}` : `${h.name} : ${h.type} := ${h.value}`;
}

/** A short summary of a state's goals for the tree: `no goals`, `1 goal`, `3 goals`. */
export function goalCountLabel(n: number): string {
  return n === 0 ? 'no goals' : n === 1 ? '1 goal' : `${n} goals`;
}
