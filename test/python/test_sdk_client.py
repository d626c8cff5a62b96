"""The Python SDK (client/python) against the real server and Lean: sessions, tactics, trees,
verdicts, errors as exception classes, resuming after a lost connection, streamed checks,
and the best-first example."""

from __future__ import annotations

import asyncio
import importlib.util

import pytest

import leanenv
from leanenv import AppliedOutcome, AsyncClient, Client, FailedOutcome
from conftest import ROOT, Server

STATEMENT = "theorem two_two (x : Nat) (h : x = 2) : x + x = 4"


@pytest.fixture(scope="module")
def client(server: Server) -> Client:
    c = Client(server.url, server.token)
    c.connect()
    yield c
    c.close()


def test_session_start_apply_expand_tree_verify(client: Client) -> None:
    s = client.open_session()
    root = s.start(STATEMENT)
    assert root.status == "open" and root.goals[0].target == "x + x = 4"
    step = s.apply(root.stateId, "subst h")
    assert isinstance(step, AppliedOutcome) and step.goals[0].target == "2 + 2 = 4"
    outcomes = s.expand(step.stateId, ["omega_typo", "decide"])
    assert isinstance(outcomes[0], FailedOutcome) and isinstance(outcomes[1], AppliedOutcome)
    assert outcomes[1].status == "solved"
    tree = s.tree(root.proofId)
    assert tree.root == root.stateId and {e.tactic for e in tree.edges} == {"subst h", "decide"}
    verdict = s.verify(outcomes[1].stateId)
    assert verdict.proved and verdict.tactics == ["subst h", "decide"]
    assert s.close() is True


def test_api_errors_are_exception_classes(client: Client) -> None:
    s = client.open_session()
    with pytest.raises(leanenv.errors.UnknownState):
        s.apply("st_missing", "rfl")
    with pytest.raises(leanenv.errors.StatementError):
        s.start("theorem bad : 1 + = 2")
    with pytest.raises(leanenv.errors.InvalidParams):
        client.call("proof.apply", {"stateId": "st_x"})
    with pytest.raises(leanenv.errors.MethodNotFound):
        client.call("proof.nothing", {})


def test_sessions_resume_after_the_connection_is_lost(server: Server) -> None:
    with Client(server.url, server.token) as c:
        s = c.open_session()
        root = s.start(STATEMENT)
        c._run(c._async._ws.close())  # the connection drops under the client
        # The next call reconnects and resumes the session: its states are still usable.
        step = s.apply(root.stateId, "subst h")
        assert isinstance(step, AppliedOutcome)
        c.reconnect()
        assert s.apply(step.stateId, "decide").status == "solved"


def test_another_client_resumes_a_session_by_id(server: Server) -> None:
    with Client(server.url, server.token) as a, Client(server.url, server.token) as b:
        s = a.open_session()
        root = s.start(STATEMENT)
        resumed = b.resume_session(s.id)
        assert resumed.info.sessionId == s.id
        assert resumed.apply(root.stateId, "omega").status == "solved"
        with pytest.raises(leanenv.errors.UnknownSession):
            b.resume_session("ses_missing")


def test_async_client(server: Server) -> None:
    async def run() -> tuple[str, bool, list[str]]:
        async with AsyncClient(server.url, server.token) as c:
            s = await c.open_session()
            root = await s.start(STATEMENT)
            a, b = await asyncio.gather(s.apply(root.stateId, "subst h"), s.apply(root.stateId, "omega"))
            assert isinstance(a, AppliedOutcome) and isinstance(b, AppliedOutcome)
            v = await s.verify(b.stateId)
            verdicts = [r.verdict async for r in c.check([{"id": "a", "code": "theorem a : 1 + 1 = 2 := by decide"}])]
            return b.status, v.proved, verdicts

    assert asyncio.run(run()) == ("solved", True, ["proved"])


def test_check_streams_results_and_summary(client: Client) -> None:
    items = [
        {"id": "ok", "code": "theorem ok : 2 + 2 = 4 := by decide"},
        {"id": "bad", "code": "theorem bad : 2 + 2 = 5 := by decide"},
        leanenv.HeaderBodyItem(id="hole", header="", body="theorem hole : 1 = 1 := by sorry"),
    ]
    got = {r.id: r.verdict for r in client.check(items)}
    assert got == {"ok": "proved", "bad": "failed", "hole": "incomplete"}
    assert client.last_summary is not None and client.last_summary.total == 3
    with pytest.raises(Exception):
        list(client.check([{"id": "", "code": "x"}]))  # validated before sending


def test_batch_results_of_an_unknown_batch_raise_unknown_batch(client: Client) -> None:
    # This server runs without Redis: it stores no batch, so any id is unknown (404 unknown_batch).
    with pytest.raises(leanenv.errors.UnknownBatch) as e:
        list(client.batch_results("b_nope"))
    assert e.value.http_status == 404 and "cluster mode" in e.value.message


def test_best_first_example_finds_and_verifies_a_proof(client: Client) -> None:
    spec = importlib.util.spec_from_file_location("best_first", ROOT / "client/python/examples/best_first.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    result = mod.best_first(client.open_session(), "theorem bf (a b : Nat) (h : a = b) : b + 0 = a")
    assert result is not None and result.proved
