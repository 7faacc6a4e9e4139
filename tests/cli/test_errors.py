"""Failures while opening or using the database: exit 1, one line, no traceback, no password."""

from __future__ import annotations

from typing import Any

import pytest

from metric_registry import MetricRegistry

from ._support import Runner, run_process

PASSWORD = "s3cret-pw"


@pytest.mark.parametrize(
    "target",
    [f"postgresql://user:{PASSWORD}@[::1/metrics", f"postgresql://user:{PASSWORD}@host:port/db"],
    ids=["unclosed-ipv6-bracket", "port-not-a-number"],
)
def test_a_malformed_database_url_is_one_line_without_the_password(target: str) -> None:
    result = run_process("metric", "list", "--db", target)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.splitlines()) == 1
    assert PASSWORD not in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unexpected_failure_is_one_line_with_the_password_masked(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = f"postgresql://user:{PASSWORD}@db.example/metrics"

    def fail(self: MetricRegistry, database: str, *args: Any) -> None:
        raise RuntimeError(f"could not reach {database}\nsecond line")

    monkeypatch.setattr(MetricRegistry, "__init__", fail)
    code, out, err = cli("metric", "get", "dso", "--db", target)
    assert (code, out) == (1, "")
    assert err.startswith("error: ")
    assert len(err.splitlines()) == 1
    assert PASSWORD not in err
    assert "postgresql://user:***@db.example/metrics" in err
    assert "second line" not in err


def test_a_registry_error_exits_1_with_its_message(cli: Runner, db: str) -> None:
    code, out, err = cli("token", "revoke", "nobody", "--db", db)
    assert (code, out) == (1, "")
    assert err == "error: token 'nobody' not found\n"
