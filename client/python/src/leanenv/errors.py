"""The API's error registry (`ApiErrors` in protocol/api.ts) as exception classes."""

from __future__ import annotations

from typing import Any


class LeanEnvError(Exception):
    """An error answer of the server: registry `code`, JSON-RPC `rpc_code`, HTTP status, `data`."""

    code: str = "unknown"
    rpc_code: int = 0
    http_status: int = 500

    def __init__(self, message: str, data: dict[str, Any] | None = None, rpc_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.data = data or {}
        if rpc_code is not None:
            self.rpc_code = rpc_code


def _error(name: str, code: str, rpc_code: int, http_status: int) -> type[LeanEnvError]:
    return type(name, (LeanEnvError,), {"code": code, "rpc_code": rpc_code, "http_status": http_status, "__doc__": f"`{code}` ({rpc_code}, HTTP {http_status})."})


ParseError = _error("ParseError", "parse_error", -32700, 400)
InvalidRequest = _error("InvalidRequest", "invalid_request", -32600, 400)
MessageTooLarge = _error("MessageTooLarge", "message_too_large", -32600, 413)
MethodNotFound = _error("MethodNotFound", "method_not_found", -32601, 404)
InvalidParams = _error("InvalidParams", "invalid_params", -32602, 400)
Internal = _error("Internal", "internal", -32603, 500)
UnknownSession = _error("UnknownSession", "unknown_session", -32001, 404)
UnknownState = _error("UnknownState", "unknown_state", -32002, 404)
UnknownProof = _error("UnknownProof", "unknown_proof", -32003, 404)
UnknownDatasetItem = _error("UnknownDatasetItem", "unknown_dataset_item", -32004, 404)
StatementError = _error("StatementError", "statement_error", -32005, 422)
HeaderError = _error("HeaderError", "header_error", -32006, 422)
WorkerTimeout = _error("WorkerTimeout", "worker_timeout", -32010, 504)
WorkerUnavailable = _error("WorkerUnavailable", "worker_unavailable", -32011, 503)
Overloaded = _error("Overloaded", "overloaded", -32012, 503)
ShuttingDown = _error("ShuttingDown", "shutting_down", -32013, 503)
ClusterUnavailable = _error("ClusterUnavailable", "cluster_unavailable", -32014, 503)
UnknownBatch = _error("UnknownBatch", "unknown_batch", -32015, 404)
WorkerTampered = _error("WorkerTampered", "worker_tampered", -32016, 503)
RateLimited = _error("RateLimited", "rate_limited", -32029, 429)
Unauthorized = _error("Unauthorized", "unauthorized", -32030, 401)
Forbidden = _error("Forbidden", "forbidden", -32031, 403)
NotFound = _error("NotFound", "not_found", -32032, 404)
UnsupportedMediaType = _error("UnsupportedMediaType", "unsupported_media_type", -32033, 415)

#: Every registry entry by its string code.
ERRORS: dict[str, type[LeanEnvError]] = {
    cls.code: cls
    for cls in (ParseError, InvalidRequest, MessageTooLarge, MethodNotFound, InvalidParams, Internal, UnknownSession,
                UnknownState, UnknownProof, UnknownDatasetItem, StatementError, HeaderError, WorkerTimeout,
                WorkerUnavailable, Overloaded, ShuttingDown, ClusterUnavailable, UnknownBatch, WorkerTampered, RateLimited,
                Unauthorized, Forbidden,
                NotFound, UnsupportedMediaType)
}
_BY_RPC = {cls.rpc_code: cls for cls in ERRORS.values() if cls.code != "message_too_large"}


def from_rpc_error(err: dict[str, Any]) -> LeanEnvError:
    """The exception for a JSON-RPC error object `{code, message, data: {code}}`."""
    data = err.get("data") if isinstance(err.get("data"), dict) else {}
    assert isinstance(data, dict)
    cls = ERRORS.get(str(data.get("code"))) or _BY_RPC.get(int(err.get("code", 0))) or LeanEnvError
    return cls(str(err.get("message", "")), data, int(err.get("code", 0)))


class ConnectionLost(LeanEnvError):
    """The WebSocket closed before the answer came; `reconnect()` resumes the sessions."""

    code = "connection_lost"
