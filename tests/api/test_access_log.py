"""The access log: one line a request (method, path, status, time), never a header, a query
string or a token."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from graphql_api import create_app
from graphql_api.edge.access_log import LOGGER_NAME, AccessLogFormatter, shown_path
from metric_registry import MetricRegistry, TokenScope

LINE = re.compile(r"(?P<method>[A-Z]+) (?P<path>\S+) (?P<status>\d{3}) \d+\.\dms")


@pytest.fixture
def logged(sqlite_path: str, caplog: pytest.LogCaptureFixture) -> Iterator[tuple[TestClient, str]]:
    """A client of the app with its access log on, and a write token."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    with MetricRegistry(sqlite_path) as registry:
        secret = registry.issue_token("logged", TokenScope.WRITE).secret
        with TestClient(create_app(registry, access_log=True)) as client:
            yield client, secret
            assert client.portal is not None
            client.portal.call(registry.close)


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == LOGGER_NAME]


def test_one_line_a_request_with_method_path_status_and_time(
    logged: tuple[TestClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    client, secret = logged
    bearer = {"Authorization": f"Bearer {secret}"}
    client.get("/healthz")
    client.get("/api/metrics")
    client.post("/api/metrics", json={"uid": "dso", "name": "DSO"}, headers=bearer)
    client.get("/api/nowhere", headers=bearer)
    client.post("/")
    client.post("/graphql", json={"query": "{ metrics { totalItems } }"}, headers=bearer)
    found = [LINE.fullmatch(line) for line in lines(caplog)]
    assert all(found), lines(caplog)
    assert [(m["method"], m["path"], m["status"]) for m in found if m] == [
        ("GET", "/healthz", "200"),
        ("GET", "/api/metrics", "401"),
        ("POST", "/api/metrics", "200"),
        ("GET", "/api/nowhere", "404"),
        ("POST", "/", "405"),
        ("POST", "/graphql", "200"),
    ]


def test_never_a_header_a_query_string_or_a_token(
    logged: tuple[TestClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    client, secret = logged
    headers = {"Authorization": f"Bearer {secret}", "X-Api-Key": secret}
    client.get("/api/metrics", headers=headers)
    client.get("/api/metrics", params={"access_token": secret, "search": "x"}, headers=headers)
    client.get(f"/api/metrics/{secret}", headers=headers)  # a token pasted into a path
    client.get("/graphql", params={"query": "{ metrics { totalItems } }"}, headers=headers)
    client.get("/api/metrics", headers={"Authorization": f"Bearer {secret}x"})
    text = "\n".join(lines(caplog))
    assert len(lines(caplog)) == 5
    assert secret not in text
    assert secret[3:20] not in text
    for word in ("Authorization", "Bearer", "access_token", "search", "query", "?"):
        assert word not in text
    assert "GET /api/metrics/mr_*** 404" in text


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/api/metrics", "/api/metrics"),
        ("/api/metrics/a\nGET /forged 200 0.1ms", "/api/metrics/a%0AGET%20/forged%20200%200.1ms"),
        ("/api/metrics/\x1b[31mred", "/api/metrics/%1B%5B31mred"),
        ("/api/metrics/Straße", "/api/metrics/Stra%C3%9Fe"),
        ("/api/metrics/mr_revenue_total", "/api/metrics/mr_revenue_total"),  # a uid, kept
        ("/x/mr_" + "A" * 43 + "/y", "/x/mr_***/y"),
        ("/" + "a" * 400, "/" + "a" * 299 + "…"),
    ],
    ids=["plain", "newline", "escape", "unicode", "uid", "token", "long"],
)
def test_paths_are_shown_on_one_safe_line(path: str, shown: str) -> None:
    assert shown_path(path) == shown


def test_create_app_logs_nothing_unless_asked(
    sqlite_path: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    with MetricRegistry(sqlite_path) as registry, TestClient(create_app(registry)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.portal is not None
        client.portal.call(registry.close)
    assert lines(caplog) == []


def test_the_formatter_stamps_utc_to_the_second() -> None:
    record = logging.LogRecord(LOGGER_NAME, logging.INFO, __file__, 1, "GET / 200 0.1ms", (), None)
    record.created = 1_800_000_000.5
    assert AccessLogFormatter().format(record) == "2027-01-15T08:00:00Z GET / 200 0.1ms"
