/**
 * Tree layout model of a proof tree (what `proof.tree` returns, plus watch deltas): a spanning
 * tree (each state under the first edge that reached it) laid out with d3-hierarchy; other
 * edges into a state are duplicates (drawn as extra links), failed attempts are dimmed leaves.
 * Also the keyboard navigation and the tactic script from the root to a state.
 */
import { hierarchy, tree as d3tree } from 'd3-hierarchy';

/** A state of the tree (goals as Lean's pretty text). */
export interface TreeNode {
  stateId: string;
  status: 'open' | 'solved';
  goals: string[];
  depth: number;
}
/** A successful tactic from one state to another. */
export interface TreeEdge {
  from: string;
  to: string;
  tactic: string;
}
/** A tactic Lean refused on a state. */
export interface TreeFailure {
  from: string;
  tactic: string;
  error: string;
}
/** A proof tree as the page holds it. */
export interface ProofTreeData {
  proofId: string;
  statement: string;
  root: string;
  nodes: TreeNode[];
  edges: TreeEdge[];
  failed: TreeFailure[];
}

/** Merge a change (new nodes, edges, failed attempts) into a tree; what is known already is not added twice. */
export function mergeTree(base: ProofTreeData | undefined, change: ProofTreeData): ProofTreeData {
  if (!base || base.proofId !== change.proofId) return { ...change, nodes: [...change.nodes], edges: [...change.edges], failed: [...change.failed] };
  const ids = new Set(base.nodes.map((n) => n.stateId));
  const edgeKey = (e: TreeEdge) => `${e.from}\u0000${e.to}\u0000${e.tactic}`;
  const failKey = (f: TreeFailure) => `${f.from}\u0000${f.tactic}`;
  const edges = new Set(base.edges.map(edgeKey));
  const fails = new Set(base.failed.map(failKey));
  return {
    ...base,
    nodes: [...base.nodes, ...change.nodes.filter((n) => !ids.has(n.stateId))],
    edges: [...base.edges, ...change.edges.filter((e) => !edges.has(edgeKey(e)))],
    failed: [...base.failed, ...change.failed.filter((f) => !fails.has(failKey(f)))],
  };
}

/** The spanning parent of every state reached from the root: the first edge (in order) into it. */
export function spanningParents(t: ProofTreeData): Map<string, TreeEdge> {
  const parents = new Map<string, TreeEdge>();
  const known = new Set(t.nodes.map((n) => n.stateId));
  const reached = new Set([t.root]);
  // Edges are recorded in the order states were created, so one pass in order suffices;
  // repeat until stable in case a delta arrived out of order.
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of t.edges) {
      if (reached.has(e.from) && !reached.has(e.to) && known.has(e.to)) {
        parents.set(e.to, e);
        reached.add(e.to);
        grew = true;
      }
    }
  }
  return parents;
}

/** The tactics from the root to a state (its current tactic script). */
export function tacticPath(t: ProofTreeData, stateId: string): string[] {
  const parents = spanningParents(t);
  const path: string[] = [];
  for (let at = parents.get(stateId); at; at = parents.get(at.from)) path.push(at.tactic);
  return path.reverse();
}

/** A laid-out item: a state, or a failed attempt (id `failed:<n>`). */
export interface LaidNode {
  id: string;
  kind: 'state' | 'failed';
  x: number;
  y: number;
  /** States: open or solved; failed attempts: failed. */
  status: 'open' | 'solved' | 'failed';
  goalCount: number;
  /** The tactic of the link into this item (none for the root). */
  tactic?: string;
  error?: string;
}
/** A link: spanning-tree edge, duplicate edge (a second way into a state), or failed attempt. */
export interface LaidLink {
  from: string;
  to: string;
  tactic: string;
  kind: 'tree' | 'duplicate' | 'failed';
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}
/** The whole drawing: items, links and the bounding box (top-left at 0, 0). */
export interface TreeLayout {
  nodes: LaidNode[];
  links: LaidLink[];
  width: number;
  height: number;
}

interface Item {
  id: string;
  children: Item[];
  node?: TreeNode;
  failure?: TreeFailure;
  tactic?: string;
}

/** Lay out a proof tree top-down: `dx` between siblings, `dy` between depths. */
export function layoutTree(t: ProofTreeData, o: { dx?: number; dy?: number; margin?: number } = {}): TreeLayout {
  const dx = o.dx ?? 150;
  const dy = o.dy ?? 90;
  const margin = o.margin ?? 60;
  const byId = new Map(t.nodes.map((n) => [n.stateId, n]));
  const parents = spanningParents(t);
  const items = new Map<string, Item>();
  const item = (id: string): Item => {
    let it = items.get(id);
    if (!it) items.set(id, (it = { id, children: [], node: byId.get(id) }));
    return it;
  };
  const root = item(t.root);
  // Children in edge order, failed attempts after the successful ones of the same state.
  for (const e of t.edges) if (parents.get(e.to) === e) item(e.from).children.push(Object.assign(item(e.to), { tactic: e.tactic }));
  t.failed.forEach((f, i) => {
    if (f.from === t.root || parents.has(f.from)) item(f.from).children.push({ id: `failed:${i}`, children: [], failure: f, tactic: f.tactic });
  });
  const laid = d3tree<Item>().nodeSize([dx, dy])(hierarchy(root, (d) => d.children));
  const all = laid.descendants();
  const minX = Math.min(...all.map((d) => d.x));
  const maxX = Math.max(...all.map((d) => d.x));
  const pos = new Map(all.map((d) => [d.data.id, { x: d.x - minX + margin, y: d.y + margin }]));
  const nodes: LaidNode[] = all.map((d) => {
    const p = pos.get(d.data.id)!;
    if (d.data.failure) return { id: d.data.id, kind: 'failed', x: p.x, y: p.y, status: 'failed', goalCount: 0, tactic: d.data.tactic, error: d.data.failure.error };
    const n = d.data.node;
    return { id: d.data.id, kind: 'state', x: p.x, y: p.y, status: n?.status ?? 'open', goalCount: n?.goals.length ?? 0, tactic: d.data.tactic };
  });
  const links: LaidLink[] = [];
  const link = (from: string, to: string, tactic: string, kind: LaidLink['kind']) => {
    const a = pos.get(from);
    const b = pos.get(to);
    if (a && b) links.push({ from, to, tactic, kind, x1: a.x, y1: a.y, x2: b.x, y2: b.y });
  };
  for (const e of t.edges) link(e.from, e.to, e.tactic, parents.get(e.to) === e ? 'tree' : 'duplicate');
  for (const d of all) if (d.data.failure) link(d.data.failure.from, d.data.id, d.data.failure.tactic, 'failed');
  const height = Math.max(...all.map((d) => d.y)) + 2 * margin;
  return { nodes, links, width: maxX - minX + 2 * margin, height };
}

/** Arrow-key movement between states: up to the parent, down to the first child, left/right to a sibling. */
export function navigate(t: ProofTreeData, from: string, key: 'up' | 'down' | 'left' | 'right'): string {
  const parents = spanningParents(t);
  const childrenOf = (id: string) => t.edges.filter((e) => parents.get(e.to) === e && e.from === id).map((e) => e.to);
  if (key === 'up') return parents.get(from)?.from ?? from;
  if (key === 'down') return childrenOf(from)[0] ?? from;
  const parent = parents.get(from)?.from;
  if (parent === undefined) return from;
  const siblings = childrenOf(parent);
  const i = siblings.indexOf(from) + (key === 'left' ? -1 : 1);
  return siblings[Math.max(0, Math.min(siblings.length - 1, i))] ?? from;
}
