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

/** The syntax of an info node: kind, range, whether its head comes from the source, Lean's pretty-printing (null if it failed). */
export const InfoSyntax = z.object({
  kind: z.string().nullable(),
  original: z.boolean(),
  pos: Position,
  endPos: Position,
  pp: z.string().nullable(),
});
export type InfoSyntax = z.infer<typeof InfoSyntax>;

/** One node of a command's info tree (option `infoTree`); context nodes are not nodes of their own. */
export interface InfoNode {
  /** The info's constructor (`TacticInfo`, `TermInfo`, `CommandInfo`, `MacroExpansionInfo`, …) or `hole`. */
  kind: string;
  /** Whether the node's syntax comes from the source (true for a node without syntax). */
  original: boolean;
  /** Tactic, term and command nodes: the elaborator (null if anonymous) and the syntax. */
  elaborator?: string | null;
  stx?: InfoSyntax;
  /** Tactic nodes. */
  goalsBefore?: z.infer<typeof Goal>[];
  goalsAfter?: z.infer<typeof Goal>[];
  /** Term nodes: the expected type and the expression, pretty-printed. */
  expectedType?: string | null;
  expr?: string;
  isBinder?: boolean;
  /** A hole: its goal, pretty-printed. */
  goal?: string | null;
  /** Details that could not be printed. */
  error?: string;
  children: InfoNode[];
}
export const InfoNode: z.ZodType<InfoNode> = z.lazy(() =>
  z.object({
    kind: z.string(),
    original: z.boolean(),
    elaborator: z.string().nullable().optional(),
    stx: InfoSyntax.optional(),
    goalsBefore: z.array(Goal).optional(),
    goalsAfter: z.array(Goal).optional(),
    expectedType: z.string().nullable().optional(),
    expr: z.string().optional(),
    isBinder: z.boolean().optional(),
    goal: z.string().nullable().optional(),
    error: z.string().optional(),
    children: z.array(InfoNode),
  }),
);
