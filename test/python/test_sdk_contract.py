"""The SDK's pydantic models and error classes against the TypeScript contract (protocol/*.ts).

`export-schemas.ts` prints the zod schemas as JSON Schemas; each pydantic model's schema must
have the same fields, the same required fields, the same JSON types and the same enum values,
recursively, and the error registry the same codes, JSON-RPC codes and HTTP statuses. No
server is needed.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from pydantic import BaseModel

import leanenv
from leanenv import models
from conftest import ROOT


@pytest.fixture(scope="module")
def contract() -> dict[str, Any]:
    out = subprocess.run([str(ROOT / "node_modules/.bin/tsx"), "test/python/export-schemas.ts"], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout)


def _resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = defs[node["$ref"].split("/")[-1]]
    return node


def _branches(node: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """Union branches without the `null` one (optional and nullable are both `None` in Python)."""
    node = _resolve(node, defs)
    alts = node.get("anyOf") or node.get("oneOf")
    if alts is None:
        return [node]
    return [b for a in alts for b in _branches(a, defs) if b.get("type") != "null"]


def shape(node: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A comparable summary of a schema: types, fields, required fields, enum values."""
    branches = _branches(node, defs)
    if len(branches) != 1:
        return ("union", sorted((shape(b, defs) for b in branches), key=repr))
    n = branches[0]
    if n.get("type") == "object":
        props = n.get("properties", {})
        return ("object", tuple(sorted((k, shape(v, defs)) for k, v in props.items())), tuple(sorted(n.get("required", []))))
    if n.get("type") == "array":
        return ("array", shape(n.get("items", {}), defs))
    values = n.get("enum") or ([n["const"]] if "const" in n else None)
    return (n.get("type", "any"), tuple(sorted(values)) if values else None)


def _pydantic(model: Any) -> Any:
    from pydantic import TypeAdapter

    schema = model.model_json_schema(by_alias=True) if isinstance(model, type) and issubclass(model, BaseModel) else TypeAdapter(model).json_schema(by_alias=True)
    return shape(schema, schema.get("$defs", {}))


PAIRS = {
    "Position": models.Position,
    "LeanMessage": models.LeanMessage,
    "Hypothesis": models.Hypothesis,
    "Goal": models.Goal,
    "SessionInfo": models.SessionInfo,
    "StateView": models.StateView,
    "TacticOutcome": models.TacticOutcome,
    "ProofExpandResult": models.ProofExpandResult,
    "ProofTree": models.ProofTree,
    "ProofVerifyResult": models.ProofVerifyResult,
    "CheckItem": models.CheckItem,
    "CheckResult": models.CheckResult,
    "CheckSummary": models.CheckSummary,
    "CheckStreamEnd": models.CheckStreamEnd,
    "TracedTactic": models.TracedTactic,
    "SearchTraceRecord": models.SearchTraceRecord,
    "ProofTracesResult": models.ProofTracesResult,
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_model_matches_the_zod_schema(contract: dict[str, Any], name: str) -> None:
    ts = contract["schemas"][name]
    assert _pydantic(PAIRS[name]) == shape(ts, ts.get("$defs", {}))


def test_every_exported_schema_has_a_model(contract: dict[str, Any]) -> None:
    assert set(contract["schemas"]) == set(PAIRS)


def test_trace_parquet_columns_match(contract: dict[str, Any]) -> None:
    assert list(models.TRACE_PARQUET_COLUMNS) == contract["traceParquetColumns"]


def test_error_registry_matches(contract: dict[str, Any]) -> None:
    ts = {e["code"]: (e["rpcCode"], e["httpStatus"]) for e in contract["errors"].values()}
    py = {code: (cls.rpc_code, cls.http_status) for code, cls in leanenv.ERRORS.items()}
    assert py == ts
    for name, e in contract["errors"].items():
        assert getattr(leanenv.errors, name).code == e["code"]


def test_an_error_answer_raises_its_class() -> None:
    e = leanenv.errors.from_rpc_error({"code": -32002, "message": "unknown proof state st_x", "data": {"code": "unknown_state"}})
    assert isinstance(e, leanenv.errors.UnknownState) and e.message == "unknown proof state st_x"
