"""Ordered schema steps, each recorded in the database once applied.

A registry runs the missing steps when it opens a database, inside one write transaction
(and, on PostgreSQL, under an advisory lock), so processes opening the same new database
at once cannot both create it. A step builds tables as its own version had them
(``define_tables(database, schema_version=…)``), never from the live models.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

import peewee as pw

from ._metric_sql import search_text
from ._store import PostgresDialect, Store
from ._tables import SEARCH_TEXT_SINCE, define_tables
from .errors import DatabaseOpenError

Step = Callable[[pw.Database], None]
_ADVISORY_LOCK_KEY: Final = 0x6D725F7265  # any constant, the same in every process


def _create_metrics(database: pw.Database) -> None:
    define_tables(database, schema_version=1).metric.create_table(safe=True)


def _create_tokens(database: pw.Database) -> None:
    define_tables(database, schema_version=2).token.create_table(safe=True)


def _add_search_text(peewee_database: pw.Database) -> None:
    """A case-folded copy of uid and name, so search is Unicode-aware on SQLite too."""
    database: Any = peewee_database
    database.execute_sql("ALTER TABLE metric ADD COLUMN search_text TEXT NOT NULL DEFAULT ''")
    rows = database.execute_sql("SELECT id, uid, name FROM metric").fetchall()
    mark = database.param
    database.cursor().executemany(
        f"UPDATE metric SET search_text = {mark} WHERE id = {mark}",
        [(search_text(uid, name), row_id) for row_id, uid, name in rows],
    )
    database.execute_sql("CREATE INDEX metric_search_text ON metric (search_text)")


STEPS: Final[tuple[tuple[str, Step], ...]] = (
    ("create metric", _create_metrics),
    ("create api_token", _create_tokens),
    ("add metric.search_text", _add_search_text),
)
SCHEMA_VERSION: Final = len(STEPS)
assert STEPS[SEARCH_TEXT_SINCE - 1][1] is _add_search_text


def migrate(store: Store) -> int:
    """Apply every missing step; return the schema version now in force."""
    database = store.database
    versions = define_tables(database).schema_version
    with store.transaction() as transaction:
        if isinstance(store.dialect, PostgresDialect):
            transaction.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_KEY,))
        versions.create_table(safe=True)
        rows = store.fetch_all(f"SELECT version FROM {versions._meta.table_name}", ())
        applied: set[int] = {row[0] for row in rows}
        if applied and max(applied) > SCHEMA_VERSION:
            raise DatabaseOpenError(
                f"the database is at schema version {max(applied)}; this release of "
                f"metric-registry knows versions up to {SCHEMA_VERSION}: upgrade it"
            )
        for version, (name, step) in enumerate(STEPS, start=1):
            if version not in applied:
                step(database)
                now = store.dialect.to_db_time(datetime.now(UTC))
                versions.insert(version=version, name=name, applied_at=now).execute()
    return SCHEMA_VERSION
