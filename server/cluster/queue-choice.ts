/**
 * Header affinity across nodes: in which order a node's free worker slot tries the queues.
 * Items of a hot header wait in that header's own queue (`check-h-<hash>`), the rest in the
 * general queue. A node tries first the header queues it ran lately (their header is
 * imported in its pool), then the general queue, then every other header queue that has
 * items waiting: first those no node is running (no active job), the fullest first (ties
 * broken per node, so two idle nodes pick different headers), then the ones other nodes
 * are running (stealing, so no worker idles while items wait). Nothing starves: every queue with items is tried by every free slot, and after
 * `fairnessEvery` items in a row from its own header queues a node looks at the general
 * queue first once.
 */
import { createHash } from 'node:crypto';

/** What the choice needs to know. */
export interface QueueChoiceInput {
  /** Header queues this node ran lately, most recent first. */
  held: readonly string[];
  general: string;
  /** Whether the general queue goes first this time (affinity off, or the fairness turn). */
  generalFirst: boolean;
}

/** The queues tried before the others: the node's own header queues and the general one. */
export function firstQueues(c: QueueChoiceInput): string[] {
  return c.generalFirst ? [c.general, ...c.held] : [...c.held, c.general];
}

/** A per-node order among equals (so idle nodes spread over different headers). */
function tieBreak(nodeId: string, queue: string): number {
  return parseInt(createHash('sha256').update(`${nodeId}\0${queue}`).digest('hex').slice(0, 8), 16);
}

/** A header queue's counts: items waiting, items running on some node. */
export interface QueueLoad {
  queue: string;
  waiting: number;
  active: number;
}

/** The other header queues with items waiting: the ones nobody runs first, then the fullest first. */
export function otherQueues(loads: readonly QueueLoad[], nodeId: string): string[] {
  return loads
    .filter((l) => l.waiting > 0)
    .map((l) => ({ ...l, taken: l.active > 0 ? 1 : 0, t: tieBreak(nodeId, l.queue) }))
    .sort((a, b) => a.taken - b.taken || b.waiting - a.waiting || a.t - b.t)
    .map((x) => x.queue);
}
