"""Pydantic models of the leanenv API (mirrors `protocol/*.ts`; a test keeps them in step)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Position(_Model):
    line: int
    column: int


class LeanMessage(_Model):
    severity: Literal["error", "warning", "info"]
    pos: Position
    endPos: Position | None
    data: str


class Hypothesis(_Model):
    name: str
    type: str
    value: str | None


class Goal(_Model):
    caseName: str | None
    hyps: list[Hypothesis]
    target: str
    pretty: str


class SessionInfo(_Model):
    sessionId: str
    header: str
    ttlMs: float


class StateView(_Model):
    stateId: str
    proofId: str
    status: Literal["open", "solved"]
    goals: list[Goal]
    depth: int


class AppliedOutcome(_Model):
    """A tactic that ran: the state it leads to (`open` or `solved`)."""

    status: Literal["open", "solved"]
    tactic: str
    stateId: str
    goals: list[Goal]
    duplicate: bool
    cached: bool
    messages: list[LeanMessage]


class FailedOutcome(_Model):
    """A tactic that failed; the state it was applied to is unchanged."""

    status: Literal["failed"]
    tactic: str
    error: str
    messages: list[LeanMessage]
    cached: bool


TacticOutcome = Annotated[Union[AppliedOutcome, FailedOutcome], Field(discriminator="status")]


class ProofExpandResult(_Model):
    outcomes: list[TacticOutcome]


class TreeNode(_Model):
    stateId: str
    status: Literal["open", "solved"]
    goals: list[str]
    depth: int


class TreeEdge(_Model):
    from_: str = Field(alias="from")
    to: str
    tactic: str

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class FailedAttempt(_Model):
    """A tactic that failed on a state (kept in the tree)."""

    from_: str = Field(alias="from")
    tactic: str
    error: str

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ProofTree(_Model):
    proofId: str
    statement: str
    root: str
    nodes: list[TreeNode]
    edges: list[TreeEdge]
    failed: list[FailedAttempt]


class ProofVerifyResult(_Model):
    proved: bool
    reason: str | None = None
    axioms: list[str]
    tactics: list[str]
    proofText: str


class CodeItem(_Model):
    """A check item: a whole file (imports are split off as its header)."""

    id: str = Field(min_length=1)
    code: str
    reference: str | None = None


class HeaderBodyItem(_Model):
    """A check item: a header and a body."""

    id: str = Field(min_length=1)
    header: str
    body: str
    reference: str | None = None


CheckItem = Union[CodeItem, HeaderBodyItem]

Verdict = Literal["proved", "failed", "incomplete", "timeout", "error"]


class TracedTactic(_Model):
    """One tactic of a checked proof (`check(..., trace=True)`): text, range, goals before and after."""

    tactic: str
    kind: str | None
    decl: str | None
    pos: Position
    endPos: Position
    goalsBefore: list[Goal]
    goalsAfter: list[Goal]
    usedConstants: list[str]
    error: str | None = None


class CheckResult(_Model):
    id: str
    verdict: Verdict
    reason: str | None = None
    messages: list[LeanMessage]
    axioms: list[str]
    elapsedMs: float
    trace: list[TracedTactic] | None = None


class CheckSummary(_Model):
    total: int
    proved: int
    failed: int
    incomplete: int
    timeout: int
    error: int
    retried: int | None = None


class CheckStreamEnd(_Model):
    """The last NDJSON line of a streamed batch: the counts and, in cluster mode, the batch id."""

    summary: CheckSummary
    batchId: str | None = None


#: The trace schema's version (a JSON number, as the contract has it).
SchemaVersion = Annotated[Literal[1], WithJsonSchema({"const": 1, "type": "number"})]


class SearchTraceRecord(_Model):
    """One edge or failed attempt of a search tree (`protocol/traces.ts`, docs/traces.md)."""

    schemaVersion: SchemaVersion
    kind: Literal["edge", "failed"]
    sessionId: str
    proofId: str
    statement: str
    datasetId: str | None
    parentId: str
    depth: int
    parentGoals: list[Goal]
    parentGoalsPretty: str
    tactic: str
    outcome: Literal["open", "solved", "failed"]
    error: str | None
    childId: str | None
    childGoals: list[Goal] | None
    childGoalsPretty: str | None
    duplicate: bool
    onVerifiedProof: bool
    leanTimeMs: float | None
    meta: dict[str, Any] | None


class ProofTracesResult(_Model):
    schemaVersion: SchemaVersion
    records: list[SearchTraceRecord]


TRACE_PARQUET_COLUMNS: tuple[str, ...] = tuple(SearchTraceRecord.model_fields)
"""The columns of a Parquet trace file, in order (nested fields as JSON text)."""
