"""Ordered schema steps, each recorded in the database once applied.

A registry runs the missing steps when it opens a database, inside one write transaction
(and, on PostgreSQL, under an advisory lock), so processes opening the same new database
at once cannot both create it. A step builds tables as its own version had them
(``define_tables(database, schema_version=…)``), never from the live models, and runs its
SQL in the migration's transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from .._database import PostgresDialect
from .._store import Store
from .._tables import define_tables
from ..errors import DatabaseOpenError
from .steps import STEPS, create_table

SCHEMA_VERSION: Final = len(STEPS)
_ADVISORY_LOCK_KEY: Final = 0x6D725F7265  # any constant, the same in every process


def migrate(store: Store) -> int:
    """Apply every missing step; return the schema version now in force."""
    dialect = store.dialect
    mark = "%s" if isinstance(dialect, PostgresDialect) else "?"
    with store.transaction() as transaction:
        if isinstance(dialect, PostgresDialect):
            transaction.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK_KEY,))
        create_table(transaction, define_tables(store.database).schema_version)
        rows = transaction.execute("SELECT version FROM schema_version").fetchall()
        applied: set[int] = {row[0] for row in rows}
        if applied and max(applied) > SCHEMA_VERSION:
            raise DatabaseOpenError(
                f"the database is at schema version {max(applied)}; this release of "
                f"metric-registry knows versions up to {SCHEMA_VERSION}: upgrade it"
            )
        for version, (name, step) in enumerate(STEPS, start=1):
            if version not in applied:
                step(transaction, store.database)
                transaction.execute(
                    f"INSERT INTO schema_version (version, name, applied_at) "
                    f"VALUES ({mark}, {mark}, {mark})",
                    (version, name, dialect.to_db_time(datetime.now(UTC))),
                )
    return SCHEMA_VERSION
