/**
 * A proof explored by search: nodes are proof states identified by the server (a node
 * is defined by header, statement and tactic path, so it can be rebuilt on any worker by
 * replay), edges carry tactics. Open states with the same canonical goal text are one
 * node; (state, tactic) results are cached.
 */
import type { Goal, TacticOutcome } from '../../protocol/api.js';
import type { TacticMeta } from '../../protocol/traces.js';

/** What a trace keeps of a tactic besides its result: Lean's time and the agent's annotation. */
export interface TacticExtra {
  timeMs?: number;
  meta?: TacticMeta;
}
/** A tactic edge of the tree. */
export type TreeEdge = { from: string; to: string; tactic: string } & TacticExtra;
/** A failed attempt: a tactic Lean refused on `from`, with its error. */
export type FailedAttempt = { from: string; tactic: string; error: string } & TacticExtra;

/** Where a proof state lives: the REPL's id on a pool slot's worker generation. */
export interface StateLocation {
  slot: number;
  generation: number;
  id: number;
}

/** A node of the tree. */
export interface ProofNode {
  stateId: string;
  proofId: string;
  parent?: string;
  /** Tactic from the parent (undefined for the root). */
  tactic?: string;
  depth: number;
  goals: Goal[];
  status: 'open' | 'solved';
  /** Where the state lives now, if anywhere. */
  worker?: StateLocation;
  /** Cached outcomes of tactics applied here. */
  outcomes: Map<string, TacticOutcome>;
  /** Set when `proof.verify` proved this (solved) state: its tactic path is a verified proof. */
  verified?: boolean;
}

/** Canonical text of a goal list: what makes two states "the same". */
export function canonicalGoals(goals: readonly Goal[]): string {
  return goals.map((g) => g.pretty.trim()).join('\n\n');
}

/** A proof tree as stored (cluster mode): everything but where states live on workers. */
export interface SerializedProofTree {
  proofId: string;
  sessionId: string;
  header: string;
  statement: string;
  /** The statement as given, when the worker reduced it to its theorem (the judge reduces it again on its own). */
  givenStatement?: string;
  rootId: string;
  counter: number;
  nodes: (Omit<ProofNode, 'worker' | 'outcomes'> & { outcomes: [string, TacticOutcome][] })[];
  edges: TreeEdge[];
  /** Failed attempts (absent in snapshots written before they were kept). */
  failed?: FailedAttempt[];
  /** The dataset item the proof started from, if any. */
  datasetId?: string;
}

/** A node as stored: everything but where its state lives on a worker. */
export function serializeNode({ worker: _w, outcomes, ...n }: ProofNode): SerializedProofTree['nodes'][number] {
  return { ...n, outcomes: [...outcomes] };
}

/** One proof: its statement, header and nodes. */
export class ProofTree {
  readonly nodes = new Map<string, ProofNode>();
  readonly edges: TreeEdge[] = [];
  /** Tactics Lean refused, with the state they were tried on and the error. */
  readonly failed: FailedAttempt[] = [];
  /** The dataset item the proof started from, if any. */
  datasetId: string | undefined;
  private readonly openByGoals = new Map<string, string>();
  private counter = 0;
  rootId = '';
  /** The statement as given, when it carried the header and was reduced to its theorem (`statement`) by a worker. */
  givenStatement: string | undefined;

  constructor(
    readonly proofId: string,
    readonly sessionId: string,
    readonly header: string,
    /** The theorem statement (set once at start, when a header-carrying statement is reduced to its theorem). */
    public statement: string,
  ) {}

  private newId(): string {
    this.counter += 1;
    return `st_${this.proofId.slice(4)}_${this.counter}`;
  }

  /** Add the root node. */
  addRoot(goals: Goal[], worker: StateLocation): ProofNode {
    const node: ProofNode = { stateId: this.newId(), proofId: this.proofId, depth: 0, goals, status: 'open', worker, outcomes: new Map() };
    this.nodes.set(node.stateId, node);
    this.openByGoals.set(canonicalGoals(goals), node.stateId);
    this.rootId = node.stateId;
    return node;
  }

  /**
   * Record a successful tactic from `parent`. If an open node with the same goals exists (the
   * parent itself included) it is returned with `duplicate: true` (the new worker state is not kept).
   */
  addChild(parent: ProofNode, tactic: string, goals: Goal[], status: 'open' | 'solved', worker: StateLocation, extra: TacticExtra = {}): { node: ProofNode; duplicate: boolean } {
    const key = canonicalGoals(goals);
    const existing = status === 'open' ? this.openByGoals.get(key) : undefined;
    // A tactic that leaves the goals as they were (e.g. `skip`) leads back to its own node.
    if (existing !== undefined) {
      this.edges.push({ from: parent.stateId, to: existing, tactic, ...extra });
      return { node: this.nodes.get(existing)!, duplicate: true };
    }
    const node: ProofNode = {
      stateId: this.newId(),
      proofId: this.proofId,
      parent: parent.stateId,
      tactic,
      depth: parent.depth + 1,
      goals,
      status,
      worker,
      outcomes: new Map(),
    };
    this.nodes.set(node.stateId, node);
    if (status === 'open') this.openByGoals.set(key, node.stateId);
    this.edges.push({ from: parent.stateId, to: node.stateId, tactic, ...extra });
    return { node, duplicate: false };
  }

  /** The tree's own fields as stored (without nodes, edges and failed attempts). */
  meta(): Omit<SerializedProofTree, 'nodes' | 'edges' | 'failed'> {
    return {
      proofId: this.proofId,
      sessionId: this.sessionId,
      header: this.header,
      statement: this.statement,
      ...(this.givenStatement === undefined ? {} : { givenStatement: this.givenStatement }),
      ...(this.datasetId === undefined ? {} : { datasetId: this.datasetId }),
      rootId: this.rootId,
      counter: this.counter,
    };
  }

  /** The tree without worker locations (states are rebuilt by replay wherever it is loaded). */
  toJSON(): SerializedProofTree {
    return { ...this.meta(), nodes: [...this.nodes.values()].map(serializeNode), edges: [...this.edges], failed: [...this.failed] };
  }

  /** Rebuild a stored tree; no state lives on a worker yet. */
  static fromJSON(t: SerializedProofTree): ProofTree {
    const tree = new ProofTree(t.proofId, t.sessionId, t.header, t.statement);
    tree.givenStatement = t.givenStatement;
    tree.datasetId = t.datasetId;
    tree.rootId = t.rootId;
    tree.counter = t.counter;
    for (const n of t.nodes) {
      tree.nodes.set(n.stateId, { ...n, outcomes: new Map(n.outcomes) });
      if (n.status === 'open') tree.openByGoals.set(canonicalGoals(n.goals), n.stateId);
    }
    tree.edges.push(...t.edges);
    tree.failed.push(...(t.failed ?? []));
    return tree;
  }

  /** Record a tactic that failed on `from` (kept in the tree as a failed attempt). */
  addFailure(from: ProofNode, tactic: string, error: string, extra: TacticExtra = {}): FailedAttempt {
    const f = { from: from.stateId, tactic, error, ...extra };
    this.failed.push(f);
    return f;
  }

  /** Tactics from the root to `node`. */
  pathTo(node: ProofNode): string[] {
    const tactics: string[] = [];
    for (let at: ProofNode | undefined = node; at?.tactic !== undefined; at = at.parent ? this.nodes.get(at.parent) : undefined) {
      tactics.push(at.tactic);
    }
    return tactics.reverse();
  }
}
