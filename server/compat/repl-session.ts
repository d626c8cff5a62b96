/**
 * The Lean REPL's JSON protocol (leanprover-community/repl) on the worker pool: one
 * {@link ReplSession} per client (a `leanenv repl` process or a `/v1/repl` WebSocket).
 * Inputs as the REPL reads them (raw line breaks dropped, see {@link replQueryText}): commands
 * `{cmd, env?, allTactics?, rootGoals?, infotree?, gc?, discard?}`, tactics `{tactic, proofState}`,
 * files `{path, …}` (under an allowed directory), pickling `{env|proofState, pickleTo}`,
 * `{unpickleEnvFrom}`, `{unpickleProofStateFrom, env?}`. Replies as the REPL writes them, with
 * its numbering: every command reply gets the next `env`; sorries get proof state ids in order,
 * and in a tactic reply the tactic's sorries come before the new state. An environment is
 * (header, command chain) and a proof state (its command's sorry, tactics since): when the worker
 * holding one is gone it is rebuilt by replay, which is also what a pickle file holds.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { splitHeader } from '../check/header-split.js';
import type { LeanWorker } from '../lean/worker.js';
import type { Lease, WorkerPool } from '../pool/worker-pool.js';
import type { ReplResult } from '../repl-protocol/repl.js';
import type { LeanMessage } from '../../protocol/lean.js';
import { PickleError, readPickle, writePickle, type ProofStateOrigin, type ReplayStep } from './repl-pickle.js';
import { isInfotreeMode, replInfotree, replRootGoals, replTactics } from './repl-infotree.js';

const Id = z.number().int().min(0);
const Options = { allTactics: z.boolean().nullish(), rootGoals: z.boolean().nullish(), infotree: z.string().nullish() };
const CommandInput = z.object({ cmd: z.string(), env: Id.nullish(), gc: z.boolean().nullish(), discard: z.boolean().nullish(), ...Options });
const TacticInput = z.object({ tactic: z.string(), proofState: Id });
const FileInput = z.object({ path: z.string(), env: Id.nullish(), ...Options });
type CommandOptions = { allTactics?: boolean | null; rootGoals?: boolean | null; infotree?: string | null };
const PickleEnvInput = z.object({ env: Id, pickleTo: z.string() });
const UnpickleEnvInput = z.object({ unpickleEnvFrom: z.string() });
const PickleProofStateInput = z.object({ proofState: Id, pickleTo: z.string() });
const UnpickleProofStateInput = z.object({ unpickleProofStateFrom: z.string(), env: Id.nullish() });

/** A reply of the REPL (a command or tactic response, or `{message}`). */
export type ReplReply = Record<string, unknown>;
type Sorry = ReplResult<'env.command'>['sorries'][number];

interface Placement {
  slot: number;
  generation: number;
}
interface EnvRecord {
  header: string;
  /** Commands run after the header, in order (the chain that rebuilds this environment). */
  chain: string[];
  live?: Placement & { env: number };
}
interface ProofStateRecord {
  live?: Placement & { proofState: number };
  /** How to rebuild it (none for a state that cannot be replayed). */
  origin?: ProofStateOrigin;
  goals: string[];
  /** Reached through a `sorry`/`admit` tactic (for the status of states that cannot be kernel-checked). */
  usesSorry: boolean;
}

/** Options of a session. */
export interface ReplSessionOptions {
  pool: WorkerPool<LeanWorker>;
  /** Directory that `{"path": …}` files must be under; file mode is off without one. */
  fileRoot?: string;
  /** Directory pickle files are written to and read from; pickling is off without one. */
  pickleDir?: string;
}

/**
 * The text of a query as the REPL reads it: each line without its trailing white space and
 * line break, the lines joined. A raw line break inside a JSON string (typed by hand) is thus
 * dropped, as the REPL does, instead of making the JSON invalid.
 */
export function replQueryText(text: string): string {
  return text.split('\n').map((l) => l.trimEnd()).join('');
}

/** Messages without exact repeats (same severity, positions and text): the worker reports some errors twice. */
export function uniqueMessages(ms: readonly LeanMessage[]): LeanMessage[] {
  const seen = new Set<string>();
  return ms.filter((m) => {
    const k = JSON.stringify([m.severity, m.pos, m.endPos, m.data]);
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** A message in the REPL's shape (line shifted by `lines`; `endPos` null when unknown, as the REPL writes it). */
function message(m: LeanMessage, lines: number): ReplReply {
  const shift = (p: { line: number; column: number }) => ({ line: p.line === 0 ? 0 : p.line + lines, column: p.column });
  return { severity: m.severity, pos: shift(m.pos), endPos: m.endPos ? shift(m.endPos) : null, data: m.data };
}

const goalText = (s: Sorry) => (s.goals ?? []).map((g) => g.pretty).join('\n');

/** One client's REPL state: its environments and proof states. */
export class ReplSession {
  private readonly envs: EnvRecord[] = [];
  private readonly proofStates: ProofStateRecord[] = [];
  private readonly tenant = `repl_${randomUUID()}`;

  constructor(private readonly o: ReplSessionOptions) {}

  /** Answer one input (the JSON text of one query); never throws for bad input. */
  async handle(text: string): Promise<ReplReply> {
    let input: unknown;
    try {
      input = JSON.parse(replQueryText(text));
    } catch (e) {
      return { message: `Could not parse JSON:\n${e instanceof Error ? e.message : String(e)}` };
    }
    try {
      return await this.dispatch(input);
    } catch (e) {
      if (e instanceof PickleError) return { message: e.message };
      return { message: `Lean error:\n${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** The input kinds in the REPL's order of trying them. */
  private async dispatch(input: unknown): Promise<ReplReply> {
    let p;
    if ((p = TacticInput.safeParse(input)).success) return this.runTactic(p.data.tactic, p.data.proofState);
    if ((p = PickleEnvInput.safeParse(input)).success) return this.pickleEnv(p.data.env, p.data.pickleTo);
    if ((p = UnpickleEnvInput.safeParse(input)).success) return this.unpickleEnv(p.data.unpickleEnvFrom);
    if ((p = PickleProofStateInput.safeParse(input)).success) return this.pickleProofState(p.data.proofState, p.data.pickleTo);
    if ((p = UnpickleProofStateInput.safeParse(input)).success) return this.unpickleProofState(p.data.unpickleProofStateFrom, p.data.env ?? undefined);
    const cmd = CommandInput.safeParse(input);
    if (cmd.success) return this.runCommand(cmd.data.cmd, cmd.data.env ?? undefined, cmd.data.discard === true, cmd.data);
    const file = FileInput.safeParse(input);
    if (file.success) return this.runFile(file.data.path, file.data.env ?? undefined, file.data);
    return { message: `Could not parse as a valid JSON command:\n${cmd.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}` };
  }

  private async runFile(p: string, env: number | undefined, opts: CommandOptions): Promise<ReplReply> {
    if (!this.o.fileRoot) return { message: 'file mode is not enabled on this server (no allowed directory is configured)' };
    const root = path.resolve(this.o.fileRoot);
    const full = path.resolve(root, p);
    const rel = path.relative(root, full);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return { message: `${p}: not under the allowed directory` };
    let text: string;
    try {
      text = await fs.readFile(full, 'utf8');
    } catch (e) {
      return { message: `${p}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'}` };
    }
    return this.runCommand(text, env, false, opts);
  }

  /** Run `fn` on the worker holding `at` when it lives, else on any worker; says which case it was. */
  private onWorker<T>(header: string, at: Placement | undefined, fn: (lease: Lease<LeanWorker>, same: boolean) => Promise<T>): Promise<T> {
    return this.o.pool.run({ tenant: this.tenant, header, ...(at ? { on: at } : {}) }, (lease) =>
      fn(lease, !!at && lease.slot === at.slot && lease.generation === at.generation),
    );
  }

  /** The worker env id of a recorded environment on this lease, rebuilding it by replay when needed. */
  private async envOn(rec: EnvRecord, lease: Lease<LeanWorker>, same: boolean): Promise<number> {
    if (same && rec.live) return rec.live.env;
    let env = (await lease.worker.importHeader(rec.header)).env;
    for (const c of rec.chain) env = (await lease.worker.runCommand(env, c)).env;
    rec.live = { slot: lease.slot, generation: lease.generation, env };
    return env;
  }

  /** The worker proof state id of a recorded proof state on this lease, rebuilding it by replay when needed. */
  private async proofStateOn(rec: ProofStateRecord, lease: Lease<LeanWorker>, same: boolean): Promise<number> {
    if (same && rec.live) return rec.live.proofState;
    if (!rec.origin) throw new Error('the Lean worker that held this proof state was restarted, and it cannot be rebuilt; run the command again');
    const { header, chain, sorry, steps } = rec.origin;
    let env = (await lease.worker.importHeader(header)).env;
    for (const c of chain.slice(0, -1)) env = (await lease.worker.runCommand(env, c)).env;
    const source = rec.origin.source ?? 'sorry';
    const r = await lease.worker.runCommand(env, chain[chain.length - 1]!, undefined, { tactics: source === 'tactic', rootGoals: source === 'rootGoal' });
    const records = source === 'tactic' ? r.tactics : source === 'rootGoal' ? r.rootGoals : r.sorries;
    let ps = records?.[sorry]?.proofState;
    for (const step of steps) {
      if (ps === undefined) break;
      const t = await lease.worker.applyTactic(ps, step.tactic, undefined, { recover: true, sorries: step.sorry !== undefined });
      if (t.status === 'failed') throw new Error(`replaying the proof state: ${step.tactic}: ${t.error}`);
      ps = step.sorry === undefined ? t.proofState : t.sorries?.[step.sorry]?.proofState;
    }
    if (ps === undefined) throw new Error('replaying the proof state: its sorry no longer has a proof state');
    rec.live = { slot: lease.slot, generation: lease.generation, proofState: ps };
    return ps;
  }

  private recordProofState(rec: ProofStateRecord): number {
    this.proofStates.push(rec);
    return this.proofStates.length - 1;
  }

  private async runCommand(cmd: string, envId: number | undefined, discard: boolean, opts: CommandOptions = {}): Promise<ReplReply> {
    const parent = envId === undefined ? undefined : this.envs[envId];
    if (envId !== undefined && !parent) return { message: 'Unknown environment.' };
    const { header, body } = parent ? { header: parent.header, body: cmd } : splitHeader(cmd);
    const lines = parent ? 0 : cmd.split('\n').length - body.split('\n').length;
    return this.onWorker(header, parent?.live, async (lease, same) => {
      const { worker } = lease;
      let base: number;
      if (parent) base = await this.envOn(parent, lease, same);
      else {
        const imported = await worker.importHeader(header);
        if (imported.hasErrors) {
          // The REPL still records an environment; ours replays to the same import errors.
          const env = discard ? undefined : this.envs.push({ header, chain: [] }) - 1;
          return this.commandReply(env, { messages: imported.messages, sorries: [] }, 0, lease, undefined);
        }
        base = imported.env;
      }
      const infotree = isInfotreeMode(opts.infotree) ? opts.infotree : undefined;
      const r = await worker.runCommand(base, body, undefined, { tactics: opts.allTactics === true, rootGoals: opts.rootGoals === true, infoTree: infotree !== undefined });
      const chain = [...(parent?.chain ?? []), body];
      let env: number | undefined;
      if (discard) void worker.drop({ envs: [r.env] }).catch(() => undefined);
      else env = this.envs.push({ header, chain, live: { slot: lease.slot, generation: lease.generation, env: r.env } }) - 1;
      const out = this.commandReply(env, r, lines, lease, { header, chain });
      if (infotree && r.infoTree) {
        const trees = replInfotree(r.infoTree, infotree);
        if (trees) out.infotree = trees;
      }
      return out;
    });
  }

  /**
   * A command's reply. Proof state ids in the REPL's order: the sorries', then (with
   * `allTactics`) the tactics'; each replayable from `from`.
   */
  private commandReply(env: number | undefined, r: Pick<ReplResult<'env.command'>, 'messages' | 'sorries' | 'tactics' | 'rootGoals'>, lines: number, lease: Lease<LeanWorker>, from: { header: string; chain: string[] } | undefined): ReplReply {
    const out: ReplReply = {};
    if (env !== undefined) out.env = env;
    if (r.messages.length) out.messages = uniqueMessages(r.messages).map((m) => message(m, lines));
    const at = (p: { line: number; column: number }) => ({ line: p.line === 0 ? 0 : p.line + lines, column: p.column });
    const record = (proofState: number, source: ProofStateOrigin['source'], index: number, goals: string[]) =>
      this.recordProofState({
        live: { slot: lease.slot, generation: lease.generation, proofState },
        origin: from ? { ...from, sorry: index, ...(source === 'sorry' ? {} : { source }), steps: [] } : undefined,
        goals,
        usesSorry: false,
      });
    /** Ids for the worker's proof states of `records`, recorded as replayable from `source`'s index. */
    const idsFor = (records: readonly { proofState?: number; goalsBefore?: { pretty: string }[] }[], source: 'tactic' | 'rootGoal') => {
      const index = new Map(records.map((t, i) => [t.proofState, i] as const));
      return (ps: number) => record(ps, source, index.get(ps) ?? 0, (records[index.get(ps) ?? 0]?.goalsBefore ?? []).map((g) => g.pretty));
    };
    const sorries: ReplReply[] = r.sorries.map((s, i) => {
      const sorry: ReplReply = { goal: goalText(s) };
      if (s.proofState !== undefined) sorry.proofState = record(s.proofState, 'sorry', i, (s.goals ?? []).map((g) => g.pretty));
      if (s.pos.line !== 0) sorry.pos = at(s.pos);
      if (s.endPos && s.endPos.line !== 0) sorry.endPos = at(s.endPos);
      return sorry;
    });
    // Root goals come after the sorries, as sorries at the start of each proof; then the tactics.
    if (r.rootGoals) sorries.push(...replRootGoals(r.rootGoals, idsFor(r.rootGoals, 'rootGoal')).map((g) => ({ ...g, pos: at(g.pos), endPos: at(g.endPos) })));
    if (sorries.length) out.sorries = sorries;
    if (r.tactics) {
      const tactics = replTactics(r.tactics, idsFor(r.tactics, 'tactic'), { parentDecl: false }).map((t) => ({ ...t, pos: at(t.pos), endPos: at(t.endPos) }));
      if (tactics.length) out.tactics = tactics;
    }
    return out;
  }

  private async runTactic(tactic: string, id: number): Promise<ReplReply> {
    const rec = this.proofStates[id];
    if (!rec) return { message: 'Unknown proof state.' };
    return this.onWorker('', rec.live, async (lease, same) => {
      const from = await this.proofStateOn(rec, lease, same);
      const r = await lease.worker.applyTactic(from, tactic, undefined, { recover: true, sorries: true });
      if (r.status === 'failed') return { message: `Lean error:\n${r.error}` };
      const step = (extra: Partial<ReplayStep>) => (rec.origin ? { ...rec.origin, steps: [...rec.origin.steps, { tactic, ...extra }] } : undefined);
      // A recovered error left a `sorry` in the proof, as in the REPL.
      const usesSorry = rec.usesSorry || r.recovered === true || /\b(sorry|admit)\b/.test(tactic);
      const out: ReplReply = {};
      const tacticSorries = r.sorries ?? [];
      if (tacticSorries.length) {
        // The tactic's own sorries are numbered first, as the REPL numbers them.
        out.sorries = tacticSorries.map((s, i) => {
          const sorry: ReplReply = { goal: goalText(s) };
          if (s.proofState !== undefined) {
            const live = { slot: lease.slot, generation: lease.generation, proofState: s.proofState };
            sorry.proofState = this.recordProofState({ live, origin: step({ sorry: i }), goals: (s.goals ?? []).map((g) => g.pretty), usesSorry: true });
          }
          return sorry;
        });
      }
      const goals = r.goals.map((g) => g.pretty);
      out.proofState = this.recordProofState({ live: { slot: lease.slot, generation: lease.generation, proofState: r.proofState }, origin: step({}), goals, usesSorry });
      out.goals = goals;
      if (r.messages.length) out.messages = uniqueMessages(r.messages).map((m) => message(m, 0));
      out.proofStatus = r.status === 'solved' ? await this.proofStatus(lease.worker, r.proofState, usesSorry) : 'Incomplete: open goals remain';
      return out;
    });
  }

  /**
   * The REPL's `proofStatus` of a state without goals: from a kernel check of its proof term
   * when the worker can do one; a state that came from a command's `sorry` cannot be checked
   * that way, and is `Completed` unless a tactic on its path was `sorry`/`admit`.
   */
  private async proofStatus(worker: LeanWorker, proofState: number, usesSorry: boolean): Promise<string> {
    try {
      const v = await worker.verify(proofState);
      if (v.ok) return v.axioms.includes('sorryAx') ? 'Incomplete: contains sorry' : 'Completed';
      return /sorry/.test(v.error) ? 'Incomplete: contains sorry' : `Error: ${v.error}`;
    } catch {
      return usesSorry ? 'Incomplete: contains sorry' : 'Completed';
    }
  }

  /** `{env, pickleTo}`: write the environment's recipe; the REPL answers `{env}` (same id). */
  private async pickleEnv(id: number, to: string): Promise<ReplReply> {
    const rec = this.envs[id];
    if (!rec) return { message: 'Unknown environment.' };
    await writePickle(this.o.pickleDir, to, { kind: 'env', header: rec.header, chain: rec.chain });
    return { env: id };
  }

  /** `{unpickleEnvFrom}`: a new environment id for the pickled recipe (rebuilt on first use). */
  private async unpickleEnv(from: string): Promise<ReplReply> {
    const p = await readPickle(this.o.pickleDir, from, 'env');
    return { env: this.envs.push({ header: p.header, chain: p.chain }) - 1 };
  }

  /** `{proofState, pickleTo}`: write the state's recipe; the REPL answers as for a tactic, under a new id. */
  private async pickleProofState(id: number, to: string): Promise<ReplReply> {
    const rec = this.proofStates[id];
    if (!rec) return { message: 'Unknown proof State.' };
    if (!rec.origin) return { message: 'this proof state cannot be pickled: it was not reached from a command\'s sorry by tactics' };
    await writePickle(this.o.pickleDir, to, { kind: 'proofState', origin: rec.origin, usesSorry: rec.usesSorry });
    return this.proofStateReply({ ...rec });
  }

  /** `{unpickleProofStateFrom, env?}`: a new proof state id, rebuilt by replay now (so a bad pickle fails here). */
  private async unpickleProofState(from: string, env: number | undefined): Promise<ReplReply> {
    if (env !== undefined && !this.envs[env]) return { message: 'Unknown environment.' };
    const p = await readPickle(this.o.pickleDir, from, 'proofState');
    const rec: ProofStateRecord = { origin: p.origin, goals: [], usesSorry: p.usesSorry };
    return this.onWorker(p.origin.header, undefined, async (lease) => {
      await this.proofStateOn(rec, lease, false);
      return this.proofStateReply(rec, lease);
    });
  }

  /** Record `rec` under a new id and answer `{proofState, goals, proofStatus}` for it. */
  private async proofStateReply(rec: ProofStateRecord, lease?: Lease<LeanWorker>): Promise<ReplReply> {
    if (lease && rec.live) {
      const goals = await lease.worker.request('proof.goals', { proofState: rec.live.proofState });
      rec.goals = goals.goals.map((g) => g.pretty);
    }
    const id = this.recordProofState(rec);
    const status = rec.goals.length ? 'Incomplete: open goals remain' : rec.usesSorry ? 'Incomplete: contains sorry' : 'Completed';
    return { proofState: id, goals: rec.goals, proofStatus: status };
  }
}
