"""The Lean REPL's JSON protocol (leanprover-community/repl) on both transports.

Each `repl-transcripts/NAME.in` holds commands as the REPL's own test folder writes them
(blank-line separated), `NAME.expected.out` the replies; the transcripts come from the REPL's
README and test folder, restricted to core Lean (message texts as Lean 4.28 prints them).
Every reply is compared field by field; `env` and `proofState` ids are compared up to
renumbering (a consistent one-to-one map, also applied to the ids the commands refer to);
an expected string ending in `…` is a prefix.
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


class Ids:
    """A one-to-one map from the transcript's ids to ours, per kind (`env`, `proofState`)."""

    def __init__(self) -> None:
        self.maps: dict[str, dict[int, int]] = {"env": {}, "proofState": {}}

    def bind(self, kind: str, expected: int, actual: Any) -> None:
        m = self.maps[kind]
        assert isinstance(actual, int), f"{kind}: {actual!r} is not an id"
        if expected in m:
            assert m[expected] == actual, f"{kind} {expected} was {m[expected]}, now {actual}"
        else:
            assert actual not in m.values(), f"{kind} {actual} given twice"
            m[expected] = actual

    def translate(self, query: str) -> str:
        """The query with the ids it refers to renumbered (bad JSON passes unchanged)."""
        try:
            obj = json.loads(query)
        except ValueError:
            return query
        for kind in ("env", "proofState"):
            if isinstance(obj, dict) and isinstance(obj.get(kind), int) and obj[kind] in self.maps[kind]:
                obj[kind] = self.maps[kind][obj[kind]]
        return json.dumps(obj, ensure_ascii=False)


def compare(expected: Any, actual: Any, ids: Ids, where: str = "") -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), f"{where}: keys {actual!r} vs {sorted(expected)}"
        for k, v in expected.items():
            if k in ("env", "proofState") and isinstance(v, int):
                ids.bind(k, v, actual[k])
            else:
                compare(v, actual[k], ids, f"{where}.{k}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual!r} vs {expected!r}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            compare(e, a, ids, f"{where}[{i}]")
    elif isinstance(expected, str) and expected.endswith("…"):
        assert isinstance(actual, str) and actual.startswith(expected[:-1]), f"{where}: {actual!r} vs {expected!r}"
    else:
        assert actual == expected, f"{where}: {actual!r} vs {expected!r}"


def replay(name: str, send: Any) -> None:
    expected = [json.loads(b) for b in blocks((HERE / f"{name}.expected.out").read_text())]
    qs = queries(name)
    assert len(qs) == len(expected)
    ids = Ids()
    for i, (q, e) in enumerate(zip(qs, expected)):
        compare(e, send(ids.translate(q)), ids, f"{name} reply {i + 1}")


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
    for name in ("readme_tactic", "errors"):
        # One process per transcript: a process is a session, so ids start from 0 again.
        text = (HERE / f"{name}.in").read_text()
        out = subprocess.run(
            [str(ROOT / "node_modules/.bin/tsx"), "client/cli/main.ts", "repl", "--server", server.url, "--token", server.token],
            cwd=ROOT, input=text, capture_output=True, text=True, timeout=900, check=True,
        )
        replies = [json.loads(b) for b in blocks(out.stdout)]
        expected = [json.loads(b) for b in blocks((HERE / f"{name}.expected.out").read_text())]
        assert len(replies) == len(expected)
        ids = Ids()
        for i, (e, a) in enumerate(zip(expected, replies)):
            compare(e, a, ids, f"{name} (stdio) reply {i + 1}")
