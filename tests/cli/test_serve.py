"""``serve``: refuses what cannot work before issuing anything, then hands over to uvicorn."""

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
    """Calls that would have started uvicorn, recorded instead."""
    import graphql_api.server

    calls: list[dict[str, Any]] = []

    def record(database: str, **options: Any) -> None:
        calls.append({"database": database, **options})

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


def test_serve_issues_a_write_token_once_then_serves(
    cli: Runner, served: list[dict[str, Any]], db: str
) -> None:
    code, out, _ = cli("serve", "--db", db, "--port", "65535", "--workers", "2", "--no-graphiql")
    assert code == 0
    secret = out.splitlines()[-1]
    token = MetricRegistry(db).verify_token(secret)
    assert token is not None
    assert (token.name, token.scope) == ("default", "write")
    assert served == [
        {"database": db, "host": "127.0.0.1", "port": 65535, "workers": 2, "graphiql": False}
    ]

    code, out, _ = cli("serve", "--db", db)
    assert (code, out) == (0, "")
    assert served[-1]["port"] == 8000


def test_serve_help_shows_every_default(cli: Runner) -> None:
    code, out, _ = cli("serve", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "(default: 127.0.0.1)" in flat
    assert "(default: 8000)" in flat
    assert "(default: 1)" in flat
