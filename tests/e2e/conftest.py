"""A real ``metric-registry serve`` process on 127.0.0.1, started through the CLI."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from metric_registry import MetricRegistry, TokenScope

START_TIMEOUT_SECONDS = 20.0


@dataclass
class LiveServer:
    base_url: str
    db_path: str
    write_token: str
    read_token: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def issue_tokens(db_path: str) -> tuple[str, str]:
    """(write, read) secrets issued straight into the database the server will use."""
    with MetricRegistry(db_path) as registry:
        existing = {token.name for token in registry.list_tokens()}
        for name in {"e2e-write", "e2e-read"} & existing:
            registry.revoke_token(name)
        write = registry.issue_token("e2e-write", TokenScope.WRITE).secret
        read = registry.issue_token("e2e-read", TokenScope.READ).secret
    return write, read


@contextlib.contextmanager
def start_server(db_path: str, *extra_args: str, issue: bool = True) -> Iterator[LiveServer]:
    """Run ``metric-registry serve --db db_path`` until the block ends (SIGTERM, then SIGKILL).

    With ``issue`` (the default) an ``e2e-write`` and an ``e2e-read`` token are issued first,
    so the server does not issue its ``default`` token.
    """
    write, read = issue_tokens(db_path) if issue else ("", "")
    port = free_port()
    log_path = Path(tempfile.mkdtemp(prefix="metric-registry-server-")) / f"server-{port}.log"
    command = [sys.executable, "-m", "metric_registry", "serve", "--db", db_path]
    command += ["--host", "127.0.0.1", "--port", str(port), *extra_args]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"}
        )
    server = LiveServer(f"http://127.0.0.1:{port}", db_path, write, read, process, log_path)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        stop_server(server)


def stop_server(server: LiveServer) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


def _wait_until_healthy(server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"server exited with {server.process.returncode}:\n{server.log()}")
        with contextlib.suppress(httpx2.TransportError):
            if httpx2.get(f"{server.base_url}/healthz", timeout=1.0).status_code == 200:
                return
        time.sleep(0.05)
    pytest.fail(f"server not healthy after {START_TIMEOUT_SECONDS}s:\n{server.log()}")


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    with start_server(str(tmp_path / "metrics.db")) as server:
        yield server
