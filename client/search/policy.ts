/**
 * The policy interface of the proof search: a proof state in (goals as structured data and as
 * Lean's text), candidate tactics with scores out. Scores are log-probabilities (<= 0, higher
 * is better); the search adds them up along a path.
 */
import { z } from 'zod';
import type { Goal } from '../../protocol/lean.js';
import { describeIssues } from '../../protocol/issues.js';

export type { Goal };

/** What a policy sees of one open proof state. */
export interface PolicyState {
  /** The statement being proved (`theorem name binders : type`), when known to the client. */
  statement?: string;
  /** Id of the statement in the run (the dataset id or the JSONL record id). */
  id: string;
  /** Open goals, structured. */
  goals: Goal[];
  /** The goals as Lean prints them, separated by blank lines. */
  goalsText: string;
  /** Tactics applied from the start state to reach this one. */
  tactics: string[];
}

/** A candidate tactic with its score (a log-probability: <= 0, higher is better). */
export const Candidate = z.object({ tactic: z.string().min(1), score: z.number().finite() });
export type Candidate = z.infer<typeof Candidate>;
export const Candidates = z.array(Candidate);

/** A tactic generator. `propose` may be called concurrently for different statements. */
export interface Policy {
  /** Short name for logs and reports (`builtin`, `exec:…`, `openai:…`). */
  readonly name: string;
  /** Candidate tactics for a state, best first or in any order (the search sorts them). */
  propose(state: PolicyState): Promise<Candidate[]>;
  /** Release what the policy holds (processes, sockets). */
  close?(): Promise<void>;
}

/** The goals of a state as one text, like Lean shows them. */
export function goalsText(goals: readonly Goal[]): string {
  return goals.map((g) => g.pretty).join('\n\n');
}

/** Validate candidates from an outside source; the error says what was wrong. */
export function parseCandidates(raw: unknown, source: string): Candidate[] {
  const r = Candidates.safeParse(raw);
  if (!r.success) throw new Error(`${source}: bad candidates (${describeIssues(r.error, 'candidates').join('; ')})`);
  return r.data;
}

/**
 * Candidates ready to send: whitespace trimmed, empty ones and duplicates dropped (the best
 * score kept), best first, at most `width`.
 */
export function rankCandidates(cands: readonly Candidate[], width: number): Candidate[] {
  const best = new Map<string, number>();
  for (const c of cands) {
    const t = c.tactic.trim();
    if (!t) continue;
    const prev = best.get(t);
    if (prev === undefined || c.score > prev) best.set(t, c.score);
  }
  return [...best]
    .map(([tactic, score]) => ({ tactic, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, width);
}
