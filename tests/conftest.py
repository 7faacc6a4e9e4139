"""Fixtures shared by every test: fresh databases on SQLite files and, when configured, PostgreSQL.

PostgreSQL tests run when ``METRIC_REGISTRY_TEST_POSTGRES_URL`` is set; each test gets its own
schema on that server, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import settings

from metric_registry import MetricRegistry

# In CI, property tests draw the same examples every run: a red build is one that a rerun
# reproduces. On a laptop they keep exploring.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

POSTGRES_URL_VARIABLE = "METRIC_REGISTRY_TEST_POSTGRES_URL"


def postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


@pytest.fixture
def sqlite_path(tmp_path: Path) -> str:
    return str(tmp_path / "metrics.db")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema on the test server."""
    server = postgres_server_url()
    if server is None:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    import psycopg

    schema = f"mr_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in server else "?"
    yield f"{server}{separator}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each engine in turn: a SQLite file in tmp_path, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_path"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def registry(database_url: str) -> Iterator[MetricRegistry]:
    with MetricRegistry(database_url) as opened:
        yield opened
