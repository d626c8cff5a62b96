/**
 * The Lean REPL's JSON protocol (leanprover-community/repl) on the worker pool: one
 * {@link ReplSession} per client (a `leanenv repl` process or a `/v1/repl` WebSocket).
 * Commands `{cmd, env?, allTactics?, rootGoals?, infotree?, gc?, discard?}`, tactics
 * `{tactic, proofState}`, files `{path, …}` (under an allowed directory) get the REPL's replies:
 * `{env, messages?, sorries?}` / `{proofState, goals, messages?, proofStatus}` / `{message}`,
 * empty lists omitted. Ids are the session's own, from 0. An environment is (header, command
 * chain): when the worker holding it is gone it is rebuilt by replaying the chain. Proof states
 * live on their worker. Pickling is refused with a clear message.
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

const Options = { allTactics: z.boolean().nullish(), rootGoals: z.boolean().nullish(), infotree: z.string().nullish() };
const CommandInput = z.object({ cmd: z.string(), env: z.number().int().min(0).nullish(), gc: z.boolean().nullish(), discard: z.boolean().nullish(), ...Options });
const TacticInput = z.object({ tactic: z.string(), proofState: z.number().int().min(0) });
const FileInput = z.object({ path: z.string(), env: z.number().int().min(0).nullish(), ...Options });
const PICKLE_KEYS = ['pickleTo', 'unpickleEnvFrom', 'unpickleProofStateFrom'];

/** A reply of the REPL (a command or tactic response, or `{message}`). */
export type ReplReply = Record<string, unknown>;

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
interface ProofStateRecord extends Placement {
  proofState: number;
  /** Reached through a `sorry`/`admit` tactic (for the status of states that cannot be kernel-checked). */
  usesSorry: boolean;
}

/** Options of a session. */
export interface ReplSessionOptions {
  pool: WorkerPool<LeanWorker>;
  /** Directory that `{"path": …}` files must be under; file mode is off without one. */
  fileRoot?: string;
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
  return {
    severity: m.severity,
    pos: { line: m.pos.line + lines, column: m.pos.column },
    endPos: m.endPos ? { line: m.endPos.line + lines, column: m.endPos.column } : null,
    data: m.data,
  };
}

/** One client's REPL state: its environments and proof states. */
export class ReplSession {
  private readonly envs: EnvRecord[] = [];
  private readonly proofStates: ProofStateRecord[] = [];
  private readonly tenant = `repl_${randomUUID()}`;

  constructor(private readonly o: ReplSessionOptions) {}

  /** Answer one input (the JSON text of one command); never throws for bad input. */
  async handle(text: string): Promise<ReplReply> {
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (e) {
      return { message: `Could not parse JSON:\n${e instanceof Error ? e.message : String(e)}` };
    }
    try {
      return await this.dispatch(input);
    } catch (e) {
      return { message: `Lean error:\n${e instanceof Error ? e.message : String(e)}` };
    }
  }

  private async dispatch(input: unknown): Promise<ReplReply> {
    if (input && typeof input === 'object' && PICKLE_KEYS.some((k) => k in input)) {
      return { message: 'pickling (pickleTo, unpickleEnvFrom, unpickleProofStateFrom) is not supported by leanenv: environments and proof states live in the server; keep the session instead' };
    }
    const tactic = TacticInput.safeParse(input);
    if (tactic.success) return this.runTactic(tactic.data.tactic, tactic.data.proofState);
    const cmd = CommandInput.safeParse(input);
    if (cmd.success) return this.runCommand(cmd.data.cmd, cmd.data.env ?? undefined, cmd.data.discard === true);
    const file = FileInput.safeParse(input);
    if (file.success) return this.runFile(file.data.path, file.data.env ?? undefined);
    return { message: `Could not parse as a valid JSON command:\n${cmd.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}` };
  }

  private async runFile(p: string, env: number | undefined): Promise<ReplReply> {
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
    return this.runCommand(text, env, false);
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

  private async runCommand(cmd: string, envId: number | undefined, discard: boolean): Promise<ReplReply> {
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
        if (imported.hasErrors) return this.commandReply(undefined, imported.messages, [], 0, lease);
        base = imported.env;
      }
      const r = await worker.runCommand(base, body);
      let env: number | undefined;
      if (discard) void worker.drop({ envs: [r.env] }).catch(() => undefined);
      else {
        env = this.envs.length;
        this.envs.push({ header, chain: [...(parent?.chain ?? []), body], live: { slot: lease.slot, generation: lease.generation, env: r.env } });
      }
      return this.commandReply(env, r.messages, r.sorries, lines, lease);
    });
  }

  private commandReply(env: number | undefined, messages: LeanMessage[], sorries: ReplResult<'env.command'>['sorries'], lines: number, lease: Lease<LeanWorker>): ReplReply {
    const out: ReplReply = {};
    if (env !== undefined) out.env = env;
    if (messages.length) out.messages = uniqueMessages(messages).map((m) => message(m, lines));
    if (sorries.length) {
      out.sorries = sorries.map((s) => {
        const sorry: ReplReply = { goal: (s.goals ?? []).map((g) => g.pretty).join('\n') };
        if (s.proofState !== undefined) {
          sorry.proofState = this.proofStates.length;
          this.proofStates.push({ slot: lease.slot, generation: lease.generation, proofState: s.proofState, usesSorry: false });
        }
        sorry.pos = { line: s.pos.line + lines, column: s.pos.column };
        if (s.endPos) sorry.endPos = { line: s.endPos.line + lines, column: s.endPos.column };
        return sorry;
      });
    }
    return out;
  }

  private async runTactic(tactic: string, id: number): Promise<ReplReply> {
    const rec = this.proofStates[id];
    if (!rec) return { message: 'Unknown proof state.' };
    return this.onWorker('', rec, async (lease, same) => {
      if (!same) return { message: 'Unknown proof state: the Lean worker that held it was restarted; run the command again' };
      const r = await lease.worker.applyTactic(rec.proofState, tactic);
      if (r.status === 'failed') return { message: `Lean error:\n${r.error}` };
      const next = this.proofStates.length;
      const usesSorry = rec.usesSorry || /\b(sorry|admit)\b/.test(tactic);
      this.proofStates.push({ slot: lease.slot, generation: lease.generation, proofState: r.proofState, usesSorry });
      const out: ReplReply = { proofState: next, goals: r.goals.map((g) => g.pretty) };
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
}
