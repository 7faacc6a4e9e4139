"""Writing validated value rows in chunks, and counting what each row did.

Every row is a tuple in ``INSERT_COLUMNS`` order. ``on_conflict`` is ``error`` (a duplicate key
raises ``ConflictError`` naming the row), ``skip`` (the stored value stays) or ``update`` (the
editable fields of the stored value take the row's; an identical row changes nothing).

SQLite runs one ``executemany`` per chunk under the write lock, and tells inserted rows from
updated ones by their ids (new rows get ids above the highest before the batch). PostgreSQL
copies each chunk into a temporary table with ``COPY`` and merges it with one ``INSERT …
SELECT … ON CONFLICT … RETURNING``, which says row by row whether it inserted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from ._store import Transaction
from .errors import ALREADY_EXISTS, ConflictError
from .models.values import ON_CONFLICT

OnConflict = Literal["error", "skip", "update"]
INSERT_COLUMNS: Final = (
    "uid",
    "metric_id",
    "entity_id",
    "time_unit",
    "metric_date",
    "value_cents",
    "value_raw",
    "timezone",
    "metadata",
    "created_at",
    "updated_at",
)
KEY: Final = ("entity_id", "time_unit", "metric_id", "metric_date")
EDITABLE: Final = ("value_cents", "value_raw", "timezone", "metadata")
_COLUMNS: Final = ", ".join(INSERT_COLUMNS)
_KEY: Final = ", ".join(KEY)
Describe = Callable[[int], str]
"""Names the row at a position of the batch (``values[17]: ``), for a conflict message."""


_EXISTING: Final = {
    mark: "SELECT uid FROM metric_value WHERE " + " AND ".join(f"{name} = {mark}" for name in KEY)
    for mark in ("?", "%s")
}


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rows: int = field(default=0, repr=False)


def _update_clause(distinct: str, table: str = "metric_value") -> str:
    changed = " OR ".join(f"{table}.{name} {distinct} excluded.{name}" for name in EDITABLE)
    assignments = ", ".join(f"{name} = excluded.{name}" for name in (*EDITABLE, "updated_at"))
    return f"DO UPDATE SET {assignments} WHERE {changed}"


class BatchWriter:
    """One batch: ``write`` its chunks, then ``finish`` for the counts."""

    def __init__(
        self,
        transaction: Transaction,
        on_conflict: OnConflict,
        mark: str,
        uid_text: Callable[[Any], str],
    ) -> None:
        self.transaction = transaction
        self._uid_text = uid_text
        self.on_conflict = on_conflict
        self.counts = Counts()
        self._mark = mark
        self._existing = _EXISTING[mark]

    def write(
        self, rows: Sequence[tuple[Any, ...]], positions: Sequence[int], describe: Describe
    ) -> None:
        raise NotImplementedError

    def finish(self) -> Counts:
        return self.counts

    def conflict(
        self, rows: Sequence[tuple[Any, ...]], positions: Sequence[int], describe: Describe
    ) -> ConflictError:
        """The first row of a chunk whose key was taken (before the batch, or in it)."""
        key_at = [INSERT_COLUMNS.index(name) for name in KEY]
        for row, position in zip(rows, positions, strict=True):
            stored = self.transaction.execute(self._existing, [row[i] for i in key_at]).fetchone()
            if stored is not None and stored[0] != row[0]:
                return ConflictError(
                    ALREADY_EXISTS,
                    f"{describe(position)}a value for this entity, metric, time unit and date "
                    f"exists already: uid {self._uid_text(stored[0])}",
                )
        return ConflictError(ALREADY_EXISTS, "a value in the batch has a key taken already")


_SQLITE_INSERTS: Final = {
    mode: f"INSERT INTO metric_value ({_COLUMNS}) VALUES ({', '.join('?' * len(INSERT_COLUMNS))}) "
    f"ON CONFLICT ({_KEY}) {_update_clause('IS NOT') if mode == 'update' else 'DO NOTHING'}"
    for mode in ON_CONFLICT
}


class SqliteBatchWriter(BatchWriter):
    def __init__(
        self, transaction: Transaction, on_conflict: OnConflict, uid_text: Callable[[Any], str]
    ) -> None:
        super().__init__(transaction, on_conflict, "?", uid_text)
        self._insert = _SQLITE_INSERTS[on_conflict]
        self._highest_before = (
            transaction.execute("SELECT COALESCE(MAX(id), 0) FROM metric_value").fetchone()[0]
            if on_conflict == "update"
            else 0
        )
        self._changes = 0

    def write(
        self, rows: Sequence[tuple[Any, ...]], positions: Sequence[int], describe: Describe
    ) -> None:
        changed = self.transaction.execute_many(self._insert, rows).rowcount
        if self.on_conflict == "error" and changed < len(rows):
            raise self.conflict(rows, positions, describe)
        self._changes += changed
        self.counts.rows += len(rows)

    def finish(self) -> Counts:
        counts = self.counts
        if self.on_conflict == "update":
            counts.inserted = self.transaction.execute(
                "SELECT COUNT(*) FROM metric_value WHERE id > ?", (self._highest_before,)
            ).fetchone()[0]
            counts.updated = self._changes - counts.inserted
            counts.unchanged = counts.rows - self._changes
        else:
            counts.inserted = self._changes
            counts.skipped = counts.rows - self._changes
        return counts


_STAGING: Final = """CREATE TEMP TABLE IF NOT EXISTS value_batch (
    position BIGINT, uid UUID, metric_id BIGINT, entity_id BIGINT, time_unit VARCHAR(8),
    metric_date DATE, value_cents BIGINT, value_raw DOUBLE PRECISION, timezone VARCHAR(64),
    metadata TEXT, created_at TIMESTAMPTZ, updated_at TIMESTAMPTZ
) ON COMMIT DELETE ROWS"""


class PostgresBatchWriter(BatchWriter):
    def __init__(
        self, transaction: Transaction, on_conflict: OnConflict, uid_text: Callable[[Any], str]
    ) -> None:
        super().__init__(transaction, on_conflict, "%s", uid_text)
        transaction.execute(_STAGING)
        transaction.execute("TRUNCATE value_batch")
        if on_conflict == "update":  # a key twice in one chunk: its last row wins
            source = (
                f"SELECT DISTINCT ON ({_KEY}) {_COLUMNS} FROM value_batch "
                f"ORDER BY {_KEY}, position DESC"
            )
            action = _update_clause("IS DISTINCT FROM")
        else:
            source = f"SELECT {_COLUMNS} FROM value_batch ORDER BY position"
            action = "DO NOTHING"
        self._merge = (
            f"WITH written AS (INSERT INTO metric_value ({_COLUMNS}) {source} "
            f"ON CONFLICT ({_KEY}) {action} RETURNING (xmax = 0) AS inserted) "
            "SELECT COUNT(*) FILTER (WHERE inserted), COUNT(*) FROM written"
        )

    def write(
        self, rows: Sequence[tuple[Any, ...]], positions: Sequence[int], describe: Describe
    ) -> None:
        transaction = self.transaction
        with transaction.copy(f"COPY value_batch (position, {_COLUMNS}) FROM STDIN") as copy:
            for position, row in zip(positions, rows, strict=True):
                copy.write_row((position, *row))
        inserted, written = transaction.execute(self._merge).fetchone()
        transaction.execute("TRUNCATE value_batch")
        if self.on_conflict == "error" and inserted < len(rows):
            raise self.conflict(rows, positions, describe)
        counts = self.counts
        counts.rows += len(rows)
        counts.inserted += inserted
        if self.on_conflict == "update":
            counts.updated += written - inserted
            counts.unchanged += len(rows) - written
        else:
            counts.skipped += len(rows) - inserted


def batch_writer(
    dialect_name: str,
    transaction: Transaction,
    on_conflict: OnConflict,
    uid_text: Callable[[Any], str],
) -> BatchWriter:
    writer = SqliteBatchWriter if dialect_name == "sqlite" else PostgresBatchWriter
    return writer(transaction, on_conflict, uid_text)
