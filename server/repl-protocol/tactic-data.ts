/**
 * What `env.command` reports about the tactics of the commands it elaborated (options
 * `tactics`, `rootGoals`, `infoTree`), as zod schemas: the Lean side is
 * `lean-project/LeanEnv/TacticNodes.lean`. Part of the REPL protocol (`repl.ts`).
 */
import { z } from 'zod';

import { Position, Goal } from '../../protocol/lean.js';

/**
 * One tactic of a command's info trees (option `tactics`), selected as the Lean REPL's
 * `allTactics` selects them: every tactic written in the source that is not a combinator or
 * structuring syntax (`by`, sequences, `;`, `<;>`, parentheses, `·`), nested ones included, in
 * source order of their start. `error` (instead of goals and proof state) if its goals could not be printed.
 */
export const TacticRecord = z.object({
  /** Lean's syntax kind of the tactic, e.g. `Lean.Parser.Tactic.exact`. */
  kind: z.string().nullable(),
  /** The declaration the tactic belongs to (`_example` for an example), if the info tree names it. */
  decl: z.string().nullable(),
  pos: Position,
  endPos: Position,
  /** The tactic's source text (added by the worker wrapper from the command's code, `server/lean/source-text.ts`). */
  text: z.string().optional(),
  /** The tactic's syntax pretty-printed by Lean (what the REPL reports as `tactic`); null if that failed. */
  pretty: z.string().nullable().optional(),
  goalsBefore: z.array(Goal).optional(),
  goalsAfter: z.array(Goal).optional(),
  /** Constants in the terms the tactic assigned to its goals, in the order of Lean's `NameSet`. */
  usedConstants: z.array(z.string()).optional(),
  /** A proof state for the goals before the tactic (continue it with `proof.tactic`). */
  proofState: z.number().int().optional(),
  error: z.string().optional(),
});
export type TacticRecord = z.infer<typeof TacticRecord>;
