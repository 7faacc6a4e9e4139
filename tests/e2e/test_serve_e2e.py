"""``metric-registry serve`` as a user starts it: the greeting (printed once the port is bound),
a taken port (no token issued), the landing page and the access log."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from metric_registry import MetricRegistry

from .conftest import LiveServer, free_port, start_server

pytestmark = pytest.mark.e2e

ACCESS_LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (?P<request>[A-Z]+ \S+ \d{3}) \d+\.\dms")


def serve_command(db_path: str, port: int, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "metric_registry", "serve", "--db", db_path]
    return [*command, "--host", "127.0.0.1", "--port", str(port), *extra]


def eventually(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def access_lines(server: LiveServer) -> list[str]:
    matches = (ACCESS_LINE.fullmatch(line) for line in server.log().splitlines())
    return [match["request"] for match in matches if match]


def test_the_greeting_names_every_place_and_shows_the_token_once(tmp_path: Path) -> None:
    db_path = str(tmp_path / "metrics.db")
    with start_server(db_path, issue=False) as server:
        log = server.log()
        for label, path in [
            ("GraphQL", "/graphql"),
            ("GraphiQL", "/graphql"),
            ("REST", "/api/metrics"),
            ("Health", "/healthz"),
            ("Overview", "/"),
        ]:
            assert re.search(rf"^  {label} +{re.escape(server.base_url + path)} ", log, re.M), log
        assert f"metric-registry is serving {Path(db_path).resolve()}\n" in log
        [line] = [line for line in log.splitlines() if "mr_" in line]
        assert line.startswith("  export TOKEN=mr_")
        secret = line.split("=", 1)[1]
        assert f'curl -H "Authorization: Bearer $TOKEN" {server.base_url}/api/metrics' in log
        assert 'In GraphiQL, paste the token after "Bearer " in the Headers tab.' in log
        bearer = {"Authorization": f"Bearer {secret}"}
        assert httpx2.get(f"{server.base_url}/api/metrics", headers=bearer).status_code == 200
        page = httpx2.get(f"{server.base_url}/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200


def test_a_later_start_says_how_to_issue_a_token(tmp_path: Path) -> None:
    db_path = str(tmp_path / "metrics.db")
    with start_server(db_path, "--no-graphiql") as server:  # two tokens issued beforehand
        log = server.log()
    assert "mr_" not in log
    assert "This database has 2 tokens; a secret is shown only when issued." in log
    command = f"export TOKEN=$(metric-registry token create NAME --scope write --db {db_path})"
    assert command in log
    assert "GraphiQL" not in log


def test_the_greeting_comes_only_once_the_port_is_bound(tmp_path: Path) -> None:
    port = free_port()
    command = serve_command(str(tmp_path / "metrics.db"), port)
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        assert process.stdout is not None
        try:
            for line in process.stdout:  # the first line already finds the port bound
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    pass
                if "export TOKEN=" in line:
                    break
            else:
                pytest.fail(f"no token printed; exit code {process.wait(10)}")
        finally:
            process.terminate()
            process.wait(timeout=10)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_taken_port_issues_no_token_and_fails(tmp_path: Path, workers: str) -> None:
    db_path = str(tmp_path / "metrics.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            serve_command(db_path, port, "--workers", workers),
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "NO_COLOR": "1"},
        )
    assert done.returncode == 1, done
    assert done.stdout == ""
    assert done.stderr.strip() == (
        f"error: cannot listen on 127.0.0.1:{port}: address already in use "
        "(another server there? choose another --port); no token was issued"
    )
    with MetricRegistry(db_path) as registry:
        assert registry.list_tokens() == []


def test_the_landing_page_points_to_the_rest(live_server: LiveServer) -> None:
    document = httpx2.get(f"{live_server.base_url}/").json()
    assert document["places"]["graphql"]["path"] == "/graphql"
    assert document["places"]["rest"]["path"] == "/api/metrics"
    page = httpx2.get(f"{live_server.base_url}/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert '<a href="/graphql">' in page.text


def test_the_access_log_has_one_line_a_request_and_no_token(live_server: LiveServer) -> None:
    write, read = live_server.write_token, live_server.read_token
    with httpx2.Client(base_url=live_server.base_url) as http:
        http.get("/healthz")
        http.get("/api/metrics", headers={"Authorization": f"Bearer {read}"})
        http.post("/api/metrics", json={"uid": "dso", "name": "DSO"},
                  headers={"Authorization": f"Bearer {write}"})  # fmt: skip
        http.get("/api/metrics", params={"access_token": write})
        http.post("/graphql", json={"query": "{ metrics { totalItems } }"},
                  headers={"Authorization": f"Bearer {read}x"})  # fmt: skip
    expected = [
        "GET /healthz 200",
        "GET /api/metrics 200",
        "POST /api/metrics 200",
        "GET /api/metrics 401",
        "POST /graphql 401",
    ]
    eventually(lambda: access_lines(live_server)[-5:] == expected, "five access lines")
    log = live_server.log()
    for secret in (write, read):
        assert secret not in log
    assert "Bearer" not in log.split("Started server process")[1]


def test_no_access_log_turns_it_off(tmp_path: Path) -> None:
    with start_server(str(tmp_path / "metrics.db"), "--no-access-log") as server:
        for _ in range(3):
            assert httpx2.get(f"{server.base_url}/healthz").status_code == 200
        time.sleep(0.2)
        assert access_lines(server) == []
