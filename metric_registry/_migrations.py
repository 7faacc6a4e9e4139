"""Ordered schema steps, each recorded in the database once applied.

A registry runs the missing steps when it opens a database, inside one write transaction
(and, on PostgreSQL, under an advisory lock), so processes opening the same new database
at once cannot both create it. Step 1 creates the tables from the live models; a later
step that changes a table must freeze step 1 by copying the models as they were into it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

from ._store import PostgresDialect, Store
from ._tables import Tables
from .errors import DatabaseOpenError

Step = Callable[[Tables], None]
_ADVISORY_LOCK_KEY: Final = 0x6D725F7265  # any constant, the same in every process


def _create_metrics(tables: Tables) -> None:
    tables.metric.create_table(safe=True)


def _create_tokens(tables: Tables) -> None:
    tables.token.create_table(safe=True)


STEPS: Final[tuple[tuple[str, Step], ...]] = (
    ("create metric", _create_metrics),
    ("create api_token", _create_tokens),
)
SCHEMA_VERSION: Final = len(STEPS)


def migrate(store: Store, tables: Tables) -> int:
    """Apply every missing step; return the schema version now in force."""
    versions = tables.schema_version
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
                step(tables)
                now = store.dialect.to_db_time(datetime.now(UTC))
                versions.insert(version=version, name=name, applied_at=now).execute()
    return SCHEMA_VERSION
