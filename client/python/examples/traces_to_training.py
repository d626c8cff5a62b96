"""Turn a search-traces file into training data (docs/traces.md).

Reads what `leanenv prove --traces FILE` (or `proof.traces`, or `GET /v1/sessions/{id}/traces`)
wrote — JSONL, or Parquet for a `.parquet` name (needs pandas and pyarrow) — and makes:

- policy pairs `(state, tactic)`: the edges on verified proofs (expert iteration's data);
- critic labels `(state, solved?)`: every state a tactic was tried on, labelled 1 when it lies
  on a verified proof, else 0 (states whose search never reached a verified proof).

    python traces_to_training.py traces.parquet pairs.jsonl critic.jsonl
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any


def read_traces(path: str) -> Iterator[dict[str, Any]]:
    """The records of a traces file (in Parquet, goals and meta are JSON text: decoded here)."""
    if path.endswith(".parquet"):
        import pandas as pd

        for rec in pd.read_parquet(path).to_dict("records"):
            rec = {k: None if v is None or (isinstance(v, float) and v != v) else v for k, v in rec.items()}  # nulls read as NaN
            for key in ("parentGoals", "childGoals", "meta"):
                rec[key] = None if rec[key] is None else json.loads(rec[key])
            yield rec
    else:
        with open(path, encoding="utf-8") as f:
            yield from (json.loads(line) for line in f if line.strip())


def training_data(records: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Policy pairs from the verified paths, and one critic label per distinct (statement, state)."""
    pairs = [{"state": r["parentGoalsPretty"], "tactic": r["tactic"]} for r in records if r["onVerifiedProof"]]
    labels: dict[tuple[str, str], int] = {}
    for r in records:
        key = (r["statement"], r["parentGoalsPretty"])
        labels[key] = max(labels.get(key, 0), int(r["onVerifiedProof"]))
    critic = [{"state": state, "solved": solved} for (_, state), solved in labels.items()]
    return pairs, critic


def main(argv: list[str]) -> None:
    src, pairs_out, critic_out = argv
    pairs, critic = training_data(list(read_traces(src)))
    for out, rows in ((pairs_out, pairs), (critic_out, critic)):
        with open(out, "w", encoding="utf-8") as f:
            f.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    print(f"{len(pairs)} (state, tactic) pairs, {len(critic)} critic labels ({sum(c['solved'] for c in critic)} solved)")


if __name__ == "__main__":
    main(sys.argv[1:])
