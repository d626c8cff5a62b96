/**
 * Sessions of prover agents and their proofs. A session holds a header and survives a
 * dropped connection for `ttlMs` (resume by id). Proof states are server ids; each is
 * backed by a REPL state on the current worker generation and rebuilt by replay
 * (start statement + tactic path) when the worker it lived on is gone.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, ApiErrors, type ApiResult, type TacticOutcome } from '../protocol/api.js';
import type { WorkerSource } from '../lean/worker-handle.js';
import { LeanWorkerError } from '../lean/errors.js';
import { stripProofBody, type LeanWorker } from '../lean/worker.js';
import { verifySolvedState } from '../check/verify-state.js';
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
  workers: WorkerSource;
  datasets?: DatasetIndex;
  ttlMs: number;
  defaultHeader: string;
}

/** Map a worker failure to the API's errors. */
function workerError(e: unknown): never {
  if (e instanceof LeanWorkerError) {
    if (e.kind === 'worker_timeout') throw new ApiError(ApiErrors.WorkerTimeout, e.message);
    if (e.kind === 'worker_exited') throw new ApiError(ApiErrors.WorkerUnavailable, e.message);
  }
  throw e;
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
    const held = [...p.nodes.values()].flatMap((n) => (n.worker ? [n.worker] : []));
    void this.opts.workers
      .peekWithGeneration()
      .then(async (live) => {
        const ids = held.filter((h) => h.generation === live?.generation).map((h) => h.id);
        if (live && ids.length) await live.worker.drop({ proofStates: ids });
      })
      .catch(() => undefined);
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
    const { worker, generation } = await this.opts.workers.acquire().catch(workerError);
    const r = await this.startOn(worker, tree);
    const root = tree.addRoot(r.goals, { generation, id: r.proofState });
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
        throw new ApiError(ApiErrors.StatementError, e.message, { lean: e.data });
      }
      return workerError(e);
    }
  }

  /** The REPL id of a node on the current worker, replaying its path if it lives elsewhere. */
  private async materialize(node: ProofNode): Promise<{ worker: LeanWorker; id: number; generation: number }> {
    const { worker, generation } = await this.opts.workers.acquire().catch(workerError);
    if (node.worker?.generation === generation) return { worker, id: node.worker.id, generation };
    const tree = this.proofs.get(node.proofId)!;
    let id: number;
    if (node.parent === undefined) {
      id = (await this.startOn(worker, tree)).proofState;
    } else {
      const parent = await this.materialize(this.states.get(node.parent)!);
      const r = await parent.worker.applyTactic(parent.id, node.tactic!).catch(workerError);
      if (r.status === 'failed') throw new ApiError(ApiErrors.Internal, `replaying ${node.stateId} failed: ${r.error}`);
      id = r.proofState;
    }
    node.worker = { generation, id };
    return { worker, id, generation };
  }

  /** Apply one tactic to a state (cached per state and tactic). */
  async apply(stateId: string, tactic: string, owners: ReadonlySet<string>): Promise<TacticOutcome> {
    const node = this.node(stateId, owners);
    const cached = node.outcomes.get(tactic);
    if (cached) return { ...cached, cached: true };
    const { worker, id, generation } = await this.materialize(node);
    const r = await worker.applyTactic(id, tactic).catch(workerError);
    let outcome: TacticOutcome;
    if (r.status === 'failed') {
      outcome = { status: 'failed', tactic, error: r.error, messages: r.messages, cached: false };
    } else {
      const tree = this.proofs.get(node.proofId)!;
      const { node: child, duplicate } = tree.addChild(node, tactic, r.goals, r.status, { generation, id: r.proofState });
      if (duplicate) void worker.drop({ proofStates: [r.proofState] }).catch(() => undefined);
      else this.states.set(child.stateId, child);
      outcome = { status: child.status, tactic, stateId: child.stateId, goals: child.goals, duplicate, cached: false, messages: r.messages };
    }
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
    const { worker, id } = await this.materialize(node);
    const tactics = tree.pathTo(node);
    const v = await worker.verify(id).catch(workerError);
    const state = { id: tree.proofId, header: tree.header, statement: stripProofBody(tree.statement), tactics };
    const verdict = await verifySolvedState(worker, v, state, allowedAxioms).catch(workerError);
    return { ...verdict, tactics };
  }

  private view(n: ProofNode): ApiResult<'proof.start'> {
    return { stateId: n.stateId, proofId: n.proofId, status: n.status, goals: n.goals, depth: n.depth };
  }
}
