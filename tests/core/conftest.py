"""Fixtures of the core tests (the shared ones live in tests/conftest.py)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from metric_registry import MetricRegistry

from ._support import is_postgres


@pytest.fixture
def another_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, separate database on the same engine as ``database_url``."""
    if not is_postgres(database_url):
        yield str(tmp_path / "other.db")
        return
    import psycopg

    server = os.environ["METRIC_REGISTRY_TEST_POSTGRES_URL"]
    schema = f"mr_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in server else "?"
    yield f"{server}{separator}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def file_registry(sqlite_path: str) -> Iterator[MetricRegistry]:
    """A registry on a fresh SQLite file, for rules checked before the store is reached."""
    with MetricRegistry(sqlite_path) as opened:
        yield opened
