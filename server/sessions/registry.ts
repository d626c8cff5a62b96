/**
 * Sessions of prover agents and their proofs. A session holds a header and survives a
 * dropped connection for `ttlMs` (resume by id). Proof states are server ids; each is
 * backed by a REPL state on the current worker generation and rebuilt by replay
 * (start statement + tactic path) when the worker it lived on is gone.
 */
import { randomUUID } from 'node:crypto';
import { ApiError, ApiErrors, type ApiResult, type TacticOutcome } from '../../protocol/api.js';
import type { Lease, WorkerPool } from '../pool/worker-pool.js';
import type { Judge } from '../judge/judge.js';
import { stripProofBody, type LeanWorker } from '../lean/worker.js';
import { LeanWorkerError } from '../lean/errors.js';
import type { TacticResult } from '../repl-protocol/repl.js';
import { verifySolvedState } from '../check/verify-state.js';
import { renderProof } from '../lean/proof-script.js';
import { statementInHeader } from '../check/reference.js';
import { ProofTree, type ProofNode, type TacticExtra } from './proof-tree.js';
import type { TacticMeta } from '../../protocol/traces.js';
import type { DatasetIndex } from './datasets.js';
import type { SessionChange, SessionStore } from './store.js';
import { SessionWatchers, type TreeListener } from './watchers.js';
import { TacticNames } from './tactic-names.js';
import { edgeView, failedView, nodeSummary, placement, touched } from './tree-views.js';

/** A session: its header, proofs and expiry. */
interface Session {
  id: string;
  header: string;
  proofs: Set<string>;
  /** Connections attached now; the TTL runs only while this is 0. */
  attached: number;
  expiresAt: number;
  /** Cluster mode: this node's ownership epoch of the session. */
  epoch?: number;
}

/** Options of the registry. */
export interface RegistryOptions {
  pool: WorkerPool<LeanWorker>;
  /** Decides `proof.verify` (see `server/judge/judge.ts`). */
  judge: Judge;
  datasets?: DatasetIndex;
  ttlMs: number;
  defaultHeader: string;
  /** Cluster mode: sessions saved after every change and resumable on any node (none: this process only). */
  store?: SessionStore;
}

/** All sessions and proofs of the server. */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly proofs = new Map<string, ProofTree>();
  private readonly states = new Map<string, ProofNode>();
  private readonly watchers = new SessionWatchers();

  private readonly tactics: TacticNames;

  constructor(private readonly opts: RegistryOptions) {
    this.tactics = new TacticNames(opts.pool, opts.defaultHeader);
  }

  /** The tactic names of the server's Lean (computed once; see `tactic-names.ts`). */
  tacticNames(): Promise<ApiResult<'lean.tactics'>> {
    return this.tactics.get();
  }

  /** Open a session with a header (default: the configured one). */
  async open(header?: string): Promise<ApiResult<'session.open'>> {
    const s: Session = { id: `ses_${randomUUID()}`, header: header ?? this.opts.defaultHeader, proofs: new Set(), attached: 1, expiresAt: Infinity };
    if (this.opts.store) s.epoch = (await this.opts.store.claim(s.id)).epoch;
    this.sessions.set(s.id, s);
    await this.persist(s);
    return { sessionId: s.id, header: s.header, ttlMs: this.opts.ttlMs };
  }

  /** Reattach to a live session; in cluster mode, one stored by another node (taking it over; states are rebuilt by replay on use). */
  async resume(sessionId: string): Promise<ApiResult<'session.resume'>> {
    if (this.opts.store) await this.load(sessionId);
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
    this.forget(s);
    this.watchers.drop(sessionId);
    void this.opts.store?.delete(sessionId).catch(() => undefined);
    return true;
  }

  /** Drop a session from this process only. */
  private forget(s: Session): void {
    this.sessions.delete(s.id);
    for (const p of s.proofs) this.forgetProof(p);
  }

  /** Cluster mode: claim the session (a new epoch) and load its stored snapshot unless this node held it up to now. */
  private async load(sessionId: string): Promise<void> {
    const { epoch, snapshot } = await this.opts.store!.claim(sessionId);
    const here = this.sessions.get(sessionId);
    // Held here and claimed by nobody since: the local copy (with its live states) is current.
    if (here && here.epoch === epoch - 1) return void (here.epoch = epoch);
    if (here) this.forget(here); // another node changed it meanwhile
    if (!snapshot) return;
    const s: Session = { id: snapshot.id, header: snapshot.header, proofs: new Set(), attached: 0, expiresAt: Infinity, epoch };
    for (const t of snapshot.proofs) {
      const tree = ProofTree.fromJSON(t);
      this.proofs.set(tree.proofId, tree);
      for (const n of tree.nodes.values()) this.states.set(n.stateId, n);
      s.proofs.add(tree.proofId);
    }
    this.sessions.set(s.id, s);
  }

  /**
   * Cluster mode: save the session — only what `changes` touched when given (the store sends
   * only changed fields either way); if another node has claimed it since, it is dropped here
   * and the request refused.
   */
  private async persist(s: Session, changes?: SessionChange[]): Promise<void> {
    const store = this.opts.store;
    if (!store) return;
    const trees = [...s.proofs].flatMap((id) => (this.proofs.has(id) ? [this.proofs.get(id)!] : []));
    const saved = changes ? await store.saveChanges({ id: s.id, header: s.header }, trees, changes, s.epoch ?? 0) : await store.save({ id: s.id, header: s.header, proofs: trees.map((t) => t.toJSON()) }, s.epoch ?? 0);
    if (saved) return;
    this.forget(s);
    throw new ApiError(ApiErrors.UnknownSession, `session ${s.id} was resumed on another node; resume it again to continue here`);
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

  /**
   * Watch a live session read-only: `listener` gets every change of its proof trees until the
   * returned `stop` is called or the session closes. The session's TTL is not affected.
   */
  watch(sessionId: string, listener: TreeListener): { result: ApiResult<'session.watch'>; stop: () => void } {
    const s = this.session(sessionId);
    const stop = this.watchers.add(s.id, listener);
    const proofs = [...s.proofs].flatMap((id) => {
      const p = this.proofs.get(id);
      return p ? [{ proofId: p.proofId, statement: p.statement, root: p.rootId }] : [];
    });
    return { result: { sessionId: s.id, header: s.header, proofs }, stop };
  }

  /** Tell a session's watchers what a proof's tree gained. */
  private changed(tree: ProofTree, delta: { nodes?: ProofNode[]; edges?: ProofTree['edges']; failed?: ProofTree['failed'] }): void {
    if (this.watchers.count(tree.sessionId) === 0) return;
    this.watchers.emit({
      sessionId: tree.sessionId,
      proofId: tree.proofId,
      statement: tree.statement,
      root: tree.rootId,
      nodes: (delta.nodes ?? []).map(nodeSummary),
      edges: (delta.edges ?? []).map(edgeView),
      failed: (delta.failed ?? []).map(failedView),
    });
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
    this.release(...p.nodes.values());
  }

  /** Drop the REPL states behind nodes on the workers that still live: one request per worker (no lease: a drop is tiny). */
  private release(...nodes: ProofNode[]): void {
    const byWorker = new Map<LeanWorker, number[]>();
    for (const n of nodes) {
      const w = n.worker && this.opts.pool.peek(n.worker.slot, n.worker.generation);
      if (w) byWorker.set(w, [...(byWorker.get(w) ?? []), n.worker!.id]);
    }
    for (const [w, proofStates] of byWorker) void w.drop({ proofStates }).catch(() => undefined);
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
    tree.datasetId = from.datasetId;
    const root = await this.opts.pool.run({ tenant: s.id, header }, async ({ worker, slot, generation }) => {
      const r = await this.startOn(worker, tree);
      return tree.addRoot(r.goals, { slot, generation, id: r.proofState });
    });
    // The judge elaborates the statement now, while the agent searches, not when a proof is verified.
    if (tree.givenStatement === undefined) this.opts.judge.prepareStatement(tree.header, stripProofBody(tree.statement));
    this.proofs.set(tree.proofId, tree);
    this.states.set(root.stateId, root);
    s.proofs.add(tree.proofId);
    this.changed(tree, { nodes: [root] });
    await this.persist(s, [{ proofId: tree.proofId, stateIds: [root.stateId] }]);
    return this.view(root);
  }

  private async startOn(worker: LeanWorker, tree: ProofTree) {
    const env = await worker.importHeader(tree.header);
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
            tree.givenStatement = tree.statement;
            tree.statement = bare;
            return r;
          }
        }
      }
      // Mapped to statement_error at the edges (server/errors/to-api-error.ts).
      throw e;
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
      const r = await lease.worker.applyTactic(parentId, node.tactic!);
      if (r.status === 'failed') throw new ApiError(ApiErrors.Internal, `replaying ${node.stateId} failed: ${r.error}`);
      id = r.proofState;
    }
    this.release(node);
    node.worker = { slot: lease.slot, generation: lease.generation, id };
    return id;
  }

  /** Apply one tactic to a state (cached per state and tactic). */
  async apply(stateId: string, tactic: string, owners: ReadonlySet<string>, meta?: TacticMeta): Promise<TacticOutcome> {
    const node = this.node(stateId, owners);
    const cached = node.outcomes.get(tactic);
    if (cached) return { ...cached, cached: true };
    const outcome = await this.onNode(node, async (lease, id) => this.record(node, tactic, await lease.worker.applyTactic(id, tactic), lease, meta));
    node.outcomes.set(tactic, outcome);
    await this.persist(this.session(this.proofs.get(node.proofId)!.sessionId), [{ proofId: node.proofId, stateIds: touched(node, [outcome]) }]);
    return outcome;
  }

  /** A step's result added to its proof tree: a failed attempt, a new child or a duplicate of a known state. */
  private record(node: ProofNode, tactic: string, r: TacticResult, { worker, slot, generation }: Lease<LeanWorker>, meta?: TacticMeta): TacticOutcome {
    const tree = this.proofs.get(node.proofId)!;
    const extra: TacticExtra = meta ? { timeMs: r.elapsedMs, meta } : { timeMs: r.elapsedMs };
    if (r.status === 'failed') {
      this.changed(tree, { failed: [tree.addFailure(node, tactic, r.error, extra)] });
      return { status: 'failed', tactic, error: r.error, messages: r.messages, cached: false };
    }
    const { node: child, duplicate } = tree.addChild(node, tactic, r.goals, r.status, { slot, generation, id: r.proofState }, extra);
    if (duplicate) void worker.drop({ proofStates: [r.proofState] }).catch(() => undefined);
    else this.states.set(child.stateId, child);
    this.changed(tree, { nodes: duplicate ? [] : [child], edges: [tree.edges.at(-1)!] });
    return { status: child.status, tactic, stateId: child.stateId, goals: child.goals, duplicate, cached: false, messages: r.messages };
  }

  /**
   * Apply several tactics to one state; every outcome, in order. The tactics not yet cached run
   * in one worker request (`proof.tactics`: one lease, one round trip); a worker that dies
   * under them fails the whole call (no outcome of it is kept), as a single step would.
   */
  async expand(stateId: string, tactics: string[], owners: ReadonlySet<string>, metas?: (TacticMeta | null)[]): Promise<ApiResult<'proof.expand'>> {
    const node = this.node(stateId, owners);
    const fresh = [...new Set(tactics.filter((t) => !node.outcomes.has(t)))];
    const metaOf = (t: string) => metas?.[tactics.indexOf(t)] ?? undefined;
    const ran = new Map<string, TacticOutcome>();
    if (fresh.length > 1) {
      const results = await this.onNode(node, async (lease, id) => {
        const rs = await lease.worker.applyTactics(id, fresh);
        return rs.map((r, i) => this.record(node, fresh[i]!, r, lease, metaOf(fresh[i]!)));
      });
      results.forEach((o, i) => {
        ran.set(fresh[i]!, o);
        node.outcomes.set(fresh[i]!, o);
      });
      await this.persist(this.session(this.proofs.get(node.proofId)!.sessionId), [{ proofId: node.proofId, stateIds: touched(node, results) }]);
    }
    const outcomes: TacticOutcome[] = [];
    for (const t of tactics) {
      const o = ran.get(t);
      ran.delete(t); // a tactic given twice is cached the second time
      outcomes.push(o ?? (await this.apply(stateId, t, owners, metaOf(t))));
    }
    return { outcomes };
  }

  /** The explored tree of a proof (`owners`: the caller's sessions, watched ones included). */
  tree(proofId: string, owners: ReadonlySet<string>): ApiResult<'proof.tree'> {
    const p = this.proofs.get(proofId);
    if (!p || !owners.has(p.sessionId)) throw new ApiError(ApiErrors.UnknownProof, `unknown proof ${proofId}`);
    this.session(p.sessionId);
    return { proofId, statement: p.statement, root: p.rootId, nodes: [...p.nodes.values()].map(nodeSummary), edges: p.edges.map(edgeView), failed: p.failed.map(failedView) };
  }

  /** The proof trees `owners` may read: one proof, or every proof of a session (for `proof.traces`). */
  readableTrees(q: { proofId?: string; sessionId?: string }, owners: ReadonlySet<string>): ProofTree[] {
    if (q.proofId !== undefined) {
      this.tree(q.proofId, owners); // throws for a proof the caller may not read
      return [this.proofs.get(q.proofId)!];
    }
    if (!owners.has(q.sessionId!)) throw new ApiError(ApiErrors.UnknownSession, `unknown or expired session ${q.sessionId}`);
    return [...this.session(q.sessionId!).proofs].flatMap((id) => (this.proofs.has(id) ? [this.proofs.get(id)!] : []));
  }

  /** A session's proof trees by its id (the id is the capability, as for `session.resume`): held here, else read from the cluster's store without claiming it. */
  async sessionTrees(sessionId: string): Promise<ProofTree[]> {
    if (this.sessions.has(sessionId)) return this.readableTrees({ sessionId }, new Set([sessionId]));
    const snapshot = await this.opts.store?.read(sessionId);
    if (!snapshot) throw new ApiError(ApiErrors.UnknownSession, `unknown or expired session ${sessionId}`);
    return snapshot.proofs.map((t) => ProofTree.fromJSON(t));
  }

  /** One state with its structured goals (read-only: `owners` may include watched sessions). */
  state(stateId: string, owners: ReadonlySet<string>): ApiResult<'proof.state'> {
    return this.view(this.node(stateId, owners));
  }

  /** Benchmark items whose id contains `query`, with benchmark, split and statement. */
  searchDatasets(query: string, limit: number): ApiResult<'dataset.search'> {
    const r = this.opts.datasets?.search(query, limit) ?? { items: [], total: 0 };
    return { total: r.total, items: r.items.map((i) => ({ id: i.id, benchmark: i.benchmark ?? null, split: i.split ?? null, statement: i.body })) };
  }

  /**
   * Verify a solved state soundly: the worker hands its proof term over as data and the judge
   * checks it against the statement it elaborates itself (`verifySolvedState`); verdict and proof text.
   */
  async verify(stateId: string, owners: ReadonlySet<string>, allowedAxioms?: readonly string[]): Promise<ApiResult<'proof.verify'>> {
    const node = this.node(stateId, owners);
    const tree = this.proofs.get(node.proofId)!;
    const tactics = tree.pathTo(node);
    // A statement a worker reduced to its theorem is reduced again by the judge: the statement checked is never the worker's word.
    const given = tree.givenStatement;
    const statement = given === undefined ? tree.statement : await this.opts.judge.use((jw) => statementInHeader(jw, given, tree.header));
    if (statement === undefined) {
      return { proved: false, reason: "the judge could not reduce the statement to its theorem in the session's header", axioms: [], tactics, proofText: renderProof(tree.statement, tactics) };
    }
    const state = { id: tree.proofId, header: tree.header, statement: stripProofBody(statement), tactics };
    const verdict = await this.onNode(node, ({ worker }, id) => verifySolvedState(worker, this.opts.judge, id, state, allowedAxioms));
    // A verified proof marks its path in the traces (only the judge's verdict decides it).
    if (verdict.proved && !node.verified) {
      node.verified = true;
      await this.persist(this.session(tree.sessionId), [{ proofId: tree.proofId, stateIds: [node.stateId] }]);
    }
    return { ...verdict, tactics };
  }

  private view(n: ProofNode): ApiResult<'proof.start'> {
    return { stateId: n.stateId, proofId: n.proofId, status: n.status, goals: n.goals, depth: n.depth };
  }
}
