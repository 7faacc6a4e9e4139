"""Helpers shared by the core tests: snapshots of a registry, raw access to its database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from typing import Any

from hypothesis import HealthCheck, settings

from metric_registry import Metric, MetricRegistry, ValidationError
from tests.spec import METRIC_FIELDS

# Property tests: modest example counts and no deadline (the database does real fsyncs).
PROPERTIES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TIMESTAMP_JSON = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
METRIC_KEYS = frozenset(METRIC_FIELDS)


def all_metrics(registry: MetricRegistry) -> tuple[Metric, ...]:
    """Every stored metric, in uid order, read page by page."""
    items: list[Metric] = []
    page = 1
    while True:
        listing = registry.list_metrics(page=page, per_page=100)
        items.extend(listing.items)
        if page >= listing.total_pages:
            return tuple(items)
        page += 1


def errors_of(error: ValidationError) -> set[tuple[str, str]]:
    """``{(field, code)}`` of a ``ValidationError``."""
    return {(item.field, item.code) for item in error.errors}


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


@contextmanager
def raw_connection(url: str) -> Iterator[Any]:
    """A driver connection to the registry's database, outside the registry (autocommit)."""
    if is_postgres(url):
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            yield connection
    else:
        with closing(sqlite3.connect(url, isolation_level=None)) as connection:
            yield connection


def raw_rows(url: str, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (written with ``?`` placeholders) run on a separate connection."""
    with raw_connection(url) as connection:
        if is_postgres(url):
            sql = sql.replace("?", "%s")
        return [tuple(row) for row in connection.execute(sql, tuple(params)).fetchall()]


@contextmanager
def unraisable() -> Iterator[list[str]]:
    """Collect what ``__del__`` methods report (a connection left open) until the block ends.

    The block ends with a garbage collection, so objects dropped inside it are finalised
    while this hook is listening.
    """
    import gc
    import sys

    gc.collect()  # finalise what earlier code dropped before listening
    seen: list[str] = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda report: seen.append(
        f"{getattr(report.exc_type, '__name__', report.exc_type)}: {report.exc_value}"
    )
    try:
        yield seen
        gc.collect()
    finally:
        sys.unraisablehook = previous
