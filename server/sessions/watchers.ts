/**
 * Who watches which session: listeners get every change of the session's proof trees
 * (`proof.treeChanged` deltas). A watcher is read-only and does not keep a session alive.
 */
import type { ProofTreeChanged } from '../../protocol/api.js';

/** A listener of one session's tree changes. */
export type TreeListener = (change: ProofTreeChanged) => void;

/** Listeners by session id. */
export class SessionWatchers {
  private readonly listeners = new Map<string, Set<TreeListener>>();

  /** Add a listener for a session; returns the function that removes it. */
  add(sessionId: string, listener: TreeListener): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) this.listeners.set(sessionId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(sessionId) === set) this.listeners.delete(sessionId);
    };
  }

  /** Tell every listener of the session (a throwing listener does not stop the others). */
  emit(change: ProofTreeChanged): void {
    for (const l of this.listeners.get(change.sessionId) ?? []) {
      try {
        l(change);
      } catch {
        /* a listener's failure (e.g. a closed socket) is its own business */
      }
    }
  }

  /** Forget a closed session's listeners. */
  drop(sessionId: string): void {
    this.listeners.delete(sessionId);
  }

  /** How many listeners a session has. */
  count(sessionId: string): number {
    return this.listeners.get(sessionId)?.size ?? 0;
  }
}
