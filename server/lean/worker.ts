/**
 * One Lean REPL process spoken to over JSON-RPC (vscode-jsonrpc; on the embedded backend over
 * the private channel, see `worker-io.ts` and `channel.ts`): start-up and readiness, typed and
 * zod-validated requests, a wall-clock limit per request (the process is killed and the request
 * fails rather than hang), forged replies (the worker is killed, the request fails with
 * `worker_tampered`), threads left running (the worker asks to be retired), and a clean shutdown.
 */
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { execa, type ResultPromise } from 'execa';
import { ResponseError, type MessageConnection } from 'vscode-jsonrpc/node.js';
import { LeanWorkerError } from './errors.js';
import { newReplyKey, type ReplyMeta } from './channel.js';
import { wireWorker, type WorkerIo } from './worker-io.js';
import { performance } from 'node:perf_hooks';
import { leanElapsedMs, replRequests, type ReplRequestEvent } from './request-events.js';
import { ProofLineage } from './proof-lineage.js';
import { ReplMethods, type ReplMethod, type ReplParams, type ReplResult, type TacticResult } from '../repl-protocol/repl.js';
import { judgeVerification } from './verdict.js';
import { renderProof } from './proof-script.js';
import { prepareLaunch } from './sandbox.js';
import { sourceText } from './source-text.js';
import type { WorkerSpawn } from './spawn.js';

import { commandOptionParams, stripProofBody, tamperedError, type CommandOptions, type ProofVerification, type WorkerInfo, type WorkerOptions } from './worker-types.js';

export type { WorkerSpawn } from './spawn.js';
export type { CommandOptions, ProofVerification, WorkerInfo, WorkerOptions } from './worker-types.js';
export { stripProofBody } from './worker-types.js';

/** A running Lean REPL process. */
export class LeanWorker {
  /** Lean version and methods, known once the worker is ready. */
  info: WorkerInfo | undefined;
  /** Milliseconds from spawn to the first answer. */
  readyMs: number | undefined;
  /** Headers imported (cache misses) and header environments evicted, since start. */
  readonly headerCounts = { imports: 0, evictions: 0 };
  /** The sandbox's writable directory for this process (removed when it exits), if sandboxed. */
  scratchDir: string | undefined;
  private exited = false;
  disposing = false;
  private killed = false;
  private exitReason: string | undefined;
  /**
   * Set once the embedded Lean's wasm heap grew past `wasmHeapRecycleMb` (the glue's notice): the
   * heap never shrinks, so the pool replaces the worker after its current request.
   */
  retireReason: string | undefined;
  /** Lean's last error line on stderr (an uncaught exception, a file error): named in the exit reason. */
  lastLeanError: string | undefined;
  /**
   * Forged replies seen (frames on the reply pipe that are not authentic, framed messages in the
   * program output) and requests after which the process had more threads than it had when it
   * became ready (see {@link onReply}).
   */
  readonly securityCounts = { forgedFrames: 0, leftoverThreads: 0 };
  /** Set at the first forged reply: the worker is killed and never answers again. */
  private tampered: string | undefined;
  /** Live pthreads reported with the reply to `initialize` (the channel's baseline). */
  private threadBaseline: number | undefined;
  /** Live pthreads reported with the last reply. */
  lastThreads: number | undefined;
  private readonly pending = new Set<(e: LeanWorkerError) => void>();
  private readonly headerEnvs = new Map<string, Promise<ReplResult<'env.import'>>>();
  private readonly exitListeners: ((reason: string) => void)[] = [];
  private readonly lineage = new ProofLineage();

  private constructor(
    readonly spawnSpec: WorkerSpawn,
    private readonly opts: WorkerOptions,
    private readonly proc: ResultPromise,
    private readonly io: WorkerIo,
  ) {}

  private get conn(): MessageConnection {
    return this.io.conn;
  }

  /**
   * Spawn a REPL and wait until it answers `initialize`. Aborting `signal` before then kills
   * the process and rejects once it has exited (a pool that closes ends its starting workers).
   */
  static async start(spec: WorkerSpawn, opts: WorkerOptions, signal?: AbortSignal): Promise<LeanWorker> {
    signal?.throwIfAborted();
    const log = opts.logger;
    const t0 = Date.now();
    const launch = prepareLaunch(spec);
    if (spec.sandbox.kind === 'none') log?.warn({ sandbox: spec.sandbox }, `Lean worker runs WITHOUT a sandbox: ${spec.sandbox.detail}`);
    // With the private channel (embedded backend): fd 0 takes the key then requests, fd 1 gives
    // authenticated replies, fd 3 is Lean's own stdout and stderr (untrusted), fd 2 the glue's notices.
    const key = spec.channel ? newReplyKey() : undefined;
    const proc = execa(launch.command, launch.args, {
      cwd: launch.cwd,
      env: launch.env,
      extendEnv: true,
      stdio: key ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
      buffer: false,
      reject: false,
      detached: true,
      cleanup: true,
    });
    const self: { w?: LeanWorker } = {};
    const io = wireWorker(
      { stdin: proc.stdin!, stdout: proc.stdout!, stderr: proc.stderr!, output: key ? (proc.stdio[3] as Readable) : undefined },
      key,
      {
        logger: log,
        pid: () => proc.pid,
        onForgery: (reason) => self.w?.onForgery(reason),
        onReply: (meta) => self.w?.onReply(meta),
        onLeanError: (line) => void (self.w && (self.w.lastLeanError = line)),
        onHeapNotice: (text) => void (self.w && (self.w.retireReason ??= text)),
        disposing: () => self.w?.disposing ?? false,
        onWriteError: (err) => self.w?.kill(`its input is closed (${err.message})`),
      },
    );
    const worker = new LeanWorker(spec, opts, proc, io);
    self.w = worker;
    const conn = io.conn;
    worker.scratchDir = launch.scratchDir;
    worker.onExitOnce(launch.cleanup);
    conn.onError(([err]) => log?.warn({ err: err.message }, 'worker connection error'));
    conn.listen();
    void proc.then((r) => worker.onExit(`exit code ${r.exitCode ?? 'none'}${r.signal ? `, signal ${r.signal}` : ''}`));
    const cancel = () => worker.kill('start-up cancelled');
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      worker.info = await worker.request('initialize', {}, { timeoutMs: opts.startupTimeoutMs });
    } catch (e) {
      worker.kill('start-up failed');
      await new Promise<void>((r) => worker.onExitOnce(() => r()));
      throw e;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
    worker.readyMs = Date.now() - t0;
    worker.threadBaseline = worker.lastThreads;
    log?.info({ pid: worker.pid, readyMs: worker.readyMs, version: worker.info.version, sandbox: spec.sandbox.kind }, 'Lean worker ready');
    return worker;
  }

  /** Process id of the REPL (the Node process for the embedded backend). */
  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Whether the process runs and can take requests (false from the moment it is being stopped or killed). */
  get alive(): boolean {
    return !this.exited && !this.disposing && !this.killed;
  }

  /** Resident memory of the process in bytes (Linux), or undefined. */
  rssBytes(): number | undefined {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** Register a callback for when the process exits. */
  onExitOnce(cb: (reason: string) => void): void {
    if (this.exited) cb(this.exitReason ?? 'exited');
    else this.exitListeners.push(cb);
  }

  /**
   * Send one request; the result is validated against the protocol schema. Fails with a
   * {@link LeanWorkerError}: `repl_error` for a JSON-RPC error answer, `worker_timeout` after
   * the wall-clock limit (the worker is then killed), `worker_exited` if it dies first.
   */
  async request<M extends ReplMethod>(method: M, params: ReplParams<M>, o: { timeoutMs?: number } = {}): Promise<ReplResult<M>> {
    if (this.tampered) throw tamperedError(this.tampered);
    if (!this.alive) throw new LeanWorkerError('worker_exited', `Lean worker is not running (${this.exitReason ?? 'stopping'})`);
    // Killed but its exit not yet seen: vscode-jsonrpc turns a failed write into an unhandled rejection, so do not write.
    if (!this.proc.stdin?.writable) throw new LeanWorkerError('worker_exited', `Lean worker's input is closed (${this.exitReason ?? 'it is exiting'})`);
    const timeoutMs = o.timeoutMs ?? this.opts.requestTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let rejectExit: ((e: LeanWorkerError) => void) | undefined;
    const guard = new Promise<never>((_, reject) => {
      rejectExit = reject;
      this.pending.add(reject);
      timer = setTimeout(() => {
        reject(new LeanWorkerError('worker_timeout', `${method} did not finish within ${timeoutMs} ms; the worker was stopped`));
        this.kill(`${method} timed out`);
      }, timeoutMs);
    });
    const t0 = performance.now();
    let result: unknown;
    try {
      const raw = await Promise.race([this.conn.sendRequest(method, params), guard]);
      const parsed = ReplMethods[method].result.safeParse(raw);
      if (!parsed.success) {
        throw new LeanWorkerError('invalid_reply', `${method}: reply does not match the protocol: ${parsed.error.message}`);
      }
      result = parsed.data;
      return parsed.data as ReplResult<M>;
    } catch (e) {
      if (e instanceof ResponseError) throw new LeanWorkerError('repl_error', e.message, e.code, e.data);
      if (e instanceof LeanWorkerError) throw e;
      if (this.exited) throw new LeanWorkerError('worker_exited', `Lean worker exited during ${method} (${this.exitReason})`);
      throw e;
    } finally {
      clearTimeout(timer);
      if (rejectExit) this.pending.delete(rejectExit);
      if (replRequests.hasSubscribers) {
        const event: ReplRequestEvent = { method, pid: this.pid, boundaryMs: performance.now() - t0, leanMs: leanElapsedMs(result), ok: result !== undefined };
        replRequests.publish(event);
      }
    }
  }

  /**
   * Import a header (imports, `open`, `set_option`, notation); the same header text reuses its
   * environment. Beyond `maxHeaderEnvs` headers the least recently used one is dropped. With
   * `importsOnly`, only the header's imports are read (nothing after them is elaborated).
   */
  importHeader(header: string, o: { importsOnly?: boolean } = {}): Promise<ReplResult<'env.import'>> {
    // Imports-only environments are kept apart from whole headers of the same text.
    const key = o.importsOnly ? `\u0000imports\u0000${header}` : header;
    let p = this.headerEnvs.get(key);
    if (p) {
      this.headerEnvs.delete(key); // most recently used goes last
      this.headerEnvs.set(key, p);
      return p;
    }
    p = this.request('env.import', { header, ...(o.importsOnly ? { importsOnly: true } : {}), maxHeartbeats: this.opts.maxHeartbeats });
    this.headerCounts.imports += 1;
    this.headerEnvs.set(key, p);
    p.catch(() => this.headerEnvs.delete(key));
    const max = this.opts.maxHeaderEnvs ?? Infinity;
    for (const [old, env] of this.headerEnvs) {
      if (this.headerEnvs.size <= max) break;
      this.headerEnvs.delete(old);
      this.headerCounts.evictions += 1;
      void env.then((e) => this.request('state.drop', { envs: [e.env] })).catch(() => undefined);
    }
    return p;
  }

  /** Whether this worker holds an imported environment for `header`. */
  hasHeader(header: string): boolean {
    return this.headerEnvs.has(header);
  }

  /**
   * Elaborate commands in an environment; returns messages, the new env and every sorry's proof
   * state; with `tactics` / `rootGoals`, tactics of the commands with their goals and proof states
   * (`TacticRecord`, with the source `text` added here); with `infoTree`, the info trees as data.
   */
  async runCommand(env: number, code: string, maxHeartbeats = this.opts.maxHeartbeats, o: CommandOptions = {}): Promise<ReplResult<'env.command'>> {
    const r = await this.request('env.command', { env, code, maxHeartbeats, ...commandOptionParams(o) });
    for (const t of [...(r.tactics ?? []), ...(r.rootGoals ?? [])]) t.text = sourceText(code, t.pos, t.endPos);
    return r;
  }

  /**
   * Elaborate a submission command by command and report what it declared: on top of `env`, or
   * (without `env`) a whole file whose header Lean's parser delimits. Every added proof comes
   * with its axioms and a kernel replay onto the environment before the submission; with
   * `exportData`, neither here: the proofs and axioms and what they use beyond `env` (beyond the
   * imports with `exportFromImports`, for a judge whose base is not `env`'s header) come as data for the judge.
   */
  checkSubmission(code: string, env?: number, o: { exportData?: boolean; exportFromImports?: boolean; maxHeartbeats?: number } = {}): Promise<ReplResult<'env.check'>> {
    const maxHeartbeats = o.maxHeartbeats ?? this.opts.maxHeartbeats;
    const exporting = o.exportData ? { export: true, ...(o.exportFromImports ? { exportFromImports: true } : {}) } : {};
    return this.request('env.check', { code, ...(env === undefined ? {} : { env }), ...exporting, maxHeartbeats });
  }

  /** A solved proof state's proof term and the constants it uses beyond the imports, as data for the judge. */
  exportProof(proofState: number): Promise<ReplResult<'proof.export'>> {
    return this.request('proof.export', { proofState });
  }

  /** Start a proof from `theorem name binders : type` (a trailing `:= by sorry` is removed) or a declaration name. */
  async startProof(env: number, from: { statement: string } | { name: string }, maxHeartbeats = this.opts.maxHeartbeats): Promise<ReplResult<'proof.start'>> {
    const params = 'statement' in from ? { statement: stripProofBody(from.statement) } : { name: from.name };
    const r = await this.request('proof.start', { env, ...params, maxHeartbeats });
    if (params.statement !== undefined) this.lineage.started(r.proofState, params.statement);
    return r;
  }

  /**
   * Apply a tactic to a proof state; a failing tactic returns `status: 'failed'` and leaves the state usable.
   * With `recover`, a tactic whose errors Lean recovered from gives its new state (`recovered: true`, errors in `messages`);
   * with `sorries`, the goals of the tactic's `sorry`s as proof states (`sorries`).
   */
  async applyTactic(proofState: number, tactic: string, maxHeartbeats = this.opts.maxHeartbeats, o: { recover?: boolean; sorries?: boolean } = {}): Promise<ReplResult<'proof.tactic'>> {
    const r = await this.request('proof.tactic', { proofState, tactic, maxHeartbeats, ...(o.recover ? { recover: true } : {}), ...(o.sorries ? { sorries: true } : {}) });
    if (r.status !== 'failed') this.lineage.stepped(r.proofState, proofState, tactic);
    return r;
  }

  /**
   * Apply several tactics to one proof state in one request (each as `applyTactic` would, with
   * its own heartbeat budget); results in order. The wall-clock limit is the per-request one per tactic.
   */
  async applyTactics(proofState: number, tactics: readonly string[], maxHeartbeats = this.opts.maxHeartbeats): Promise<TacticResult[]> {
    const timeoutMs = this.opts.requestTimeoutMs * Math.max(1, tactics.length);
    const { results } = await this.request('proof.tactics', { proofState, tactics: [...tactics], maxHeartbeats }, { timeoutMs });
    if (results.length !== tactics.length) throw new LeanWorkerError('invalid_reply', `proof.tactics: ${results.length} results for ${tactics.length} tactics`);
    results.forEach((r, i) => {
      if (r.status !== 'failed') this.lineage.stepped(r.proofState, proofState, tactics[i]!);
    });
    return results;
  }

  /** The start statement (if known) and the tactics that led from it to a proof state. */
  proofPath(proofState: number): { statement?: string; tactics: string[] } {
    return this.lineage.path(proofState);
  }

  /**
   * Verify a solved proof state in the kernel, judge it (no sorry, allowed axioms only) and
   * render the whole proof as `theorem ... := by ...` text for re-checking from scratch.
   */
  async verifyProof(proofState: number, allowedAxioms?: readonly string[]): Promise<ProofVerification> {
    const result = await this.verify(proofState);
    const { statement, tactics } = this.proofPath(proofState);
    return {
      result,
      judgement: judgeVerification(result, allowedAxioms),
      tactics,
      proofText: statement === undefined ? undefined : renderProof(statement, tactics),
    };
  }

  /** Kernel-check a solved proof state that descends from `startProof`, under the heartbeat limit. */
  verify(proofState: number, maxHeartbeats = this.opts.maxHeartbeats): Promise<ReplResult<'proof.verify'>> {
    return this.request('proof.verify', { proofState, maxHeartbeats });
  }

  /**
   * A declaration's type and axioms in `env`; with `reference`, whether its type is that of a
   * reference statement elaborated in `referenceEnv`; with `baseEnv`, a kernel re-check of it and
   * everything it needs, replayed onto `baseEnv` with clean options.
   */
  checkDecl(env: number, name: string, o: { referenceEnv?: number; reference?: string; baseEnv?: number } = {}): Promise<ReplResult<'decl.check'>> {
    return this.request('decl.check', { env, name, ...o, maxHeartbeats: this.opts.maxHeartbeats });
  }

  /** Forget environment and proof-state ids; returns live counts. */
  drop(ids: { envs?: number[]; proofStates?: number[] }): Promise<ReplResult<'state.drop'>> {
    this.lineage.forget(ids.proofStates ?? []);
    return this.request('state.drop', ids);
  }

  /** Live environment and proof-state counts. */
  stats(): Promise<ReplResult<'state.stats'>> {
    return this.request('state.stats', {});
  }

  /** Write raw bytes to the REPL's stdin (for protocol tests). */
  sendRaw(bytes: string | Buffer): void {
    this.proc.stdin!.write(bytes);
  }

  /** Ask the REPL to exit, then kill it if it has not within `graceMs`. */
  async dispose(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    this.disposing = true;
    try {
      await this.conn.sendNotification('exit');
      // A worker with several slots reads on until end of input.
      this.proc.stdin?.end();
    } catch {
      // The connection may already be closed.
    }
    const done = new Promise<void>((resolve) => this.onExitOnce(() => resolve()));
    const timer = setTimeout(() => this.kill('did not exit after the exit notification'), graceMs);
    await done;
    clearTimeout(timer);
  }

  /** Kill the process group now. */
  kill(reason: string): void {
    if (this.exited) return;
    this.killed = true;
    this.exitReason ??= reason;
    try {
      if (this.pid) process.kill(-this.pid, 'SIGKILL');
    } catch {
      this.proc.kill('SIGKILL');
    }
  }

  /**
   * A forged reply: count it; at the first, log a security event naming the requests in flight,
   * fail them with `worker_tampered` (never with the forged content), pass no more replies on and
   * kill the process, so that the pool replaces it before it serves anything else.
   */
  private onForgery(reason: string): void {
    this.securityCounts.forgedFrames += 1;
    if (this.tampered) return;
    this.tampered = reason;
    this.io.distrust();
    const inFlight = this.io.inFlight();
    this.opts.logger?.error({ security: 'forged_reply', pid: this.pid, reason, inFlight }, `Lean worker tampered with during ${inFlight.map((r) => `${r.method} #${r.id}`).join(', ') || 'no request'}: ${reason}; replacing it`);
    const err = tamperedError(reason);
    for (const reject of this.pending) reject(err);
    this.pending.clear();
    this.kill(`tampered with: ${reason}`);
  }

  /**
   * An authentic reply: the glue's count of live pthreads when it left. More than when the worker
   * became ready means that code under check left threads running (`IO.asTask` and the like):
   * the worker is retired after its current job, before it serves another.
   */
  private onReply(meta: ReplyMeta): void {
    this.lastThreads = meta.threads;
    // With several slots, other requests in flight may use threads of their own right now: the
    // count is only compared once this reply is the last one outstanding, and Lean's task pool
    // keeps up to one more thread per slot after concurrent elaborations (measured: 4 -> 6 with 2).
    const allowance = (this.spawnSpec.slots ?? 1) > 1 ? this.spawnSpec.slots! : 0;
    if (this.threadBaseline === undefined || meta.threads <= this.threadBaseline + allowance || this.retireReason) return;
    if (this.io.inFlight().length > 1) return;
    this.securityCounts.leftoverThreads += 1;
    this.retireReason = `a request left threads running (${meta.threads} live, ${this.threadBaseline} when it started)`;
    this.opts.logger?.warn({ security: 'leftover_threads', pid: this.pid, threads: meta.threads, baseline: this.threadBaseline, inFlight: this.io.inFlight() }, `Lean worker: ${this.retireReason}; retiring it`);
  }

  private onExit(reason: string): void {
    if (this.exited) return;
    this.exited = true;
    this.exitReason ??= this.lastLeanError ? `${reason}: ${this.lastLeanError}` : reason;
    this.opts.logger?.info({ pid: this.pid, reason: this.exitReason }, 'Lean worker exited');
    const err = new LeanWorkerError('worker_exited', `Lean worker exited (${this.exitReason})`);
    for (const reject of this.pending) reject(err);
    this.pending.clear();
    this.conn.dispose();
    for (const cb of this.exitListeners.splice(0)) cb(this.exitReason);
  }
}
