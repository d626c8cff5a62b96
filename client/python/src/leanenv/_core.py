"""What the sync and asyncio clients share: URLs, request framing, result parsing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import TypeAdapter

from .errors import LeanEnvError, from_rpc_error
from .models import CheckItem, CheckResult, CheckStreamEnd, CheckSummary, CodeItem, HeaderBodyItem

_ITEM = TypeAdapter(CheckItem)


def ws_url(base: str) -> str:
    """`ws://host:port/v1/ws` from `http://host:port`."""
    base = base.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base[len("https://"):] + "/v1/ws"
    return "ws://" + base.removeprefix("http://") + "/v1/ws"


def auth_headers(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def check_body(items: Iterable[CodeItem | HeaderBodyItem | Mapping[str, Any]], allowed_axioms: list[str] | None,
               batch_id: str | None = None, trace: bool = False) -> dict[str, Any]:
    """The `POST /v1/check` body, each item validated first."""
    parsed = [i if isinstance(i, (CodeItem, HeaderBodyItem)) else _ITEM.validate_python(dict(i)) for i in items]
    body: dict[str, Any] = {"items": [i.model_dump(exclude_none=True) for i in parsed]}
    if allowed_axioms is not None:
        body["allowedAxioms"] = allowed_axioms
    if batch_id is not None:
        body["batchId"] = batch_id
    if trace:
        body["trace"] = True
    return body


def http_error(status: int, text: str) -> LeanEnvError:
    """The exception for a refused HTTP request (`{error: {code, message}}`)."""
    try:
        err = json.loads(text).get("error", {})
    except (ValueError, AttributeError):
        err = {}
    from .errors import ERRORS

    cls = ERRORS.get(str(err.get("code")), LeanEnvError)
    e = cls(str(err.get("message") or text or f"HTTP {status}"), err)
    e.http_status = status
    return e


def parse_line(line: str) -> CheckResult | CheckSummary | None:
    """One NDJSON line of a streamed check: a result, or the final summary."""
    if not line.strip():
        return None
    obj = json.loads(line)
    if "summary" in obj:
        return CheckStreamEnd.model_validate(obj).summary
    return CheckResult.model_validate(obj)


def rpc_request(req_id: int, method: str, params: dict[str, Any]) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": req_id, "method": method, "params": params})


def rpc_result(msg: dict[str, Any]) -> Any:
    """The result of a response, or its error raised as the registry's exception."""
    if "error" in msg:
        raise from_rpc_error(msg["error"])
    return msg.get("result")
