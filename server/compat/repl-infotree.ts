/**
 * The Lean REPL's (leanprover-community/repl) `allTactics`, `rootGoals` and `infotree` reply
 * fields, shaped from what our worker reports (`env.command` with `tactics`, `rootGoals`,
 * `infoTree`: `server/repl-protocol/tactic-data.ts`). Pure: no Lean here. Proof-state ids are
 * the caller's (the REPL front numbers them per session): it passes a function from the
 * worker's id to the id it hands out.
 */
import type { Goal } from '../../protocol/lean.js';
import type { InfoNode, InfoSyntax, TacticRecord } from '../repl-protocol/tactic-data.js';

/** A line/column position as the REPL writes it. */
export interface ReplPos {
  line: number;
  column: number;
}

/** One entry of the REPL's `tactics` (with `allTactics`). */
export interface ReplTactic {
  tactic: string;
  goals: string;
  pos: ReplPos;
  endPos: ReplPos;
  proofState: number;
  usedConstants: string[];
  parentDecl?: string;
}

/** One root goal, reported by the REPL as a sorry at the start of the proof's `by`. */
export interface ReplRootGoal {
  goal: string;
  proofState: number;
  pos: ReplPos;
  endPos: ReplPos;
}

/** The REPL's `infotree` modes. */
export const INFOTREE_MODES = ['full', 'tactics', 'original', 'substantive'] as const;
export type InfotreeMode = (typeof INFOTREE_MODES)[number];

/** What the REPL prints when Lean cannot pretty-print a tactic. */
const TACTIC_PP_FAILED = '<failed to pretty print>';
/** What Lean's term pretty-printer answers for syntax it cannot print (the REPL then leaves `pp` out). */
const TERM_PP_FAILED = "failed to pretty print term (use 'set_option pp.rawOnError true' for raw representation)";

/**
 * Syntax kinds of tactic combinators and structuring syntax: not "substantive" (the REPL's
 * `isSubstantive`; the Lean side selects `allTactics` with the same list, `structuringKinds`
 * in `lean-project/LeanEnv/TacticNodes.lean`). A node without a kind (an atom) is not substantive either.
 */
export const STRUCTURING_TACTIC_KINDS: ReadonlySet<string> = new Set([
  'null',
  'Lean.cdot',
  'Lean.cdotTk',
  'Lean.Parser.Term.byTactic',
  'Lean.Parser.Tactic.tacticSeq',
  'Lean.Parser.Tactic.tacticSeq1Indented',
  'Lean.Parser.Tactic.tactic_<;>_',
  'Lean.Parser.Tactic.paren',
]);

/** Goals as the REPL prints a goal list: each goal pretty-printed, one per line; `no goals` for none. */
export function goalsText(goals: readonly Goal[]): string {
  return goals.length === 0 ? 'no goals' : goals.map((g) => `\n${g.pretty}`).join('').trim();
}

/**
 * The REPL's `tactics` from the worker's tactic records (records that could not be printed are
 * left out); `idOf` turns a worker proof state into the id the client sees. `parentDecl` (the
 * declaration the tactic is in) is given unless `o.parentDecl` is false.
 */
export function replTactics(records: readonly TacticRecord[], idOf: (workerProofState: number) => number, o: { parentDecl?: boolean } = {}): ReplTactic[] {
  const out: ReplTactic[] = [];
  for (const r of records) {
    if (r.proofState === undefined || r.goalsBefore === undefined) continue;
    out.push({
      tactic: r.pretty ?? TACTIC_PP_FAILED,
      goals: goalsText(r.goalsBefore),
      pos: r.pos,
      endPos: r.endPos,
      proofState: idOf(r.proofState),
      usedConstants: r.usedConstants ?? [],
      ...(o.parentDecl !== false && r.decl !== null ? { parentDecl: r.decl } : {}),
    });
  }
  return out;
}

/** The REPL's root goals (appended to `sorries`) from the worker's `rootGoals` records: each at the start of its proof. */
export function replRootGoals(records: readonly TacticRecord[], idOf: (workerProofState: number) => number): ReplRootGoal[] {
  const out: ReplRootGoal[] = [];
  for (const r of records) {
    if (r.proofState === undefined || r.goalsBefore === undefined) continue;
    out.push({ goal: goalsText(r.goalsBefore), proofState: idOf(r.proofState), pos: r.pos, endPos: r.pos });
  }
  return out;
}

/** Keep the nodes that satisfy `keep`, each with its kept descendants; a dropped node's kept descendants take its place; holes go. */
export function filterInfoNodes(nodes: readonly InfoNode[], keep: (n: InfoNode) => boolean): InfoNode[] {
  const out: InfoNode[] = [];
  for (const n of nodes) {
    if (n.kind === 'hole') continue;
    const children = filterInfoNodes(n.children, keep);
    if (keep(n)) out.push({ ...n, children });
    else out.push(...children);
  }
  return out;
}

/** Whether a tactic node is a tactic of its own (not a combinator or structuring syntax). */
export function isSubstantive(n: InfoNode): boolean {
  const kind = n.stx?.kind;
  return kind !== undefined && kind !== null && !STRUCTURING_TACTIC_KINDS.has(kind);
}

/** The nodes the REPL keeps in an `infotree` mode: all (`full`), tactic nodes only, and of those the original or the substantive ones. */
export function infotreeNodes(nodes: readonly InfoNode[], mode: InfotreeMode): InfoNode[] {
  if (mode === 'full') return [...nodes];
  const tactics = filterInfoNodes(nodes, (n) => n.kind === 'TacticInfo');
  if (mode === 'tactics') return tactics;
  if (mode === 'original') return filterInfoNodes(tactics, (n) => n.original);
  return filterInfoNodes(tactics, (n) => n.kind !== 'TacticInfo' || isSubstantive(n));
}

/** The REPL's JSON for a node's syntax; `pp` left out when absent. */
function syntaxJson(stx: InfoSyntax, pp: string | undefined): Record<string, unknown> {
  return {
    ...(pp === undefined ? {} : { pp }),
    range: { synthetic: !stx.original, start: stx.pos, finish: stx.endPos },
  };
}

/** A term or command's pretty syntax as the REPL keeps it (none when Lean could not print it). */
const termPp = (stx: InfoSyntax): string | undefined => (stx.pp === null || stx.pp === TERM_PP_FAILED ? undefined : stx.pp);

/** The REPL's `node` for a tactic, term or command node; undefined for other kinds (the REPL leaves `node` out). */
function nodeJson(n: InfoNode): Record<string, unknown> | undefined {
  if (!n.stx) return undefined;
  const elaborator = n.elaborator ? { elaborator: n.elaborator } : {};
  switch (n.kind) {
    case 'TacticInfo':
      return {
        ...(n.stx.kind === null ? {} : { name: n.stx.kind }),
        stx: syntaxJson(n.stx, n.stx.pp ?? TACTIC_PP_FAILED),
        goalsBefore: (n.goalsBefore ?? []).map((g) => g.pretty),
        goalsAfter: (n.goalsAfter ?? []).map((g) => g.pretty),
      };
    case 'TermInfo':
      return {
        ...elaborator,
        stx: syntaxJson(n.stx, termPp(n.stx)),
        ...(n.expectedType === null || n.expectedType === undefined ? {} : { 'expectedType?': n.expectedType }),
        expr: n.expr ?? '',
        isBinder: n.isBinder ?? false,
      };
    case 'CommandInfo':
      return { ...elaborator, stx: syntaxJson(n.stx, termPp(n.stx)) };
    default:
      return undefined;
  }
}

/** The REPL's name of an info kind (it spells the command one `CommmandInfo`). */
const replKind = (kind: string): string => (kind === 'CommandInfo' ? 'CommmandInfo' : kind);

/** One node in the REPL's `infotree` JSON: `{kind, node?, children}`, or `{goalState}` for a hole. */
export function infotreeJson(n: InfoNode): Record<string, unknown> {
  if (n.kind === 'hole') return { goalState: n.goal ?? '' };
  const node = nodeJson(n);
  return { kind: replKind(n.kind), ...(node === undefined ? {} : { node }), children: n.children.map(infotreeJson) };
}

/** The REPL's `infotree` field for a mode: undefined when no node is left (the REPL then leaves it out). */
export function replInfotree(nodes: readonly InfoNode[], mode: InfotreeMode): Record<string, unknown>[] | undefined {
  const kept = infotreeNodes(nodes, mode);
  return kept.length === 0 ? undefined : kept.map(infotreeJson);
}

/** Whether a string is one of the REPL's `infotree` modes (the REPL ignores any other value). */
export function isInfotreeMode(s: unknown): s is InfotreeMode {
  return typeof s === 'string' && (INFOTREE_MODES as readonly string[]).includes(s);
}
