"""Bearer tokens never appear in clear: not in the database files, the server's output, or
any answer, including the refusals of a revoked, malformed or under-scoped token."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import httpx2
import psycopg
import pytest

from metric_registry import MetricRegistry, TokenScope
from tests.e2e.conftest import LiveServer, start_server

from .conftest import check_no_leak, client

pytestmark = pytest.mark.e2e

CREATE = 'mutation { createMetric(input: {uid: "by_graphql", name: "x"}) { __typename } }'


def forms(secret: str) -> list[bytes]:
    """The ways a secret could be written down: whole, or its random part alone."""
    random_part = secret.removeprefix("mr_")
    return [form.encode() for form in (secret, random_part)]


def found_in(blob: bytes, secrets: Iterable[str]) -> list[str]:
    return [secret for secret in secrets if any(form in blob for form in forms(secret))]


def database_files(db_path: str) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in Path(db_path).parent.glob("metrics.db*")}


def answer_text(response: httpx2.Response) -> bytes:
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return headers.encode() + b"\n" + response.content


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metric_registry", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def refusals(server: LiveServer, revoked: str) -> list[httpx2.Response]:
    """Requests that must be refused, each carrying a secret one way or another."""
    write, read = server.write_token, server.read_token
    answers = []
    with httpx2.Client(base_url=server.base_url, timeout=30) as http:
        for header in (
            f"Bearer {revoked}",
            f"Bearer {write}x",
            f"Bearer {write[:-1]}",
            f"Basic {write}",
            f"Token {read}",
            write,
            f"Bearer {write} {read}",
        ):
            for method, path, body in (
                ("GET", "/api/metrics", None),
                ("POST", "/api/metrics", {"uid": "refused", "name": "x"}),
                ("POST", "/graphql", {"query": CREATE}),
            ):
                response = http.request(method, path, json=body, headers={"Authorization": header})
                assert response.status_code == 401, (header[:12], path, response.text)
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
                answers.append(response)
    with client(server, read) as http:
        answers.append(http.post("/api/metrics", json={"uid": "refused", "name": "x"}))
        assert answers[-1].status_code == 403, answers[-1].text
        answers.append(http.post("/graphql", json={"query": CREATE}))
        assert answers[-1].json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    with client(server) as http:  # RFC 6750's query parameter is not read, nor echoed
        answers.append(http.get("/api/metrics", params={"access_token": write}))
        assert answers[-1].status_code == 422, answers[-1].text
    return answers


def test_tokens_never_appear_in_clear(sqlite_path: str, figures: dict[str, object]) -> None:
    with start_server(sqlite_path) as server:
        revoked = cli("token", "create", "soon-revoked", "--scope", "write", "--db", sqlite_path)
        revoked_secret = revoked.stdout.strip()
        secrets = [server.write_token, server.read_token, revoked_secret]
        with client(server, revoked_secret) as http:
            assert http.get("/api/metrics").status_code == 200  # valid until revoked
            cli("token", "revoke", "soon-revoked", "--db", sqlite_path)
            assert http.get("/api/metrics").status_code == 401  # revoked at once
        with client(server) as http, client(server, server.read_token) as reader:
            assert http.post("/api/metrics", json={"uid": "a_b", "name": "x"}).status_code == 200
            assert reader.get("/api/metrics/a_b").status_code == 200
            assert http.post("/graphql", json={"query": CREATE}).status_code == 200

        answers = refusals(server, revoked_secret)
        for response in answers:
            check_no_leak(response)
            assert found_in(answer_text(response), secrets) == [], response.text

        while_serving = database_files(sqlite_path)
        assert "metrics.db-wal" in while_serving  # the write-ahead log is searched too
        for name, content in while_serving.items():
            assert found_in(content, secrets) == [], name
        stored_hashes = b"".join(while_serving.values())
        for secret in secrets[:2]:  # proof that the search looks where tokens are kept
            assert hashlib.sha256(secret.encode()).hexdigest().encode() in stored_hashes
    log = server.log()
    assert found_in(log.encode(), secrets) == [], log
    for name, content in database_files(sqlite_path).items():
        assert found_in(content, secrets) == [], name
    figures.update(
        refused_answers_checked=len(answers),
        database_files_checked=sorted(while_serving),
        server_log_bytes=len(log),
    )


def test_the_default_token_is_printed_once_and_only_then(
    sqlite_path: str, figures: dict[str, object]
) -> None:
    with start_server(sqlite_path, issue=False) as server:
        lines = [line for line in server.log().splitlines() if "mr_" in line]
        assert len(lines) == 1, server.log()
        assert lines[0].startswith("  export TOKEN=mr_"), server.log()  # serve's greeting
        default = lines[0].split("=", 1)[1].strip()
        with client(server, default) as http:
            for n in range(20):
                assert http.post("/api/metrics", json={"uid": f"m_{n}", "name": "x"}).is_success
            assert http.get("/api/metrics").status_code == 200
        cli("token", "revoke", "default", "--db", sqlite_path)
        with client(server, default) as http:
            refused = http.get("/api/metrics")
            assert refused.status_code == 401
            assert found_in(answer_text(refused), [default]) == []
        for name, content in database_files(sqlite_path).items():
            assert found_in(content, [default]) == [], name
    assert server.log().count(default) == 1
    figures.update(default_token_printed=server.log().count(default))


@pytest.mark.postgres
def test_tokens_are_not_stored_in_clear_in_postgresql(postgres_url: str) -> None:
    with MetricRegistry(postgres_url) as registry:
        secrets = [registry.issue_token(f"t{n}", TokenScope.WRITE).secret for n in range(3)]
        registry.revoke_token("t0")
    with psycopg.connect(postgres_url) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        ]
        dump = "\n".join(
            repr(connection.execute(f'SELECT * FROM "{table}"').fetchall()) for table in tables
        )
    assert "api_token" in tables
    assert found_in(dump.encode(), secrets) == []
    assert hashlib.sha256(secrets[1].encode()).hexdigest() in dump
