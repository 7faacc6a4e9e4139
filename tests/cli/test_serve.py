"""``serve``: refuses what cannot work before issuing anything, issues its first token only once
the port is bound, then hands over to uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from metric_registry import MetricRegistry

from ._support import Runner

IN_MEMORY = [":memory:", "sqlite://", "sqlite:///", "sqlite:///:memory:"]
ON_DISK = ["metrics.db", "./:memory:.db", "sqlite:///metrics.db"]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Calls that would have started uvicorn, recorded instead; each "binds" its port."""
    import graphql_api.server
    from graphql_api.pages import KNOWN_PLACES

    calls: list[dict[str, Any]] = []

    def record(database: str, *, on_listening: Any, **options: Any) -> None:
        calls.append({"database": database, **options})
        base_url = f"http://{options['host']}:{options['port']}"
        on_listening(graphql_api.server.Listening(base_url, KNOWN_PLACES))

    monkeypatch.setattr(graphql_api.server, "serve", record)
    return calls


@pytest.mark.parametrize("target", IN_MEMORY)
def test_in_memory_spellings_are_recognised(target: str) -> None:
    with MetricRegistry(target) as registry:
        assert registry.in_memory


@pytest.mark.parametrize("target", ON_DISK)
def test_file_targets_are_not_in_memory(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with MetricRegistry(target) as registry:
        assert not registry.in_memory


@pytest.mark.parametrize("target", IN_MEMORY)
def test_serve_refuses_an_in_memory_database_before_issuing_a_token(
    cli: Runner, served: list[dict[str, Any]], target: str
) -> None:
    code, out, err = cli("serve", "--db", target)
    assert code == 2
    assert out == ""
    assert "usage: metric-registry serve" in err
    assert "an in-memory database would be empty in every worker" in err
    assert served == []


def test_serve_refuses_an_in_memory_database_from_the_environment(
    cli: Runner, served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRIC_REGISTRY_DB", ":memory:")
    code, out, err = cli("serve")
    assert (code, out) == (2, "")
    assert "in-memory" in err
    assert served == []


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--port", "65536"], "--port: must be a whole number from 1 to 65535, not '65536'"),
        (["--port", "73536"], "--port: must be a whole number from 1 to 65535, not '73536'"),
        (["--port", "0"], "--port: must be a whole number from 1 to 65535, not '0'"),
        (["--port", "-1"], "--port: must be a whole number from 1 to 65535, not '-1'"),
        (["--port", "http"], "--port: must be a whole number from 1 to 65535, not 'http'"),
        (["--port", "80.5"], "--port: must be a whole number from 1 to 65535, not '80.5'"),
        (["--workers", "0"], "--workers: must be a whole number of at least 1, not '0'"),
        (["--workers", "two"], "--workers: must be a whole number of at least 1, not 'two'"),
    ],
    ids=[
        "65536",
        "wraps-to-8000",
        "zero",
        "negative",
        "port-word",
        "fraction",
        "no-workers",
        "workers-word",
    ],
)
def test_serve_refuses_bad_ports_and_worker_counts(
    cli: Runner, served: list[dict[str, Any]], db: str, argv: list[str], reason: str
) -> None:
    code, out, err = cli("serve", *argv, "--db", db)
    assert (code, out) == (2, "")
    assert "usage: metric-registry serve" in err
    assert reason in err
    assert "invalid" not in err
    assert served == []
    assert not Path(db).exists()


def test_serve_issues_a_write_token_once_bound_then_serves(
    cli: Runner, served: list[dict[str, Any]], db: str
) -> None:
    argv = ["--port", "65535", "--workers", "2", "--no-graphiql", "--no-access-log"]
    code, out, _ = cli("serve", "--db", db, *argv)
    assert code == 0
    [line] = [line for line in out.splitlines() if "mr_" in line]
    prefix, secret = line.split("=", 1)
    assert prefix == "  export TOKEN"
    token = MetricRegistry(db).verify_token(secret)
    assert token is not None
    assert (token.name, token.scope) == ("default", "write")
    assert served == [
        {
            "database": db,
            "host": "127.0.0.1",
            "port": 65535,
            "workers": 2,
            "graphiql": False,
            "access_log": False,
        }
    ]
    assert f"metric-registry is serving {Path(db).resolve()}" in out
    assert "http://127.0.0.1:65535/api/metrics" in out

    code, out, _ = cli("serve", "--db", db)
    assert code == 0
    assert "mr_" not in out
    assert "This database has 1 token; a secret is shown only when issued" in out
    assert f"$(metric-registry token create NAME --scope write --db {db})" in out
    assert (served[-1]["port"], served[-1]["access_log"]) == (8000, True)


def test_serve_issues_nothing_when_the_port_cannot_be_bound(
    cli: Runner, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graphql_api.server

    def refuse(database: str, **options: Any) -> None:
        reason = "address already in use"
        raise graphql_api.server.CannotListenError("127.0.0.1", 8000, reason, in_use=True)

    monkeypatch.setattr(graphql_api.server, "serve", refuse)
    code, out, err = cli("serve", "--db", db)
    assert (code, out) == (1, "")
    assert "error: cannot listen on 127.0.0.1:8000: address already in use" in err
    assert "choose another --port); no token was issued" in err
    assert MetricRegistry(db).list_tokens() == []


def test_serve_help_shows_every_default(cli: Runner) -> None:
    code, out, _ = cli("serve", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "(default: 127.0.0.1)" in flat
    assert "(default: 8000)" in flat
    assert "(default: 1)" in flat
