"""Blocking client: the asyncio client run on a private event loop in a background thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from .async_client import AsyncClient, AsyncSession
from .models import (
    CheckResult,
    CheckSummary,
    CodeItem,
    HeaderBodyItem,
    ProofTree,
    ProofVerifyResult,
    SearchTraceRecord,
    SessionInfo,
    StateView,
    TacticOutcome,
)

T = TypeVar("T")


class Session:
    """A session on the server (blocking calls)."""

    def __init__(self, client: Client, inner: AsyncSession) -> None:
        self._client = client
        self._inner = inner

    @property
    def id(self) -> str:
        return self._inner.id

    @property
    def info(self) -> SessionInfo:
        return self._inner.info

    def start(self, statement: str | None = None, *, dataset_id: str | None = None) -> StateView:
        """Start a proof from `theorem name binders : type` or a dataset item id."""
        return self._client._run(self._inner.start(statement, dataset_id=dataset_id))

    def apply(self, state_id: str, tactic: str, meta: dict[str, Any] | None = None) -> TacticOutcome:
        """Apply one tactic (or a sequence) to a proof state; `meta` is kept in the proof's traces."""
        return self._client._run(self._inner.apply(state_id, tactic, meta))

    def expand(self, state_id: str, tactics: list[str], meta: list[dict[str, Any] | None] | None = None) -> list[TacticOutcome]:
        """Apply each tactic to the same state; one outcome per tactic, in order (`meta`: one object or None per tactic)."""
        return self._client._run(self._inner.expand(state_id, tactics, meta))

    def traces(self, proof_id: str | None = None) -> list[SearchTraceRecord]:
        """Training records of one proof, or of every proof of this session."""
        return self._client._run(self._inner.traces(proof_id))

    def tree(self, proof_id: str) -> ProofTree:
        """The explored tree of a proof."""
        return self._client._run(self._inner.tree(proof_id))

    def verify(self, state_id: str, allowed_axioms: list[str] | None = None) -> ProofVerifyResult:
        """The sound verdict for a solved state."""
        return self._client._run(self._inner.verify(state_id, allowed_axioms))

    def close(self) -> bool:
        """Close the session on the server."""
        return self._client._run(self._inner.close())


class Client:
    """Same API as `AsyncClient`, blocking; usable from several threads."""

    def __init__(self, url: str = "http://127.0.0.1:8765", token: str | None = None, timeout: float = 600) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="leanenv-client", daemon=True)
        self._thread.start()
        self._async = AsyncClient(url, token, timeout)

    def _run(self, aw: Awaitable[T]) -> T:
        async def wrap() -> T:
            return await aw

        return asyncio.run_coroutine_threadsafe(wrap(), self._loop).result()

    def __enter__(self) -> Client:
        self._run(self._async.connect())
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def last_summary(self) -> CheckSummary | None:
        return self._async.last_summary

    def connect(self) -> None:
        self._run(self._async.connect())

    def reconnect(self) -> None:
        """New connection; every session this client opened is resumed."""
        self._run(self._async.reconnect())

    def close(self) -> None:
        """Close the connection and stop the background loop."""
        if self._loop.is_running():
            self._run(self._async.close())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()

    def call(self, method: str, params: dict[str, Any]) -> Any:
        """One JSON-RPC call."""
        return self._run(self._async.call(method, params))

    def open_session(self, header: str | None = None) -> Session:
        return Session(self, self._run(self._async.open_session(header)))

    def resume_session(self, session_id: str) -> Session:
        return Session(self, self._run(self._async.resume_session(session_id)))

    def check(self, items: Iterable[CodeItem | HeaderBodyItem | Mapping[str, Any]], allowed_axioms: list[str] | None = None,
              batch_id: str | None = None, trace: bool = False) -> Iterator[CheckResult]:
        """`POST /v1/check`, streamed: yields each result as it finishes (summary in `last_summary`).
        Cluster mode: with `batch_id`, `batch_results(batch_id)` on any node fetches the results again."""
        return self._iterate(self._async.check(items, allowed_axioms, batch_id, trace))

    def batch_results(self, batch_id: str) -> Iterator[CheckResult]:
        """Cluster mode, `GET /v1/check/{batchId}`: a submitted batch's results, each item once (summary in `last_summary`)."""
        return self._iterate(self._async.batch_results(batch_id))

    def session_traces(self, session_id: str, proof_id: str | None = None) -> Iterator[SearchTraceRecord]:
        """`GET /v1/sessions/{id}/traces`: a session's trace records, streamed."""
        return self._iterate(self._async.session_traces(session_id, proof_id))

    def _iterate(self, agen: AsyncIterator[Any]) -> Iterator[Any]:
        while True:
            try:
                yield self._run(agen.__anext__())
            except StopAsyncIteration:
                return
