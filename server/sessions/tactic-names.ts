/**
 * The tactic names the server's Lean actually has, for completion in the debugger page
 * (`lean.tactics`), in the environment of `Lean.Elab.Command` plus the default header's
 * imports (so a Mathlib server offers Mathlib's tactics). Two requests to a worker, once per
 * server: Lean lists its syntax node kinds; the server guesses keywords from the kinds' names
 * (`tactic-candidates.ts`); Lean's own parser (`runParserCategory … tactic`) keeps the guesses
 * that start a tactic (the whole word parses, or the parse fails only after it, as `exact`
 * alone does). The answer is cached; a failure is not, so the next call retries.
 */
import type { ApiResult } from '../../protocol/api.js';
import type { LeanWorker } from '../lean/worker.js';
import type { WorkerPool } from '../pool/worker-pool.js';
import { tacticCandidates } from './tactic-candidates.js';

/** Helpers the programs share. Written with plain recursion: the embedded Lean's interpreter lacks the compiled helpers of `List.map`, `Name.toString` and the extension-state accessors. */
const HELPERS = `private partial def leanenvNameStr : Lean.Name → String
  | .str p s => let q := leanenvNameStr p; if q.isEmpty then s else q ++ "." ++ s
  | .num p n => leanenvNameStr p ++ "." ++ Nat.repr n
  | .anonymous => ""
private def leanenvLines : List String → String
  | [] => ""
  | x :: xs => x ++ "\\n" ++ leanenvLines xs
private def leanenvNames : List Lean.Name → List String
  | [] => []
  | n :: ns => leanenvNameStr n :: leanenvNames ns
private def leanenvAccepted (env : Lean.Environment) : List String → List String
  | [] => []
  | w :: ws =>
    let rest := leanenvAccepted env ws
    match Lean.Parser.runParserCategory env \`tactic w with
    | .ok _ => w :: rest
    | .error e => if e.startsWith ("<input>:1:" ++ Nat.repr w.length) then w :: rest else rest
`;

/** Lean code printing the environment's syntax node kinds between markers. */
export const KINDS_PROGRAM = `${HELPERS}#eval show Lean.Elab.Command.CommandElabM Unit from do
  IO.println ("leanenv-begin\\n" ++ leanenvLines (leanenvNames (Lean.Parser.getSyntaxNodeKinds (← Lean.getEnv))) ++ "leanenv-end")
`;

/** Lean code printing which of `words` start a tactic, between markers. */
export function acceptedProgram(words: readonly string[]): string {
  const list = `[${words.map((w) => JSON.stringify(w)).join(', ')}]`;
  return `${HELPERS}#eval show Lean.Elab.Command.CommandElabM Unit from do
  IO.println ("leanenv-begin\\n" ++ leanenvLines (leanenvAccepted (← Lean.getEnv) ${list}) ++ "leanenv-end")
`;
}

/** The lines a program printed between its markers. */
export function printedLines(message: string): string[] {
  const body = /leanenv-begin\n([\s\S]*?)\n?leanenv-end/.exec(message)?.[1];
  if (body === undefined) throw new Error(`the list was not in Lean's reply: ${message.slice(0, 600)}`);
  return body.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** The header the names are read in: `import Lean.Elab.Command` and the default header's own imports. */
export function tacticHeader(defaultHeader: string): string {
  const imports = defaultHeader.split('\n').filter((l) => /^\s*import\s/.test(l));
  return ['import Lean.Elab.Command', ...imports].join('\n') + '\n';
}

/** The server's tactic names, computed once. */
export class TacticNames {
  private cached?: Promise<ApiResult<'lean.tactics'>>;

  constructor(private readonly pool: WorkerPool<LeanWorker>, private readonly defaultHeader: string) {}

  /** The names (the first call asks a worker; later calls share its answer). */
  get(): Promise<ApiResult<'lean.tactics'>> {
    this.cached ??= this.compute().catch((e: unknown) => {
      this.cached = undefined;
      throw e;
    });
    return this.cached;
  }

  private async compute(): Promise<ApiResult<'lean.tactics'>> {
    const header = tacticHeader(this.defaultHeader);
    return this.pool.run({ tenant: 'lean.tactics', header }, async ({ worker }) => {
      const { env } = await worker.importHeader(header);
      const printed = async (code: string) => printedLines((await worker.runCommand(env, code)).messages.map((m) => m.data).join('\n'));
      const candidates = tacticCandidates(await printed(KINDS_PROGRAM));
      const names = [...new Set(await printed(acceptedProgram(candidates)))].sort();
      return { names, header };
    });
  }
}
