/** Where each proof state of a worker came from: its start statement, or its parent and the tactic applied. */
type Origin = { statement: string } | { parent: number; tactic: string };

/** The lineage of a worker's proof states, for rendering a solved state's whole proof text. */
export class ProofLineage {
  private readonly origins = new Map<number, Origin>();

  /** A proof state started from `statement`. */
  started(proofState: number, statement: string): void {
    this.origins.set(proofState, { statement });
  }

  /** `child` reached from `parent` by `tactic`. */
  stepped(child: number, parent: number, tactic: string): void {
    this.origins.set(child, { parent, tactic });
  }

  /** Forget dropped states. */
  forget(proofStates: readonly number[]): void {
    for (const id of proofStates) this.origins.delete(id);
  }

  /** The start statement (if known) and the tactics that led from it to `proofState`. */
  path(proofState: number): { statement?: string; tactics: string[] } {
    const tactics: string[] = [];
    for (let at = this.origins.get(proofState); at; ) {
      if ('statement' in at) return { statement: at.statement, tactics: tactics.reverse() };
      tactics.push(at.tactic);
      at = this.origins.get(at.parent);
    }
    return { tactics: tactics.reverse() };
  }
}
