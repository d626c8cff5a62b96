/** Lean's data as the API and the REPL protocol carry it: positions, messages, goals. */
import { z } from 'zod';

/** A source position (line from 1, column from 0). */
export const Position = z.object({ line: z.number().int(), column: z.number().int() });

/** A message Lean logged. */
export const LeanMessage = z.object({
  severity: z.enum(['error', 'warning', 'info']),
  pos: Position,
  endPos: Position.nullable(),
  data: z.string(),
});
export type LeanMessage = z.infer<typeof LeanMessage>;

/** A hypothesis of a goal. */
export const Hypothesis = z.object({ name: z.string(), type: z.string(), value: z.string().nullable() });

/** A goal as structured data plus Lean's pretty-printed form. */
export const Goal = z.object({
  caseName: z.string().nullable(),
  hyps: z.array(Hypothesis),
  target: z.string(),
  pretty: z.string(),
});
export type Goal = z.infer<typeof Goal>;

