/**
 * Wire shapes of the Kimina Lean Server (project-numina/kimina-lean-server, client package
 * `kimina-client`): request bodies of `POST /api/check` and `POST /verify`, and the REPL-style
 * command response carried in their results. Defaults are Kimina's own.
 */
import { z } from 'zod';
import type { LeanMessage } from '../../protocol/lean.js';

/** Kimina's info-tree levels (accepted, not produced: see docs/compat.md). */
const Infotree = z.enum(['full', 'tactics', 'original', 'substantive']);

/** `POST /api/check` body. */
export const KiminaCheckRequest = z
  .object({
    snippets: z
      .array(z.object({ id: z.string(), code: z.string() }))
      .min(1, '`snippets` must be non empty')
      .refine((s) => new Set(s.map((x) => x.id)).size === s.length, '`snippets` must have unique ids'),
    timeout: z.number().int().min(0).default(30),
    debug: z.boolean().default(false),
    reuse: z.boolean().default(true),
    infotree: Infotree.nullish(),
  })
  .loose();
export type KiminaCheckRequest = z.infer<typeof KiminaCheckRequest>;

/** `POST /verify` and `/one_pass_verify_batch` body (the older API). */
export const KiminaVerifyRequest = z
  .object({
    codes: z.array(
      z
        .object({ custom_id: z.union([z.string(), z.number()]), proof: z.string().nullish(), code: z.string().nullish() })
        .refine((c) => c.proof != null || c.code != null, 'a code needs `proof` or `code`'),
    ),
    timeout: z.number().int().default(300),
    infotree_type: Infotree.nullish(),
    disable_cache: z.boolean().default(false),
  })
  .loose();
export type KiminaVerifyRequest = z.infer<typeof KiminaVerifyRequest>;

/** A position as the Lean REPL writes it. */
export interface ReplPos {
  line: number;
  column: number;
}

/** A message as the Lean REPL writes it (`endPos` null when unknown). */
export interface ReplMessage {
  severity: LeanMessage['severity'];
  pos: ReplPos;
  endPos: ReplPos | null;
  data: string;
}

/** A `sorry` as the Lean REPL writes it. */
export interface ReplSorry {
  pos: ReplPos;
  endPos?: ReplPos;
  goal: string;
}

/** A command response as the Lean REPL writes it: empty lists omitted. */
export interface ReplCommandResponse {
  env: number;
  messages?: ReplMessage[];
  sorries?: ReplSorry[];
}

/** FastAPI's 422 body for a request that fails validation: `{detail: [{type, loc, msg}]}`. */
export function validationDetail(error: z.ZodError): { detail: { type: string; loc: (string | number)[]; msg: string }[] } {
  return {
    detail: error.issues.map((i) => ({ type: i.code, loc: ['body', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], msg: i.message })),
  };
}
