/**
 * Sessions of prover agents and their proofs. A session holds a header and survives a
 * dropped connection for `ttlMs` (resume by id). Proof states are server ids; each is
 * backed by a REPL state on the current worker generation and rebuilt by replay
 * (start statement + tactic path) when the worker it lived on is gone.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, ApiErrors, type ApiResult, type TacticOutcome } from '../../protocol/api.js';
import type { Lease, WorkerPool } from '../pool/worker-pool.js';
import { LeanWorkerError } from '../lean/errors.js';
import { stripProofBody, type LeanWorker } from '../lean/worker.js';
import { verifySolvedState } from '../check/verify-state.js';
import { statementInHeader } from '../check/reference.js';
import { ProofTree, type ProofNode } from './proof-tree.js';
import type { DatasetIndex } from './datasets.js';

/** A session: its header, proofs and expiry. */
interface Session {
  id: string;
  header: string;
  proofs: Set<string>;
  /** Connections attached now; the TTL runs only while this is 0. */
  attached: number;
  expiresAt: number;
}

/** Options of the registry. */
export interface RegistryOptions {
  pool: WorkerPool<LeanWorker>;
  datasets?: DatasetIndex;
  ttlMs: number;
  defaultHeader: string;
}

/** Map a worker failure to the API's errors. */
function workerError(e: unknown): never {
  if (e instanceof LeanWorkerError) {
    const after = 'this request is lost; the session and its other states are kept and rebuilt on a new worker';
    if (e.kind === 'worker_timeout') throw new ApiError(ApiErrors.WorkerTimeout, `${e.message}; ${after}`);
    if (e.kind === 'worker_exited') throw new ApiError(ApiErrors.WorkerUnavailable, `${e.message}; ${after}`);
  }
  throw e;
}

/** A node's REPL location as a pool job target. */
function placement(n: ProofNode): { slot: number; generation: number } | undefined {
  return n.worker && { slot: n.worker.slot, generation: n.worker.generation };
}

/** All sessions and proofs of the server. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly proofs = new Map<string, ProofTree>();
  private readonly states = new Map<string, ProofNode>();

  constructor(private readonly opts: RegistryOptions) {}

  /** Open a session with a header (default: the configured one). */
  open(header?: string): ApiResult<'session.open'> {
    const s: Session = { id: `ses_${randomUUID()}`, header: header ?? this.opts.defaultHeader, proofs: new Set(), attached: 1, expiresAt: Infinity };
    this.sessions.set(s.id, s);
    return { sessionId: s.id, header: s.header, ttlMs: this.opts.ttlMs };
  }

  /** Reattach to a live session. */
  resume(sessionId: string): ApiResult<'session.resume'> {
    const s = this.session(sessionId);
    s.attached += 1;
    s.expiresAt = Infinity;
    return { sessionId: s.id, header: s.header, ttlMs: this.opts.ttlMs };
  }

  /** A connection using the session went away: start its TTL when none is left. */
  detach(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    s.attached = Math.max(0, s.attached - 1);
    if (s.attached === 0) s.expiresAt = Date.now() + this.opts.ttlMs;
  }

  /** Close a session and forget its proofs. */
  close(sessionId: string): boolean {
    const s = this.sessions.get(sessionId);
    if (!s) return false;
    this.sessions.delete(sessionId);
    for (const p of s.proofs) this.forgetProof(p);
    return true;
  }

  /** Close sessions whose TTL has run out; returns how many. */
  sweep(now = Date.now()): number {
    let n = 0;
    for (const s of [...this.sessions.values()]) if (s.expiresAt <= now && this.close(s.id)) n++;
    return n;
  }

  /** Numbers for /health and /metrics. */
  counts(): { sessions: number; proofs: number; states: number } {
    return { sessions: this.sessions.size, proofs: this.proofs.size, states: this.states.size };
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s || s.expiresAt <= Date.now()) throw new ApiError(ApiErrors.UnknownSession, `unknown or expired session ${id}`);
    return s;
  }

  /** A state owned by one of `owners` (the caller's sessions); others' states are unknown to it. */
  private node(stateId: string, owners: ReadonlySet<string>): ProofNode {
    const n = this.states.get(stateId);
    const proof = n && this.proofs.get(n.proofId);
    if (!n || !proof || !owners.has(proof.sessionId)) throw new ApiError(ApiErrors.UnknownState, `unknown proof state ${stateId}`);
    this.session(proof.sessionId);
    return n;
  }

  /** Forget a proof and release the REPL states behind its nodes on the current worker. */
  private forgetProof(proofId: string): void {
    const p = this.proofs.get(proofId);
    if (!p) return;
    this.proofs.delete(proofId);
    for (const id of p.nodes.keys()) this.states.delete(id);
    for (const n of p.nodes.values()) this.release(n);
  }

  /** Drop the REPL state behind a node if its worker still lives (no lease: a drop is tiny). */
  private release(n: ProofNode): void {
    const w = n.worker && this.opts.pool.peek(n.worker.slot, n.worker.generation);
    if (w) void w.drop({ proofStates: [n.worker!.id] }).catch(() => undefined);
  }

  /** Start a proof in a session from a statement or a dataset item. */
  async start(sessionId: string, from: { statement?: string; datasetId?: string }, owners: ReadonlySet<string>): Promise<ApiResult<'proof.start'>> {
    if (!owners.has(sessionId)) throw new ApiError(ApiErrors.UnknownSession, `unknown or expired session ${sessionId}`);
    const s = this.session(sessionId);
    let header = s.header;
    let statement = from.statement;
    if (from.datasetId !== undefined) {
      const item = this.opts.datasets?.get(from.datasetId);
      if (!item) throw new ApiError(ApiErrors.UnknownDatasetItem, `unknown dataset item ${from.datasetId}`);
      header = item.header;
      statement = item.body;
    }
    const tree = new ProofTree(`prf_${randomUUID()}`, s.id, header, statement!);
    const root = await this.opts.pool.run({ tenant: s.id, header }, async ({ worker, slot, generation }) => {
      const r = await this.startOn(worker, tree);
      return tree.addRoot(r.goals, { slot, generation, id: r.proofState });
    });
    this.proofs.set(tree.proofId, tree);
    this.states.set(root.stateId, root);
    s.proofs.add(tree.proofId);
    return this.view(root);
  }

  private async startOn(worker: LeanWorker, tree: ProofTree) {
    const env = await worker.importHeader(tree.header).catch(workerError);
    if (env.hasErrors) {
      throw new ApiError(ApiErrors.HeaderError, 'the header does not elaborate', { messages: env.messages });
    }
    try {
      return await worker.startProof(env.env, { statement: tree.statement });
    } catch (e) {
      if (e instanceof LeanWorkerError && e.kind === 'repl_error') {
        // A statement carrying the session's header (or one it extends) before its theorem starts from that theorem.
        const bare = await statementInHeader(worker, tree.statement, tree.header).catch(() => undefined);
        if (bare !== undefined) {
          const r = await worker.startProof(env.env, { statement: bare }).catch(() => undefined);
          if (r) {
            tree.statement = bare;
            return r;
          }
        }
        throw new ApiError(ApiErrors.StatementError, e.message, { lean: e.data });
      }
      return workerError(e);
    }
  }

  /** Run a job for a node on the worker its state lives on (any worker if that one is gone). */
  private onNode<T>(node: ProofNode, fn: (lease: Lease<LeanWorker>, id: number) => Promise<T>): Promise<T> {
    const tree = this.proofs.get(node.proofId)!;
    return this.opts.pool.run({ tenant: tree.sessionId, header: tree.header, on: placement(node) }, async (lease) => fn(lease, await this.materialize(node, lease)));
  }

  /** The REPL id of a node on the leased worker, replaying its path there if it lives elsewhere. */
  private async materialize(node: ProofNode, lease: Lease<LeanWorker>): Promise<number> {
    if (node.worker?.slot === lease.slot && node.worker.generation === lease.generation) return node.worker.id;
    const tree = this.proofs.get(node.proofId)!;
    let id: number;
    if (node.parent === undefined) {
      id = (await this.startOn(lease.worker, tree)).proofState;
    } else {
      const parentId = await this.materialize(this.states.get(node.parent)!, lease);
      const r = await lease.worker.applyTactic(parentId, node.tactic!).catch(workerError);
      if (r.status === 'failed') throw new ApiError(ApiErrors.Internal, `replaying ${node.stateId} failed: ${r.error}`);
      id = r.proofState;
    }
    this.release(node);
    node.worker = { slot: lease.slot, generation: lease.generation, id };
    return id;
  }

  /** Apply one tactic to a state (cached per state and tactic). */
  async apply(stateId: string, tactic: string, owners: ReadonlySet<string>): Promise<TacticOutcome> {
    const node = this.node(stateId, owners);
    const cached = node.outcomes.get(tactic);
    if (cached) return { ...cached, cached: true };
    const outcome = await this.onNode(node, async ({ worker, slot, generation }, id): Promise<TacticOutcome> => {
      const r = await worker.applyTactic(id, tactic).catch(workerError);
      if (r.status === 'failed') return { status: 'failed', tactic, error: r.error, messages: r.messages, cached: false };
      const tree = this.proofs.get(node.proofId)!;
      const { node: child, duplicate } = tree.addChild(node, tactic, r.goals, r.status, { slot, generation, id: r.proofState });
      if (duplicate) void worker.drop({ proofStates: [r.proofState] }).catch(() => undefined);
      else this.states.set(child.stateId, child);
      return { status: child.status, tactic, stateId: child.stateId, goals: child.goals, duplicate, cached: false, messages: r.messages };
    });
    node.outcomes.set(tactic, outcome);
    return outcome;
  }

  /** Apply several tactics to one state; every outcome, in order. */
  async expand(stateId: string, tactics: string[], owners: ReadonlySet<string>): Promise<ApiResult<'proof.expand'>> {
    const outcomes: TacticOutcome[] = [];
    for (const t of tactics) outcomes.push(await this.apply(stateId, t, owners));
    return { outcomes };
  }

  /** The explored tree of a proof. */
  tree(proofId: string, owners: ReadonlySet<string>): ApiResult<'proof.tree'> {
    const p = this.proofs.get(proofId);
    if (!p || !owners.has(p.sessionId)) throw new ApiError(ApiErrors.UnknownProof, `unknown proof ${proofId}`);
    this.session(p.sessionId);
    return {
      proofId,
      statement: p.statement,
      root: p.rootId,
      nodes: [...p.nodes.values()].map((n) => ({ stateId: n.stateId, status: n.status, goals: n.goals.map((g) => g.pretty), depth: n.depth })),
      edges: p.edges,
    };
  }

  /**
   * Verify a solved state soundly: the REPL's kernel check of the proof term, then the whole
   * proof text re-checked from the header alone as `POST /v1/check` does; verdict and proof text.
   */
  async verify(stateId: string, owners: ReadonlySet<string>, allowedAxioms?: readonly string[]): Promise<ApiResult<'proof.verify'>> {
    const node = this.node(stateId, owners);
    const tree = this.proofs.get(node.proofId)!;
    const tactics = tree.pathTo(node);
    const state = { id: tree.proofId, header: tree.header, statement: stripProofBody(tree.statement), tactics };
    const verdict = await this.onNode(node, async ({ worker }, id) => {
      const v = await worker.verify(id).catch(workerError);
      return verifySolvedState(worker, v, state, allowedAxioms).catch(workerError);
    });
    return { ...verdict, tactics };
  }

  private view(n: ProofNode): ApiResult<'proof.start'> {
    return { stateId: n.stateId, proofId: n.proofId, status: n.status, goals: n.goals, depth: n.depth };
  }
}
