/**
 * Pickle files of the Lean REPL front (`pickleTo`, `unpickleEnvFrom`, `unpickleProofStateFrom`).
 * Our environments and proof states are replayable, so a pickle is the recipe, not Lean's
 * memory: an environment is its header and command chain; a proof state is the command whose
 * `sorry` it started from (header, chain, which sorry) and the tactics applied since. Any session,
 * on any node that sees the same directory, replays it to the same state. Files live under the
 * configured pickle directory only: paths are taken relative to it and may not leave it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** One step from a proof state: run `tactic`; with `sorry`, continue at that `sorry` of the tactic's reply instead of its result. */
export const ReplayStep = z.object({ tactic: z.string(), sorry: z.number().int().min(0).optional() });
export type ReplayStep = z.infer<typeof ReplayStep>;

/**
 * How to rebuild a proof state: run `chain` after `header`, take the last command's `sorry`-th
 * sorry (with `source: "tactic"` / `"rootGoal"`, its `sorry`-th tactic record's / root goal's state), then `steps`.
 */
export const ProofStateOrigin = z.object({
  header: z.string(),
  chain: z.array(z.string()).min(1),
  sorry: z.number().int().min(0),
  source: z.enum(['sorry', 'tactic', 'rootGoal']).optional(),
  steps: z.array(ReplayStep),
});
export type ProofStateOrigin = z.infer<typeof ProofStateOrigin>;

const FORMAT = 'leanenv-repl-pickle/1';
/** The content of a pickle file (JSON). */
export const PickleFile = z.discriminatedUnion('kind', [
  z.object({ format: z.literal(FORMAT), kind: z.literal('env'), header: z.string(), chain: z.array(z.string()) }),
  z.object({ format: z.literal(FORMAT), kind: z.literal('proofState'), origin: ProofStateOrigin, usesSorry: z.boolean() }),
]);
export type PickleFile = z.infer<typeof PickleFile>;
type PickleBody = PickleFile extends infer T ? (T extends unknown ? Omit<T, 'format'> : never) : never;

/** A pickle operation's failure, with the message the REPL front replies with. */
export class PickleError extends Error {}

/** The absolute path of `p` under `dir`; throws {@link PickleError} when pickling is off or `p` leaves `dir`. */
export async function picklePath(dir: string | undefined, p: string): Promise<string> {
  if (!dir) throw new PickleError('pickling is not enabled on this server (no pickle directory is configured: --repl-pickle-dir)');
  if (p.includes('\0')) throw new PickleError(`${p}: not a valid path`);
  const root = await fs.realpath(path.resolve(dir));
  const full = path.resolve(root, p);
  const rel = path.relative(root, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new PickleError(`${p}: not under the pickle directory`);
  // The parent must resolve (through any symbolic link) to a directory inside the root too.
  await fs.mkdir(path.dirname(full), { recursive: true });
  const parent = await fs.realpath(path.dirname(full));
  const relParent = path.relative(root, parent);
  if (relParent.startsWith('..') || path.isAbsolute(relParent)) throw new PickleError(`${p}: not under the pickle directory`);
  return path.join(parent, path.basename(full));
}

/** Write a pickle file (atomically: a temporary file renamed into place). */
export async function writePickle(dir: string | undefined, p: string, body: PickleBody): Promise<void> {
  const full = await picklePath(dir, p);
  const tmp = `${full}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, JSON.stringify({ format: FORMAT, ...body }));
  await fs.rename(tmp, full);
}

/** Read and validate a pickle file of the given kind. */
export async function readPickle<K extends PickleFile['kind']>(dir: string | undefined, p: string, kind: K): Promise<Extract<PickleFile, { kind: K }>> {
  const full = await picklePath(dir, p);
  let text: string;
  try {
    text = await fs.readFile(full, 'utf8');
  } catch (e) {
    throw new PickleError(`${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PickleError(`${p}: not a leanenv pickle file (not JSON)`);
  }
  const parsed = PickleFile.safeParse(json);
  if (!parsed.success) throw new PickleError(`${p}: not a leanenv pickle file (${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')})`);
  if (parsed.data.kind !== kind) throw new PickleError(`${p}: holds ${parsed.data.kind === 'env' ? 'an environment' : 'a proof state'}, not ${kind === 'env' ? 'an environment' : 'a proof state'}`);
  return parsed.data as Extract<PickleFile, { kind: K }>;
}
