/**
 * A policy in an external process, over JSON lines on its stdin/stdout: one request per
 * state, `{"id", "statement", "goals", "goalsText", "tactics"}`, answered by one line
 * `{"id", "candidates": [{"tactic", "score"}]}` (or `{"id", "error"}`). Requests may overlap
 * (several statements in flight); replies are matched by id and may come in any order.
 * stderr is passed through. Any model or script plugs in this way.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import readline from 'node:readline';
import { z } from 'zod';
import { describeIssues } from '../../protocol/issues.js';
import { Candidate, type Policy, type PolicyState } from './policy.js';

/** One reply line of the external process. */
export const ExecReply = z
  .object({ id: z.number().int(), candidates: z.array(Candidate).optional(), error: z.string().optional() })
  .refine((r) => (r.candidates === undefined) !== (r.error === undefined), 'give exactly one of candidates, error');

interface Pending {
  resolve: (c: Candidate[]) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Policy served by a command (run through the shell) speaking JSON lines. */
export class ExecPolicy implements Policy {
  readonly name: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited?: string;

  /** Start `command` (a shell command line); `timeoutMs` bounds each reply. */
  constructor(
    readonly command: string,
    private readonly o: { timeoutMs?: number; cwd?: string } = {},
  ) {
    this.name = `exec:${command}`;
    this.child = spawn(command, { shell: true, cwd: o.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d: Buffer) => process.stderr.write(d));
    this.child.stdin.on('error', () => undefined); // a dead process is reported by 'exit'
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => this.receive(line));
    this.child.on('exit', (code, signal) => this.fail(`policy process ${JSON.stringify(command)} exited (${signal ?? `code ${code}`})`));
    this.child.on('error', (e) => this.fail(`policy process ${JSON.stringify(command)} could not run: ${e.message}`));
  }

  /** Send the state; resolve with the process's candidates. */
  propose(state: PolicyState): Promise<Candidate[]> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timeoutMs = this.o.timeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no reply to request ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      const { id: statementId, statement, goals, goalsText, tactics } = state;
      this.child.stdin.write(JSON.stringify({ id, statementId, statement, goals, goalsText, tactics }) + '\n');
    });
  }

  private receive(line: string): void {
    if (!line.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      process.stderr.write(`${this.name}: ignoring a line that is not JSON: ${line.slice(0, 200)}\n`);
      return;
    }
    const r = ExecReply.safeParse(raw);
    const id = (raw as { id?: unknown })?.id;
    const p = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!p) {
      process.stderr.write(`${this.name}: ignoring a reply to no pending request: ${line.slice(0, 200)}\n`);
      return;
    }
    this.pending.delete(id as number);
    clearTimeout(p.timer);
    if (!r.success) p.reject(new Error(`${this.name}: bad reply (${describeIssues(r.error, 'reply').join('; ')})`));
    else if (r.data.error !== undefined) p.reject(new Error(`${this.name}: ${r.data.error}`));
    else p.resolve(r.data.candidates!);
  }

  private fail(message: string): void {
    this.exited ??= message;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(message));
    }
    this.pending.clear();
  }

  /** Close the process's stdin and end it. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill('SIGTERM'), 2000);
    await exited;
    clearTimeout(t);
  }
}
