"""One real leanenv server (real Lean workers) for the whole pytest session.

The server runs `server/main.ts` on a free loopback port with a bearer token, so every test
goes through the same auth a deployment uses. `LEANENV_TEST_URL` (and `LEANENV_TEST_TOKEN`)
point the tests at a server that is already running instead.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOKEN = "python-tests-token"


@dataclass(frozen=True)
class Server:
    """Where the test server listens and the token it wants."""

    url: str
    token: str

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://", 1) + "/v1/ws"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(server: Server, proc: subprocess.Popen[bytes] | None, limit_s: float) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}; see .pytest-server.log")
        try:
            if httpx.get(f"{server.url}/health", headers=server.headers, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the server was not healthy within {limit_s} s")


def _wait_no_worker_starting(server: Server, proc: subprocess.Popen[bytes], limit_s: float) -> None:
    """Before stopping: let a replacement worker (after the timeout test) finish starting, so
    that shutdown stops it too instead of leaving it behind in its own process group."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{server.url}/health", headers=server.headers, timeout=5).json()["workers"]["starting"] == 0:
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(1)


def _pickle_dir() -> pathlib.Path:
    """A fresh directory for the REPL front's pickle files (`--repl-pickle-dir`), one per session."""
    return pathlib.Path(tempfile.mkdtemp(prefix="leanenv-pickles-"))


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The running server (started once, stopped with SIGTERM at the end of the session)."""
    if url := os.environ.get("LEANENV_TEST_URL"):
        s = Server(url.rstrip("/"), os.environ.get("LEANENV_TEST_TOKEN", ""))
        _wait_healthy(s, None, 900)
        yield s
        return
    port = _free_port()
    s = Server(f"http://127.0.0.1:{port}", TOKEN)
    workers = os.environ.get("LEANENV_TEST_WORKERS", "2")
    pickles = _pickle_dir()
    with open(ROOT / ".pytest-server.log", "wb") as log:
        proc = subprocess.Popen(
            [str(ROOT / "node_modules/.bin/tsx"), "server/main.ts", "--port", str(port), "--workers", workers,
             "--auth-token", TOKEN, "--log-level", "warn"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "LEANENV_REPL_FILE_ROOT": str(ROOT / "test/python/repl-transcripts"),
                 "LEANENV_REPL_PICKLE_DIR": str(pickles)},
        )
        try:
            _wait_healthy(s, proc, 1200)
            yield s
        finally:
            _wait_no_worker_starting(s, proc, 300)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            shutil.rmtree(pickles, ignore_errors=True)
