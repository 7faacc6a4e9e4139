"""Reliability and abuse tests (issue #5): real servers through the CLI, loopback traffic only.

Every loop here is bounded in request count (and a deadline); figures each test measured are
printed in a "reliability figures" section at the end of the run (docs/reliability.md).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from typing import Any

import httpx2
import pytest

from tests.e2e.conftest import LiveServer, start_server

# Anything that betrays the implementation: a Python traceback, a driver, SQL.
_LEAK_MARKERS = (
    "Traceback",
    'File "',
    "sqlite3",
    "psycopg",
    "peewee",
    "IntegrityError",
    "OperationalError",
    "ProgrammingError",
    "database is locked",
)
_SQL = re.compile(
    r"\b(SELECT\b.{1,200}?\bFROM|INSERT\s+INTO|UPDATE\s+\"?\w+\"?\s+SET|DELETE\s+FROM"
    r"|CREATE\s+(TABLE|INDEX)|BEGIN\s+IMMEDIATE|ROLLBACK)\b",
    re.IGNORECASE | re.DOTALL,
)
_FIGURES: list[tuple[str, dict[str, object]]] = []


def leaks(text: str, sent: str = "") -> list[str]:
    """What in ``text`` betrays the implementation, ignoring what the client itself sent."""
    found = [marker for marker in _LEAK_MARKERS if marker in text and marker not in sent]
    found += [match.group(0) for match in _SQL.finditer(text) if match.group(0) not in sent]
    return found


def check_no_leak(response: httpx2.Response, sent: str = "") -> None:
    assert response.status_code < 500, f"{response.status_code}: {response.text[:2000]}"
    found = leaks(response.text, sent)
    assert not found, f"response betrays {found}: {response.text[:2000]}"


def is_url(database: str) -> bool:
    return database.startswith(("postgresql://", "postgres://"))


Rows = tuple[tuple[Any, ...], ...]
_SNAPSHOT = ("SELECT * FROM metric ORDER BY id", "SELECT * FROM api_token ORDER BY id")


@contextmanager
def reader(database: str) -> Iterator[Callable[[], Rows]]:
    """Reads every row of the metric and token tables, through the database's own driver
    (not the server), on one connection that sees each committed write."""
    connection: Any
    if is_url(database):
        import psycopg

        connection = psycopg.connect(database, autocommit=True)
    else:
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)

    def read() -> Rows:
        metrics, tokens = (connection.execute(sql).fetchall() for sql in _SNAPSHOT)
        return (*(tuple(row) for row in metrics), ("tokens", *(tuple(row) for row in tokens)))

    with closing(connection):
        yield read


def stored(database: str) -> Rows:
    with reader(database) as read:
        return read()


def stored_uids(db_path: str) -> set[str]:
    with closing(sqlite3.connect(db_path, timeout=30)) as connection:
        return {uid for (uid,) in connection.execute("SELECT uid FROM metric")}


def integrity(db_path: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db_path, timeout=30)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchall()


def client(server: LiveServer, token: str | None = None, **kwargs: Any) -> httpx2.Client:
    """A client of ``server`` carrying ``token`` (the write token by default)."""
    secret = server.write_token if token is None else token
    return httpx2.Client(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {secret}"},
        timeout=kwargs.pop("timeout", 30.0),
        **kwargs,
    )


def log_problems(server: LiveServer) -> list[str]:
    """Lines of the server's output that show an error, a traceback or a lock timeout."""
    markers = ("Traceback", "ERROR", "database is locked", "Exception")
    return [line for line in server.log().splitlines() if any(m in line for m in markers)]


def record_figures(name: str, measured: dict[str, object]) -> None:
    """Show ``measured`` under "reliability figures" after the run."""
    _FIGURES.append((name, measured))


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """Figures a test measured; shown under "reliability figures" after the run."""
    measured: dict[str, object] = {}
    yield measured
    if measured:
        record_figures(request.node.nodeid.rpartition("::")[2], measured)
        request.node.user_properties.extend(measured.items())


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("reliability figures")
    for name, measured in _FIGURES:
        shown = ", ".join(f"{name}={value}" for name, value in measured.items())
        terminalreporter.line(f"{name}: {shown}")


@pytest.fixture
def fresh_server(sqlite_path: str) -> Iterator[LiveServer]:
    """A server of its own, on a SQLite file (the e2e live_server is not visible here)."""
    with start_server(sqlite_path) as server:
        yield server


@pytest.fixture(scope="module")
def module_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server for a whole module of many small requests (hostile input)."""
    directory = tmp_path_factory.mktemp("served")
    with start_server(str(directory / "metrics.db")) as server:
        yield server


@pytest.fixture
def engine_server(database_url: str) -> Iterator[LiveServer]:
    """A server on each engine in turn: a SQLite file, then (when configured) PostgreSQL."""
    with start_server(database_url) as server:
        yield server
