"""The Lean REPL's JSON protocol (leanprover-community/repl) on both transports.

Each `repl-transcripts/NAME.in` holds commands as the REPL's own test folder writes them
(blank-line separated), `NAME.expected.out` the replies (message texts as Lean 4.28 prints
them); they are our own, written from the REPL's README and protocol description, one per
feature (`numbering`, `line_breaks`, `pickle`, `errors`, `file_mode`, `discard`, …). Every reply is compared field by field, `env` and
`proofState` numbers exactly; an expected string ending in `…` is a prefix. Each runs over the
WebSocket (`/v1/repl`) and over stdin/stdout (`leanenv repl`).
"""

from __future__ import annotations

import json
import pathlib
import subprocess
from typing import Any

import pytest
from websockets.sync.client import connect

from conftest import ROOT, Server

HERE = pathlib.Path(__file__).parent / "repl-transcripts"
NAMES = sorted(p.name.removesuffix(".in") for p in HERE.glob("*.in"))


def blocks(text: str) -> list[str]:
    """Blank-line separated blocks, as the REPL reads its input."""
    out, cur = [], []
    for line in text.splitlines():
        if line.strip():
            cur.append(line)
        elif cur:
            out.append("\n".join(cur))
            cur = []
    if cur:
        out.append("\n".join(cur))
    return out


def queries(name: str) -> list[str]:
    return [q for q in blocks((HERE / f"{name}.in").read_text()) if not q.startswith(("#", "--"))]


def compare(expected: Any, actual: Any, where: str = "") -> None:
    """Field by field; `env` and `proofState` numbers exactly as the REPL assigns them."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), f"{where}: keys {actual!r} vs {sorted(expected)}"
        for k, v in expected.items():
            compare(v, actual[k], f"{where}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual!r} vs {expected!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            compare(e, a, f"{where}[{i}]")
    elif isinstance(expected, str) and expected.endswith("…"):
        assert isinstance(actual, str) and actual.startswith(expected[:-1]), f"{where}: {actual!r} vs {expected!r}"
    else:
        assert actual == expected, f"{where}: {actual!r} vs {expected!r}"


def expected_replies(name: str) -> list[Any]:
    return [json.loads(b) for b in blocks((HERE / f"{name}.expected.out").read_text())]


def replay(name: str, send: Any) -> None:
    expected = expected_replies(name)
    qs = queries(name)
    assert len(qs) == len(expected)
    for i, (q, e) in enumerate(zip(qs, expected)):
        compare(e, send(q), f"{name} reply {i + 1}")


def leanenv_repl(server: Server) -> list[str]:
    """The command line of `leanenv repl` on the test server."""
    return [str(ROOT / "node_modules/.bin/tsx"), "client/cli/main.ts", "repl", "--server", server.url, "--token", server.token]


@pytest.mark.parametrize("name", NAMES)
def test_websocket_transcript(server: Server, name: str) -> None:
    url = server.url.replace("http://", "ws://") + "/v1/repl"
    with connect(url, additional_headers=server.headers) as ws:
        def send(q: str) -> Any:
            ws.send(q)
            return json.loads(ws.recv(timeout=600))

        replay(name, send)


def test_stdio_transcripts_through_leanenv_repl(server: Server) -> None:
    """`leanenv repl --server URL` reads stdin like `lake exe repl` and writes replies with blank lines."""
    for name in NAMES:
        # One process per transcript: a process is a session, so ids start from 0 again.
        out = subprocess.run(leanenv_repl(server), cwd=ROOT, input=(HERE / f"{name}.in").read_text(),
                             capture_output=True, text=True, timeout=900, check=True)
        replies = [json.loads(b) for b in blocks(out.stdout)]
        expected = expected_replies(name)
        assert len(replies) == len(expected), name
        for i, (e, a) in enumerate(zip(expected, replies)):
            compare(e, a, f"{name} (stdio) reply {i + 1}")


def test_subprocess_harness_reads_each_reply_before_sending_the_next(server: Server) -> None:
    """As prover harnesses drive `lake exe repl`: write one command and a blank line, read lines up
    to the blank line that ends the reply, decide the next command from it (the process stays open)."""
    proc = subprocess.Popen(leanenv_repl(server), cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None

    def ask(command: dict[str, Any]) -> Any:
        proc.stdin.write(json.dumps(command, ensure_ascii=False) + "\n\n")
        proc.stdin.flush()
        lines = []
        while (line := proc.stdout.readline()).strip():
            lines.append(line)
        return json.loads("".join(lines))

    try:
        first = ask({"cmd": "theorem h (a b : Nat) (h : a = b) : b = a := by\n  sorry"})
        assert first["env"] == 0 and [s["proofState"] for s in first["sorries"]] == [0]
        state = first["sorries"][0]["proofState"]
        step = ask({"tactic": "subst h", "proofState": state})
        assert step["proofState"] == 1 and step["proofStatus"] == "Incomplete: open goals remain", step
        done = ask({"tactic": "rfl", "proofState": step["proofState"]})
        assert done == {"proofState": 2, "goals": [], "proofStatus": "Completed"}, done
        assert ask({"cmd": "example : 1 = 1 := rfl", "env": first["env"]}) == {"env": 1}
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0


def test_pickle_is_read_back_by_another_session(server: Server) -> None:
    """A proof state pickled in one session is unpickled in another (a fresh connection, as another
    node sharing the pickle directory would be) and the proof goes on there."""
    url = server.url.replace("http://", "ws://") + "/v1/repl"
    with connect(url, additional_headers=server.headers) as a:
        a.send(json.dumps({"cmd": "def k := 5\ntheorem pk2 (n : Nat) (h : n = k) : n * 2 = 10 := by\n  sorry"}))
        assert json.loads(a.recv(timeout=600))["sorries"][0]["proofState"] == 0
        a.send(json.dumps({"tactic": "subst h", "proofState": 0}))
        assert json.loads(a.recv(timeout=600))["proofState"] == 1
        a.send(json.dumps({"pickleTo": "cross/ps.json", "proofState": 1}))
        assert json.loads(a.recv(timeout=600))["goals"] == ["⊢ k * 2 = 10"]
        a.send(json.dumps({"pickleTo": "cross/env.json", "env": 0}))
        assert json.loads(a.recv(timeout=600)) == {"env": 0}
    with connect(url, additional_headers=server.headers) as b:
        b.send(json.dumps({"unpickleProofStateFrom": "cross/ps.json"}))
        assert json.loads(b.recv(timeout=600)) == {"proofState": 0, "goals": ["⊢ k * 2 = 10"], "proofStatus": "Incomplete: open goals remain"}
        b.send(json.dumps({"tactic": "rfl", "proofState": 0}))
        assert json.loads(b.recv(timeout=600)) == {"proofState": 1, "goals": [], "proofStatus": "Completed"}
        b.send(json.dumps({"unpickleEnvFrom": "cross/env.json"}))
        assert json.loads(b.recv(timeout=600)) == {"env": 0}
        b.send(json.dumps({"cmd": "example : k = 5 := rfl", "env": 0}))
        assert json.loads(b.recv(timeout=600)) == {"env": 1}


def test_all_tactics_give_goal_tactic_pairs_that_replay(server: Server) -> None:
    """`allTactics` turns a whole proof into (goal, tactic) pairs: each record's proof state has the
    goals before the tactic, and running the tactic there works; the last one closes the proof."""
    url = server.url.replace("http://", "ws://") + "/v1/repl"
    proof = "theorem pairs (a b : Nat) (h : a ≤ b) : a < b + 1 ∧ 0 ≤ a := by\n  constructor\n  · omega\n  · exact Nat.zero_le a"
    with connect(url, additional_headers=server.headers) as ws:
        ws.send(json.dumps({"cmd": proof, "allTactics": True}))
        reply = json.loads(ws.recv(timeout=600))
        pairs = [(t["goals"], t["tactic"], t["proofState"]) for t in reply["tactics"]]
        assert [p[1] for p in pairs] == ["constructor", "omega", "exact Nat.zero_le a"], pairs
        assert pairs[0][0] == "a b : Nat\nh : a ≤ b\n⊢ a < b + 1 ∧ 0 ≤ a"
        for goal, tactic, state in pairs:
            ws.send(json.dumps({"tactic": tactic, "proofState": state}))
            step = json.loads(ws.recv(timeout=600))
            assert "proofState" in step and "messages" not in step, (goal, tactic, step)
        assert step["proofStatus"] == "Completed", step
