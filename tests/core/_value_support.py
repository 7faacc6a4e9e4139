"""Helpers shared by the tests of entities and values (SPEC §9): a small catalog, a clock
that ticks, raw snapshots of the value tables, and the period table of §9.3 written out."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from metric_registry import MetricRegistry

from ._support import is_postgres, raw_connection, raw_rows

ORG = "ORGANIZATION"
PARTY = "PARTY"
USER = "USER"
ORG_A = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
ORG_B = "0b5fa7e2-6d1c-4c8a-9a4e-2f1f0c3d4e5f"
PARTY_A = "a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d"
UNREGISTERED = "ffffffff-0000-4000-8000-000000000000"
START = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
TODAY = START.date()

# The catalog most value tests record against: (uid, fields beyond a name).
CATALOG: dict[str, dict[str, Any]] = {
    "total_ar": {"value_type": "currency", "storage_unit": "cents"},
    "dso": {"value_type": "days", "period_definition": "trailing_30_days"},
    "monthly_ar": {
        "value_type": "currency",
        "storage_unit": "cents",
        "period_definition": "calendar_month",
    },
    "mtd_sales": {"storage_unit": "cents", "period_definition": "month_to_date"},
    "balance": {"storage_unit": "cents", "period_definition": "as_of_date"},
    "party_dso": {"context_type": PARTY, "value_type": "days"},
    "retired": {"is_active": False},
}


class Ticking:
    """A clock for ``MetricRegistry(clock=…)``: one second later at every call."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def fixed(moment: datetime = START) -> Callable[[], datetime]:
    return lambda: moment


def add_catalog(registry: MetricRegistry) -> None:
    """The metrics of ``CATALOG`` and the entities ORG_A, ORG_B (organizations), PARTY_A."""
    for uid, fields in CATALOG.items():
        registry.create_metric(uid=uid, name=uid.replace("_", " ").title(), **fields)
    registry.register_entities(
        [
            {"context_type": ORG, "uid": ORG_A, "name": "Acme"},
            {"context_type": ORG, "uid": ORG_B, "name": "Globex"},
            {"context_type": PARTY, "uid": PARTY_A, "name": "Initech"},
        ]
    )


@contextmanager
def opened(url: str, clock: Callable[[], datetime] | None = None) -> Iterator[MetricRegistry]:
    """A registry on ``url`` with ``add_catalog`` applied."""
    with MetricRegistry(url, clock=clock or Ticking()) as registry:
        add_catalog(registry)
        yield registry


def value_row(**fields: Any) -> dict[str, Any]:
    """A valid batch row (total_ar of ORG_A on 2026-03-15) with ``fields`` replacing its own."""
    row: dict[str, Any] = {
        "context_type": ORG,
        "entity_uid": ORG_A,
        "metric_uid": "total_ar",
        "metric_date": "2026-03-15",
        "value": 350_000_000,
    }
    row.update(fields)
    return row


def stored_values(url: str) -> list[tuple[Any, ...]]:
    """Every row of metric_value, every column, read outside the registry."""
    return raw_rows(url, "SELECT * FROM metric_value ORDER BY id")


_TABLES = ("metric_value", "entity", "metric")


_HELD: dict[str, Any] = {}
"""An open outside connection per module database (connecting costs more than reading)."""


def stored_tables(url: str) -> tuple[list[tuple[Any, ...]], ...]:
    """Every row of the value, entity and metric tables, read outside the registry (on one
    autocommit connection, which sees every committed write): what "nothing written"
    compares."""
    if url in _HELD:
        held = _HELD[url]
        if held is None:
            held = _HELD[url] = _connect(url)
        return _read_tables(held)
    with raw_connection(url) as connection:
        return _read_tables(connection)


def _read_tables(connection: Any) -> tuple[list[tuple[Any, ...]], ...]:
    return tuple(
        [tuple(row) for row in connection.execute(f"SELECT * FROM {table} ORDER BY id")]
        for table in _TABLES
    )


def count_values(url: str) -> int:
    return int(raw_rows(url, "SELECT COUNT(*) FROM metric_value")[0][0])


@contextmanager
def seeded_module_database(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``module_database`` with one value of ``total_ar`` for ``ORG_A`` on 2026-01-01."""
    with module_database(engine, tmp_path_factory) as url:
        with opened(url) as registry:
            registry.record_value(
                ORG, ORG_A, metric_uid="total_ar", metric_date="2026-01-01", value=1
            )
        yield url


@contextmanager
def module_database(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database for a module-scoped fixture: a SQLite file, or a fresh PostgreSQL schema."""
    if engine == "sqlite":
        path = str(tmp_path_factory.mktemp("values") / "metrics.db")
        with _held(path):
            yield path
        return
    server = os.environ.get("METRIC_REGISTRY_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("METRIC_REGISTRY_TEST_POSTGRES_URL is not set")
    import psycopg

    schema = f"mr_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in server else "?"
    url = f"{server}{separator}options={quote(f'-csearch_path={schema}')}"
    try:
        with _held(url):
            yield url
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def _held(url: str) -> Iterator[None]:
    """Let ``stored_tables`` keep an outside connection to ``url`` while the block runs
    (opened on first use, closed at the end)."""
    _HELD[url] = None
    try:
        yield
    finally:
        connection = _HELD.pop(url, None)
        if connection is not None:
            connection.close()


def _connect(url: str) -> Any:
    if is_postgres(url):
        import psycopg

        return psycopg.connect(url, autocommit=True)
    import sqlite3

    return sqlite3.connect(url, isolation_level=None)


ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def is_file(url: str) -> bool:
    return not is_postgres(url) and Path(url).name.endswith(".db")


def d(text: str) -> date:
    return date.fromisoformat(text)


# SPEC §9.3 written out by hand: (period_definition, time_unit, metric_date, start, end).
# Not computed by the code under test: every bound below was worked out from the table.
PERIOD_TABLE: list[tuple[str | None, str, str, str, str]] = [
    # no definition: the value's own day, month or year
    (None, "day", "2026-03-15", "2026-03-15", "2026-03-15"),
    (None, "day", "2024-02-29", "2024-02-29", "2024-02-29"),
    (None, "month", "2024-02-01", "2024-02-01", "2024-02-29"),
    (None, "month", "2023-02-01", "2023-02-01", "2023-02-28"),
    (None, "month", "2026-12-01", "2026-12-01", "2026-12-31"),
    (None, "year", "2024-01-01", "2024-01-01", "2024-12-31"),
    # as_of_date: the state at the end of the value's own period
    ("as_of_date", "day", "2026-03-15", "2026-03-15", "2026-03-15"),
    ("as_of_date", "day", "2024-02-29", "2024-02-29", "2024-02-29"),
    ("as_of_date", "month", "2024-02-01", "2024-02-29", "2024-02-29"),
    ("as_of_date", "month", "2023-02-01", "2023-02-28", "2023-02-28"),
    ("as_of_date", "month", "2026-04-01", "2026-04-30", "2026-04-30"),
    ("as_of_date", "year", "2026-01-01", "2026-12-31", "2026-12-31"),
    # trailing_30_days: the 30 days that end with the value's own period
    ("trailing_30_days", "day", "2024-03-01", "2024-02-01", "2024-03-01"),
    ("trailing_30_days", "day", "2023-03-01", "2023-01-31", "2023-03-01"),
    ("trailing_30_days", "day", "2026-01-15", "2025-12-17", "2026-01-15"),
    ("trailing_30_days", "day", "2024-02-29", "2024-01-31", "2024-02-29"),
    ("trailing_30_days", "month", "2024-02-01", "2024-01-31", "2024-02-29"),
    ("trailing_30_days", "month", "2023-02-01", "2023-01-30", "2023-02-28"),
    ("trailing_30_days", "month", "2026-03-01", "2026-03-02", "2026-03-31"),
    ("trailing_30_days", "year", "2024-01-01", "2024-12-02", "2024-12-31"),
    # calendar_month: the month containing the date
    ("calendar_month", "day", "2026-03-15", "2026-03-01", "2026-03-31"),
    ("calendar_month", "day", "2024-02-29", "2024-02-01", "2024-02-29"),
    ("calendar_month", "day", "2023-02-01", "2023-02-01", "2023-02-28"),
    ("calendar_month", "day", "2026-12-31", "2026-12-01", "2026-12-31"),
    ("calendar_month", "month", "2024-02-01", "2024-02-01", "2024-02-29"),
    ("calendar_month", "month", "2026-04-01", "2026-04-01", "2026-04-30"),
    # month_to_date: from the first of the month to the date
    ("month_to_date", "day", "2026-03-15", "2026-03-01", "2026-03-15"),
    ("month_to_date", "day", "2024-02-29", "2024-02-01", "2024-02-29"),
    ("month_to_date", "day", "2026-03-01", "2026-03-01", "2026-03-01"),
    ("month_to_date", "day", "2026-12-31", "2026-12-01", "2026-12-31"),
    ("month_to_date", "month", "2024-02-01", "2024-02-01", "2024-02-29"),
    ("month_to_date", "month", "2023-02-01", "2023-02-01", "2023-02-28"),
]
REFUSED_CELLS = [("calendar_month", "year"), ("month_to_date", "year")]

# Instants in a zone (SPEC §9.3): (definition, unit, date, zone, start_at, end_at, hours).
INSTANT_TABLE: list[tuple[str | None, str, str, str | None, str, str, float]] = [
    (None, "day", "2026-03-15", None, "2026-03-15T00:00", "2026-03-16T00:00", 24),
    (None, "day", "2026-03-15", "UTC", "2026-03-15T00:00", "2026-03-16T00:00", 24),
    # Los Angeles springs forward on 2026-03-08 and falls back on 2026-11-01
    (None, "day", "2026-03-07", "America/Los_Angeles", "2026-03-07T08:00", "2026-03-08T08:00", 24),
    (None, "day", "2026-03-08", "America/Los_Angeles", "2026-03-08T08:00", "2026-03-09T07:00", 23),
    (None, "day", "2026-11-01", "America/Los_Angeles", "2026-11-01T07:00", "2026-11-02T08:00", 25),
    (
        "calendar_month",
        "day",
        "2026-03-31",
        "America/Los_Angeles",
        "2026-03-01T08:00",
        "2026-04-01T07:00",
        743,
    ),
    (
        "calendar_month",
        "month",
        "2026-11-01",
        "America/Los_Angeles",
        "2026-11-01T07:00",
        "2026-12-01T08:00",
        721,
    ),
    (
        "trailing_30_days",
        "day",
        "2026-03-20",
        "America/Los_Angeles",
        "2026-02-19T08:00",
        "2026-03-21T07:00",
        719,
    ),
    (
        "as_of_date",
        "month",
        "2026-03-01",
        "Europe/London",
        "2026-03-30T23:00",
        "2026-03-31T23:00",
        24,
    ),
    (None, "day", "2026-03-29", "Europe/London", "2026-03-29T00:00", "2026-03-29T23:00", 23),
    (
        None,
        "year",
        "2026-01-01",
        "America/Los_Angeles",
        "2026-01-01T08:00",
        "2027-01-01T08:00",
        8760,
    ),
    (None, "year", "2024-01-01", "Asia/Tokyo", "2023-12-31T15:00", "2024-12-31T15:00", 8784),
    # Kathmandu is 5:45 ahead, without DST
    (None, "day", "2026-06-01", "Asia/Kathmandu", "2026-05-31T18:15", "2026-06-01T18:15", 24),
    # Lord Howe Island moves its clocks by half an hour (forward on 2026-10-04)
    (
        None,
        "day",
        "2026-10-04",
        "Australia/Lord_Howe",
        "2026-10-03T13:30",
        "2026-10-04T13:00",
        23.5,
    ),
    # Santiago skips its midnight on 2026-09-06 (the day begins at 01:00) and repeats
    # 23:00 on 2026-04-04; Havana repeats its first hour on 2026-11-01 (the first 00:00 counts)
    (None, "day", "2026-09-06", "America/Santiago", "2026-09-06T04:00", "2026-09-07T03:00", 23),
    (None, "day", "2026-04-04", "America/Santiago", "2026-04-04T03:00", "2026-04-05T04:00", 25),
    (None, "day", "2026-11-01", "America/Havana", "2026-11-01T04:00", "2026-11-02T05:00", 25),
]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
