"""Writing validated value rows in chunks, and counting what each row did.

Every row is a tuple in ``INSERT_COLUMNS`` order. ``on_conflict`` is ``error`` (a duplicate key
raises ``ConflictError`` naming the row), ``skip`` (the stored value stays) or ``update`` (the
editable fields of the stored value take the row's; an identical row changes nothing).

Rows apply in batch order, each counted against the state the rows before it left: a key
twice in one batch is, the second time, ``skipped`` (``skip``), ``updated`` or ``unchanged``
(``update``), or a ``ConflictError`` naming both rows (``error``).

SQLite runs one ``executemany`` per chunk under the write lock, and tells inserted rows from
updated ones by their ids (new rows get ids above the highest before the batch). PostgreSQL
copies each chunk into a temporary table with ``COPY`` and merges it with one ``INSERT …
SELECT … ON CONFLICT … RETURNING``, which says row by row whether it inserted; a chunk in
which a key repeats is merged in parts that each hold a key once, in order (one statement
cannot update a row twice, and must not drop the rows in between).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from ._store import Transaction
from .errors import ALREADY_EXISTS, ConflictError

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
_KEY_AT: Final = tuple(INSERT_COLUMNS.index(name) for name in KEY)
_KEY: Final = ", ".join(KEY)
Describe = Callable[[int], str]
"""Names the row at a position of the batch (``values[17]: ``), for a conflict message."""


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
        self._existing = "SELECT uid, id FROM metric_value WHERE " + " AND ".join(
            f"{name} = {mark}" for name in KEY
        )
        self._highest_before = transaction.execute(
            "SELECT COALESCE(MAX(id), 0) FROM metric_value"
        ).fetchone()[0]
        self._chunk: dict[Any, int] = {}  # uid -> position, of the chunk being written

    def write(
        self, rows: Sequence[tuple[Any, ...]], positions: Sequence[int], describe: Describe
    ) -> None:
        raise NotImplementedError

    def finish(self) -> Counts:
        return self.counts

    def conflict(
        self, rows: Sequence[tuple[Any, ...]], positions: Sequence[int], describe: Describe
    ) -> ConflictError:
        """The first of ``rows`` whose key was taken: by a stored value (named by its uid),
        or by an earlier row of this batch (named by its position when in the same chunk)."""
        for row, position in zip(rows, positions, strict=True):
            stored = self.transaction.execute(self._existing, [row[i] for i in _KEY_AT]).fetchone()
            if stored is None or stored[0] == row[0]:
                continue
            earlier = self._chunk.get(stored[0])
            if earlier is None and stored[1] <= self._highest_before:
                message = (
                    "a value for this entity, metric, time unit and date exists already: "
                    f"uid {self._uid_text(stored[0])}"
                )
            else:
                named = "" if earlier is None else describe(earlier).rstrip(": ") + ", "
                message = (
                    "this entity, metric, time unit and date are those of "
                    f"{named}an earlier row of this batch"
                )
            return ConflictError(ALREADY_EXISTS, describe(position) + message)
        return ConflictError(ALREADY_EXISTS, "a value in the batch has a key taken already")

    def remember(self, rows: Sequence[tuple[Any, ...]], positions: Sequence[int]) -> None:
        """The uids of the chunk about to be written, to name an earlier row in a conflict."""
        if self.on_conflict == "error":
            self._chunk = {row[0]: position for row, position in zip(rows, positions, strict=True)}


class SqliteBatchWriter(BatchWriter):
    def __init__(
        self, transaction: Transaction, on_conflict: OnConflict, uid_text: Callable[[Any], str]
    ) -> None:
        super().__init__(transaction, on_conflict, "?", uid_text)
        marks = ", ".join("?" * len(INSERT_COLUMNS))
        action = _update_clause("IS NOT") if on_conflict == "update" else "DO NOTHING"
        self._insert = (
            f"INSERT INTO metric_value ({_COLUMNS}) VALUES ({marks}) ON CONFLICT ({_KEY}) {action}"
        )
        self._changes = 0

    def write(
        self, rows: Sequence[tuple[Any, ...]], positions: Sequence[int], describe: Describe
    ) -> None:
        self.remember(rows, positions)
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
        action = _update_clause("IS DISTINCT FROM") if on_conflict == "update" else "DO NOTHING"
        self._merge = (
            f"WITH written AS (INSERT INTO metric_value ({_COLUMNS}) "
            f"SELECT {_COLUMNS} FROM value_batch ORDER BY position "
            f"ON CONFLICT ({_KEY}) {action} RETURNING (xmax = 0) AS inserted) "
            "SELECT COUNT(*) FILTER (WHERE inserted), COUNT(*) FROM written"
        )

    def write(
        self, rows: Sequence[tuple[Any, ...]], positions: Sequence[int], describe: Describe
    ) -> None:
        self.remember(rows, positions)
        for part_rows, part_positions in _parts(rows, positions):
            self._merge_part(part_rows, part_positions, describe)

    def _merge_part(
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


def _parts(
    rows: Sequence[tuple[Any, ...]], positions: Sequence[int]
) -> list[tuple[list[tuple[Any, ...]], list[int]]]:
    """``rows`` in parts that each hold a key once: a key's n-th row goes to part n, so the
    parts, merged in order, apply every row in batch order (one part when no key repeats)."""
    parts: list[tuple[list[tuple[Any, ...]], list[int]]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row, position in zip(rows, positions, strict=True):
        key = tuple([row[i] for i in _KEY_AT])
        number = seen[key] = seen.get(key, -1) + 1
        if number == len(parts):
            parts.append(([], []))
        parts[number][0].append(row)
        parts[number][1].append(position)
    return parts


def batch_writer(
    dialect_name: str,
    transaction: Transaction,
    on_conflict: OnConflict,
    uid_text: Callable[[Any], str],
) -> BatchWriter:
    writer = SqliteBatchWriter if dialect_name == "sqlite" else PostgresBatchWriter
    return writer(transaction, on_conflict, uid_text)
