"""Traces from Python: the SDK's `traces()` / `session_traces()` with `meta`, `check(trace=True)`, and a
`leanenv prove --traces FILE.parquet` file loaded by pandas with the documented columns and
types, turned into training data by the example (client/python/examples/traces_to_training.py).
"""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess

import pandas as pd
import pytest

import leanenv
from leanenv import Client
from conftest import ROOT, Server


@pytest.fixture(scope="module")
def client(server: Server) -> Client:
    c = Client(server.url, token=server.token)
    yield c
    c.close()


def test_sdk_traces_keep_meta_and_match_the_http_stream(client: Client) -> None:
    s = client.open_session()
    root = s.start("theorem tr (a : Nat) (h : a = 2) : a + 0 = 2")
    outs = s.expand(root.stateId, ["simp", "bogus_tactic", "omega"], meta=[{"logProb": -0.3}, None, {"logProb": -1.0}])
    assert [o.status for o in outs] == ["open", "failed", "solved"]
    records = s.traces(root.proofId)
    assert [(r.tactic, r.outcome, r.meta) for r in records] == [
        ("simp", "open", {"logProb": -0.3}), ("omega", "solved", {"logProb": -1.0}), ("bogus_tactic", "failed", None)]
    assert all(r.schemaVersion == 1 and r.parentGoalsPretty.endswith("⊢ a + 0 = 2") for r in records)
    assert list(client.session_traces(s.id)) == s.traces()
    with pytest.raises(leanenv.errors.InvalidParams):
        s.apply(root.stateId, "simp", meta={"x": "a" * 5000})
    s.close()


def test_prove_traces_parquet_loads_in_pandas_and_becomes_training_data(server: Server, tmp_path: pathlib.Path) -> None:
    out = tmp_path / "traces.parquet"
    subprocess.run([str(ROOT / "node_modules/.bin/tsx"), "client/cli/main.ts", "prove", "mathd_numbertheory_254", "amc12b_2002_p2",
                    "--budget", "2", "--json", "--traces", str(out), "--server", server.url, "--token", server.token],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    df = pd.read_parquet(out)
    assert tuple(df.columns) == leanenv.TRACE_PARQUET_COLUMNS
    assert len(df) > 0 and set(df["kind"]) <= {"edge", "failed"} and set(df["outcome"]) <= {"open", "solved", "failed"}
    assert str(df["depth"].dtype) == "int32" and str(df["duplicate"].dtype) == "bool" and str(df["leanTimeMs"].dtype) == "float64"
    assert (df["schemaVersion"] == 1).all()
    spec = importlib.util.spec_from_file_location("traces_to_training", ROOT / "client/python/examples/traces_to_training.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    records = list(mod.read_traces(str(out)))
    # Nested fields are JSON text; every record validates against the SDK's model once decoded.
    for rec in records:
        leanenv.SearchTraceRecord.model_validate(rec)
    pairs, critic = mod.training_data(records)
    assert len(pairs) == int(df["onVerifiedProof"].sum()) and len(pairs) >= 2  # both statements are proved
    assert {c["solved"] for c in critic} <= {0, 1} and sum(c["solved"] for c in critic) >= 2


def test_check_with_trace_returns_each_tactic_with_its_goals(client: Client) -> None:
    body = "theorem ct (p q : Prop) (hp : p) (hq : q) : p ∧ q := by\n  constructor\n  exact hp\n  exact hq\n"
    [r] = list(client.check([leanenv.HeaderBodyItem(id="ct", header="", body=body)], trace=True))
    assert r.verdict == "proved" and r.trace is not None
    assert [(t.tactic, len(t.goalsBefore), len(t.goalsAfter)) for t in r.trace] == [("constructor", 1, 2), ("exact hp", 2, 1), ("exact hq", 1, 0)]
