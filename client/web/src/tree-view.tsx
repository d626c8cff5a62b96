/**
 * The proof tree drawn as SVG from the layout model: states as boxes with their goal counts,
 * tactics on the links, duplicate edges as dashed curves into the same state, failed
 * attempts dimmed. Clicking a state selects it.
 */
import type { JSX } from 'preact';
import { goalCountLabel } from './goals.js';
import type { LaidLink, TreeLayout } from './tree-model.js';

const short = (s: string, n = 22) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function linkPath(l: LaidLink): string {
  if (l.from === l.to) return `M ${l.x1 + 40} ${l.y1 - 8} c 40 -30 40 30 0 16`; // a tactic that led back to its own state
  if (l.kind === 'duplicate') {
    const mx = (l.x1 + l.x2) / 2 + 40;
    const my = (l.y1 + l.y2) / 2;
    return `M ${l.x1} ${l.y1 + 16} Q ${mx} ${my} ${l.x2} ${l.y2 - 16}`;
  }
  return `M ${l.x1} ${l.y1 + 16} C ${l.x1} ${(l.y1 + l.y2) / 2} ${l.x2} ${(l.y1 + l.y2) / 2} ${l.x2} ${l.y2 - 16}`;
}

/** Props: the layout, the selected state, and what a click on a state does. */
export interface TreeViewProps {
  layout: TreeLayout;
  selected?: string;
  root: string;
  onSelect: (stateId: string) => void;
  onKeyDown: (e: KeyboardEvent) => void;
  treeRef?: (el: HTMLDivElement | null) => void;
}

/** The tree panel (focusable: arrow keys move the selection, see the page's shortcuts). */
export function TreeView({ layout, selected, root, onSelect, onKeyDown, treeRef }: TreeViewProps): JSX.Element {
  return (
    <div class="tree" tabIndex={0} ref={treeRef} onKeyDown={onKeyDown} role="tree" aria-label="proof tree" data-testid="tree">
      <svg width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead" />
          </marker>
        </defs>
        {layout.links.map((l) => (
          <g class={`link ${l.kind}`} data-kind={l.kind} data-tactic={l.tactic} key={`${l.kind}:${l.from}:${l.to}:${l.tactic}`}>
            <path d={linkPath(l)} marker-end="url(#arrow)">
              <title>{l.tactic}</title>
            </path>
            <text x={(l.x1 + l.x2) / 2 + (l.kind === 'duplicate' ? 24 : 4)} y={(l.y1 + l.y2) / 2} class="tactic-label">
              {short(l.tactic.replace(/\s+/g, ' '))}
            </text>
          </g>
        ))}
        {layout.nodes.map((n) =>
          n.kind === 'failed' ? (
            <g class="node failed" data-testid="failed-node" data-tactic={n.tactic} key={n.id} transform={`translate(${n.x},${n.y})`}>
              <rect x={-36} y={-14} width={72} height={28} rx={6} />
              <text text-anchor="middle" dy="4">
                ✗ failed
              </text>
              <title>{`${n.tactic}\n${n.error ?? ''}`}</title>
            </g>
          ) : (
            <g
              class={`node ${n.status}${n.id === selected ? ' selected' : ''}`}
              data-state-id={n.id}
              data-testid="state-node"
              role="treeitem"
              aria-selected={n.id === selected}
              key={n.id}
              transform={`translate(${n.x},${n.y})`}
              onClick={() => onSelect(n.id)}
            >
              <rect x={-56} y={-16} width={112} height={32} rx={8} />
              <text text-anchor="middle" dy="4">
                {n.status === 'solved' ? '✓ solved' : n.id === root ? `root · ${goalCountLabel(n.goalCount)}` : goalCountLabel(n.goalCount)}
              </text>
            </g>
          ),
        )}
      </svg>
    </div>
  );
}
