"""Best-first proof search over the leanenv WebSocket API.

The frontier holds open proof states, scored by (number of goals, depth): the state with the
fewest goals, then the shallowest, is expanded next with every candidate tactic in one
`proof.expand` call. The server deduplicates states reached by different paths and caches
(state, tactic) results, so the loop stays simple. A real prover would replace the fixed
`CANDIDATES` by tactics sampled from a model for each state's goals.

    python best_first.py http://127.0.0.1:8765 "theorem t (a b : Nat) (h : a = b) : b + 0 = a"
"""

from __future__ import annotations

import heapq
import itertools
import sys

from leanenv import AppliedOutcome, Client, ProofVerifyResult, Session

#: A fixed tactic menu (a stand-in for a language model's proposals).
CANDIDATES = ["intro h", "subst_vars", "simp", "omega", "decide", "rfl", "constructor", "exact h"]


def best_first(session: Session, statement: str, budget: int = 20) -> ProofVerifyResult | None:
    """Search for a proof of `statement` within `budget` expansions; the verified result, or None."""
    root = session.start(statement)
    counter = itertools.count()  # tie-breaker so states are never compared
    frontier = [(len(root.goals), 0, next(counter), root.stateId)]
    seen = {root.stateId}
    for _ in range(budget):
        if not frontier:
            return None
        _, depth, _, state_id = heapq.heappop(frontier)
        for outcome in session.expand(state_id, CANDIDATES):
            if not isinstance(outcome, AppliedOutcome):
                continue  # the tactic failed; the state it was applied to is unchanged
            if outcome.status == "solved":
                verdict = session.verify(outcome.stateId)
                if verdict.proved:
                    return verdict
            elif outcome.stateId not in seen:
                seen.add(outcome.stateId)
                heapq.heappush(frontier, (len(outcome.goals), depth + 1, next(counter), outcome.stateId))
    return None


def main() -> None:
    url, statement = sys.argv[1], sys.argv[2]
    with Client(url) as client:
        session = client.open_session()
        result = best_first(session, statement)
        print(result.proofText if result else "no proof found")


if __name__ == "__main__":
    main()
