"""The real `kimina-client` (PyPI, pinned) against our Kimina-compatible routes.

Its own methods (`health`, `test`, `check`) and its own models (`CheckResponse`,
`VerifyResponse`, `ReplResponse.analyze`) judge our replies; the raw JSON is read as well
for our extra keys (`verdict`, `reason`, `axioms`) and the exact REPL shapes.
"""

from __future__ import annotations

import httpx
import pytest
from kimina_client import CheckResponse, KiminaClient, Snippet, SnippetStatus, VerifyResponse

from conftest import Server

CORRECT = "import Init\n\ntheorem add_two : (2 : Nat) + 2 = 4 := by decide\n"
WRONG = "import Init\n\ntheorem add_wrong : (2 : Nat) + 2 = 5 := by decide\n"
SORRY = "theorem zero_right (n : Nat) : n + 0 = n := by\n  sorry\n"
SLOW = "theorem slow : True := by\n  sleep 600000\n  trivial\n"


@pytest.fixture(scope="module")
def client(server: Server) -> KiminaClient:
    return KiminaClient(api_url=server.url, api_key=server.token, n_retries=1)


def test_health_answers_ok(client: KiminaClient) -> None:
    assert client.health()["status"] == "ok"


def test_builtin_test_check_nat_passes(client: KiminaClient) -> None:
    client.test()  # asserts the exact `#check Nat` message itself


def test_check_mix_parses_into_kimina_models(client: KiminaClient) -> None:
    snippets = [Snippet(id="correct", code=CORRECT), Snippet(id="wrong", code=WRONG), Snippet(id="sorry", code=SORRY)]
    resp = client.check(snippets, timeout=120, show_progress=False)
    by_id = {r.id: r for r in resp.results}
    assert by_id["correct"].analyze().status == SnippetStatus.valid
    assert by_id["wrong"].analyze().status == SnippetStatus.lean_error
    assert by_id["sorry"].analyze().status == SnippetStatus.sorry
    # Positions relative to the snippet as written, its import line and blank line included.
    wrong = by_id["wrong"].response
    assert wrong is not None and "messages" in wrong
    errors = [m for m in wrong["messages"] or [] if m["severity"] == "error"]
    assert errors and errors[0]["pos"]["line"] == 3
    sorry = by_id["sorry"].response
    assert sorry is not None and "sorries" in sorry
    (s,) = sorry["sorries"] or []
    assert s["goal"] == "n : Nat\n⊢ n + 0 = n"
    assert s["pos"] == {"line": 2, "column": 2}
    assert s["endPos"] == {"line": 2, "column": 7}
    # A valid proof has no messages at all (empty lists are omitted, as the REPL does).
    correct = by_id["correct"].response
    assert correct is not None and "messages" not in correct


def test_raw_check_carries_our_verdicts_and_kimina_defaults(server: Server) -> None:
    body = {"snippets": [{"id": "c", "code": CORRECT}, {"id": "w", "code": WRONG}, {"id": "s", "code": SORRY}]}
    r = httpx.post(f"{server.url}/api/check", json=body, headers=server.headers, timeout=600)
    assert r.status_code == 200
    raw = r.json()
    CheckResponse.model_validate(raw)
    verdicts = {x["id"]: x["verdict"] for x in raw["results"]}
    assert verdicts == {"c": "proved", "w": "failed", "s": "incomplete"}
    assert all(isinstance(x["time"], float | int) for x in raw["results"])
    assert "diagnostics" not in raw["results"][0]  # only with debug=true
    dbg = httpx.post(f"{server.url}/api/check", json={**body, "snippets": body["snippets"][:1], "debug": True},
                     headers=server.headers, timeout=600).json()
    assert "repl_uuid" in dbg["results"][0]["diagnostics"]


def test_verify_and_alias_parse_into_kimina_models(server: Server) -> None:
    for path in ("/verify", "/one_pass_verify_batch"):
        body = {"codes": [{"custom_id": 7, "proof": CORRECT}, {"custom_id": "b", "code": SORRY}], "timeout": 120}
        r = httpx.post(f"{server.url}{path}", json=body, headers=server.headers, timeout=600)
        assert r.status_code == 200
        raw = r.json()
        parsed = VerifyResponse.model_validate(raw)
        assert [x["custom_id"] for x in parsed.results] == ["7", "b"]
        first, second = raw["results"]
        assert first["error"] is None and first["verdict"] == "proved" and "time" in first["response"]
        assert second["verdict"] == "incomplete" and second["response"]["sorries"]


def test_requests_are_validated_like_fastapi(server: Server) -> None:
    r = httpx.post(f"{server.url}/api/check", json={"snippets": []}, headers=server.headers, timeout=60)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "snippets"]
    r = httpx.post(f"{server.url}/verify", json={"codes": [{"custom_id": 1}]}, headers=server.headers, timeout=60)
    assert r.status_code == 422


def test_bearer_token_is_required(server: Server) -> None:
    if not server.token:
        pytest.skip("the server under test has no token")
    assert KiminaClient(api_url=server.url, api_key="wrong", n_retries=1).api_check([Snippet(id="x", code="#check Nat")], safe=True).results[0].error
    assert httpx.get(f"{server.url}/health", timeout=30).status_code == 401


def test_timeout_is_kiminas_timeout_error(client: KiminaClient) -> None:
    # Last: the worker past its time is stopped and replaced (the other one keeps serving).
    resp = client.check([Snippet(id="slow", code=SLOW)], timeout=5, show_progress=False)
    (r,) = resp.results
    assert r.analyze().status == SnippetStatus.timeout_error
    assert r.error == "Lean REPL command timed out in 5 seconds"
    assert r.time == 5
