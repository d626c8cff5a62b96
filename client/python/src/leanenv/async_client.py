"""asyncio client: WebSocket proof sessions and streamed batch checks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Any

import httpx
from pydantic import TypeAdapter
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from . import _core
from .errors import ConnectionLost
from .models import (
    AppliedOutcome,
    CheckResult,
    CheckSummary,
    CodeItem,
    FailedOutcome,
    HeaderBodyItem,
    ProofExpandResult,
    ProofTracesResult,
    ProofTree,
    ProofVerifyResult,
    SearchTraceRecord,
    SessionInfo,
    StateView,
    TacticOutcome,
)

_OUTCOME: TypeAdapter[AppliedOutcome | FailedOutcome] = TypeAdapter(TacticOutcome)


class AsyncSession:
    """A session on the server: a header and the proofs started in it."""

    def __init__(self, client: AsyncClient, info: SessionInfo) -> None:
        self.client = client
        self.info = info

    @property
    def id(self) -> str:
        return self.info.sessionId

    async def start(self, statement: str | None = None, *, dataset_id: str | None = None) -> StateView:
        """Start a proof from `theorem name binders : type` or a dataset item id."""
        params: dict[str, Any] = {"sessionId": self.id}
        if statement is not None:
            params["statement"] = statement
        if dataset_id is not None:
            params["datasetId"] = dataset_id
        return StateView.model_validate(await self.client.call("proof.start", params))

    async def apply(self, state_id: str, tactic: str, meta: dict[str, Any] | None = None) -> TacticOutcome:
        """Apply one tactic (or a sequence) to a proof state; `meta` (a JSON object) is kept in the proof's traces."""
        params: dict[str, Any] = {"stateId": state_id, "tactic": tactic}
        if meta is not None:
            params["meta"] = meta
        return _OUTCOME.validate_python(await self.client.call("proof.apply", params))

    async def expand(self, state_id: str, tactics: list[str], meta: list[dict[str, Any] | None] | None = None) -> list[TacticOutcome]:
        """Apply each tactic to the same state; one outcome per tactic, in order. `meta`: one object (or None) per tactic."""
        params: dict[str, Any] = {"stateId": state_id, "tactics": tactics}
        if meta is not None:
            params["meta"] = meta
        r = await self.client.call("proof.expand", params)
        return ProofExpandResult.model_validate(r).outcomes

    async def traces(self, proof_id: str | None = None) -> list[SearchTraceRecord]:
        """Training records (one per edge and failed attempt) of one proof, or of every proof of this session."""
        params = {"proofId": proof_id} if proof_id is not None else {"sessionId": self.id}
        return ProofTracesResult.model_validate(await self.client.call("proof.traces", params)).records

    async def tree(self, proof_id: str) -> ProofTree:
        """The explored tree of a proof."""
        return ProofTree.model_validate(await self.client.call("proof.tree", {"proofId": proof_id}))

    async def verify(self, state_id: str, allowed_axioms: list[str] | None = None) -> ProofVerifyResult:
        """The sound verdict for a solved state (the proof text is re-checked from the header)."""
        params: dict[str, Any] = {"stateId": state_id}
        if allowed_axioms is not None:
            params["allowedAxioms"] = allowed_axioms
        return ProofVerifyResult.model_validate(await self.client.call("proof.verify", params))

    async def close(self) -> bool:
        """Close the session on the server."""
        self.client._sessions.pop(self.id, None)
        return bool((await self.client.call("session.close", {"sessionId": self.id}))["closed"])


class AsyncClient:
    """Connects lazily; after a lost connection the next call reconnects and resumes the sessions."""

    def __init__(self, url: str = "http://127.0.0.1:8765", token: str | None = None, timeout: float = 600) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 1
        self._sessions: dict[str, AsyncSession] = {}
        self._lock = asyncio.Lock()
        #: The summary line of the last finished `check()`.
        self.last_summary: CheckSummary | None = None

    async def __aenter__(self) -> AsyncClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._reader is not None and not self._reader.done()

    async def connect(self) -> None:
        """Open the WebSocket (no-op when open)."""
        async with self._lock:
            if self.connected:
                return
            self._ws = await connect(_core.ws_url(self.url), additional_headers=_core.auth_headers(self.token), max_size=64 << 20)
            self._reader = asyncio.create_task(self._read(self._ws))

    async def reconnect(self) -> None:
        """Open a new connection and resume every session this client opened (`session.resume`)."""
        await self.close(keep_sessions=True)
        await self.connect()
        for s in list(self._sessions.values()):
            s.info = SessionInfo.model_validate(await self._send("session.resume", {"sessionId": s.id}))

    async def close(self, keep_sessions: bool = False) -> None:
        """Close the connection (the server keeps the sessions for their TTL)."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        self._ws = self._reader = None
        if not keep_sessions:
            self._sessions.clear()

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                msg = json.loads(raw)
                req_id = msg.get("id") if isinstance(msg, dict) else None
                fut = self._pending.pop(req_id, None) if isinstance(req_id, int) else None
                if fut is not None and not fut.done():
                    fut.set_result(msg)
        except ConnectionClosed:
            pass
        finally:
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(ConnectionLost("the connection closed before the answer came"))
            self._pending.clear()

    async def _send(self, method: str, params: dict[str, Any]) -> Any:
        assert self._ws is not None
        req_id = self._next_id
        self._next_id += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = fut
        try:
            await self._ws.send(_core.rpc_request(req_id, method, params))
        except ConnectionClosed as e:
            self._pending.pop(req_id, None)
            raise ConnectionLost(str(e)) from e
        return _core.rpc_result(await asyncio.wait_for(fut, self.timeout))

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """One JSON-RPC call; errors raise the registry's exception classes."""
        if not self.connected:
            await self.reconnect() if self._sessions else await self.connect()
        return await self._send(method, params)

    async def open_session(self, header: str | None = None) -> AsyncSession:
        """Open a session with a header (imports, `open`, notation) for its proofs."""
        info = SessionInfo.model_validate(await self.call("session.open", {} if header is None else {"header": header}))
        self._sessions[info.sessionId] = s = AsyncSession(self, info)
        return s

    async def resume_session(self, session_id: str) -> AsyncSession:
        """Reattach to a session opened on another connection (within its TTL)."""
        info = SessionInfo.model_validate(await self.call("session.resume", {"sessionId": session_id}))
        self._sessions[info.sessionId] = s = AsyncSession(self, info)
        return s

    async def check(
        self, items: Iterable[CodeItem | HeaderBodyItem | Mapping[str, Any]], allowed_axioms: list[str] | None = None,
        batch_id: str | None = None, trace: bool = False,
    ) -> AsyncIterator[CheckResult]:
        """`POST /v1/check`, streamed: yields each result as the server finishes it (summary in `last_summary`).

        Cluster mode: with `batch_id` (an idempotency key) the results can be fetched again from any node
        with `batch_results(batch_id)` if this connection, or the node holding it, is lost. With `trace`, each
        result carries its tactics with their goals before and after (`CheckResult.trace`; one node only).
        """
        body = _core.check_body(items, allowed_axioms, batch_id, trace)
        async for r in self._stream("POST", f"{self.url}/v1/check?stream=true", body):
            yield r

    async def batch_results(self, batch_id: str) -> AsyncIterator[CheckResult]:
        """Cluster mode, `GET /v1/check/{batchId}`: a submitted batch's results from this node, each item once
        (those recorded already, then the rest as they finish); the summary in `last_summary`.
        Raises `UnknownBatch` if no such batch is stored (never submitted, or expired after an hour)."""
        async for r in self._stream("GET", f"{self.url}/v1/check/{batch_id}", None):
            yield r

    async def session_traces(self, session_id: str, proof_id: str | None = None) -> AsyncIterator[SearchTraceRecord]:
        """`GET /v1/sessions/{id}/traces`: a session's trace records (of one proof with `proof_id`), streamed."""
        url = f"{self.url}/v1/sessions/{session_id}/traces"
        async with httpx.AsyncClient(timeout=httpx.Timeout(self.timeout), headers=_core.auth_headers(self.token)) as http:
            async with http.stream("GET", url, params={"proofId": proof_id} if proof_id else None) as r:
                if r.status_code != 200:
                    raise _core.http_error(r.status_code, (await r.aread()).decode())
                async for line in r.aiter_lines():
                    if line.strip():
                        yield SearchTraceRecord.model_validate_json(line)

    async def _stream(self, method: str, url: str, body: dict[str, Any] | None) -> AsyncIterator[CheckResult]:
        """An NDJSON answer: each result, the closing summary into `last_summary`."""
        async with httpx.AsyncClient(timeout=httpx.Timeout(self.timeout), headers=_core.auth_headers(self.token)) as http:
            async with http.stream(method, url, json=body) as r:
                if r.status_code != 200:
                    raise _core.http_error(r.status_code, (await r.aread()).decode())
                async for line in r.aiter_lines():
                    parsed = _core.parse_line(line)
                    if isinstance(parsed, CheckSummary):
                        self.last_summary = parsed
                    elif parsed is not None:
                        yield parsed
