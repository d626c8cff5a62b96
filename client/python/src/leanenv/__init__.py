"""leanenv: Python client for the leanenv Lean 4 server (WebSocket sessions, batch checking)."""

from .async_client import AsyncClient, AsyncSession
from .client import Client, Session
from .errors import *  # noqa: F403
from .errors import ERRORS, ConnectionLost, LeanEnvError
from .models import (
    AppliedOutcome,
    CheckResult,
    CheckStreamEnd,
    CheckSummary,
    CodeItem,
    FailedOutcome,
    Goal,
    HeaderBodyItem,
    LeanMessage,
    ProofTree,
    ProofVerifyResult,
    SearchTraceRecord,
    SessionInfo,
    StateView,
    TacticOutcome,
    TracedTactic,
    TRACE_PARQUET_COLUMNS,
)

__all__ = [
    "AppliedOutcome", "AsyncClient", "AsyncSession", "CheckResult", "CheckStreamEnd", "CheckSummary", "Client", "CodeItem",
    "ConnectionLost", "ERRORS", "FailedOutcome", "Goal", "HeaderBodyItem", "LeanEnvError", "LeanMessage",
    "ProofTree", "ProofVerifyResult", "SearchTraceRecord", "Session", "TRACE_PARQUET_COLUMNS", "SessionInfo", "StateView", "TacticOutcome", "TracedTactic",
]
