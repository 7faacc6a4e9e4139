"""The value book (SPEC §9.2, §9.4): recording values one by one or in streamed batches,
reading one back, changing its editable fields, deleting it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from . import _value_rules as rules
from ._sql import statement_from_text
from ._store import Store, Transaction
from ._validation import merge_input
from ._value_batches import BatchWriter, Counts, OnConflict, batch_writer
from ._value_input import RowPreparer
from ._value_rows import JOINED, SELECTED, ValueDecoder
from .entities import EntityBook
from .errors import FieldError, NotFoundError, ValidationError, shown
from .metrics import MetricBook
from .models import StorageUnit
from .models.entities import canonical_uuid
from .models.values import EDITABLE_FIELDS, KEY_FIELDS, ON_CONFLICT, MetricValue, RecordSummary

CHUNK_ROWS: Final = 1000
MAX_REPORTED_ERRORS: Final = 100
TABLE: Final = "metric_value"


class ValueBook:
    """Metric values, keyed by uid and by (entity, metric, time unit, date)."""

    def __init__(
        self,
        store: Store,
        metrics: MetricBook,
        entities: EntityBook,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.metrics = metrics
        self.entities = entities
        self.clock = clock
        self.decoder = ValueDecoder(store.dialect)
        mark = "%s" if store.dialect.name == "postgresql" else "?"
        columns = ", ".join(SELECTED)
        self._select = statement_from_text(
            f"SELECT {columns}, v.id FROM {JOINED} WHERE v.uid = :uid", mark, TABLE
        )
        # An update reads the row it changes under a row lock (SQLite's write lock is taken
        # up front): two updates of different fields must not undo each other.
        locked = " FOR UPDATE OF v" if store.dialect.name == "postgresql" else ""
        self._select_for_update = statement_from_text(
            f"SELECT {columns}, v.id FROM {JOINED} WHERE v.uid = :uid{locked}", mark, TABLE
        )
        self._update = statement_from_text(
            "UPDATE metric_value SET value_cents = :value_cents, value_raw = :value_raw, "
            "timezone = :timezone, metadata = :metadata, updated_at = :updated_at WHERE id = :id",
            mark,
            TABLE,
        )
        self._delete = statement_from_text("DELETE FROM metric_value WHERE uid = :uid", mark, TABLE)

    def record(
        self, context_type: object, entity_uid: object, fields: Mapping[str, Any]
    ) -> MetricValue:
        row = {**fields, "context_type": context_type, "entity_uid": entity_uid}
        with self.store.transaction() as transaction:
            if transaction.nested:  # with the caller's other writes, it is a batch
                transaction.lock_writers(TABLE)
            batch = RowPreparer(self, transaction, register_entities=False)
            stored, errors = batch.prepare(row, "")
            if stored is None:
                raise ValidationError(errors)
            writer = self._writer(transaction, "error")
            writer.write([stored], [0], lambda _: "")
        metric = batch.metric(row["metric_uid"])[1]
        assert metric is not None  # the row was prepared against it
        (uid, _, _, unit, day, cents, raw, zone_name, metadata, created_at, updated_at) = stored
        period = None if metric.period_definition is None else metric.period_definition.value
        return self.decoder.decode(
            (uid, metric.uid, metric.name, period, metric.context_type.value,
             rules.entity_uid(entity_uid), unit, zone_name, day, metric.storage_unit.value,
             metric.value_type.value, cents, raw, metadata, created_at, updated_at)
        )  # fmt: skip

    def record_many(
        self, rows: Iterable[Mapping[str, Any]], on_conflict: str, register_entities: bool
    ) -> RecordSummary:
        if on_conflict not in ON_CONFLICT:
            allowed = ", ".join(repr(mode) for mode in ON_CONFLICT)
            raise ValidationError.single(
                "on_conflict",
                "invalid_choice",
                f"must be one of {allowed}, got {shown(on_conflict)}",
            )
        if not isinstance(register_entities, bool):
            raise ValidationError.single("register_entities", "invalid_type", "must be a boolean")
        with self.store.transaction() as transaction:
            transaction.lock_writers(TABLE)
            counts = self._write_batch(transaction, rows, on_conflict, register_entities)  # type: ignore[arg-type]
        return RecordSummary.trusted(
            {
                "inserted": counts.inserted,
                "updated": counts.updated,
                "unchanged": counts.unchanged,
                "skipped": counts.skipped,
            }
        )

    def _writer(self, transaction: Transaction, on_conflict: OnConflict) -> BatchWriter:
        return batch_writer(
            self.store.dialect.name, transaction, on_conflict, self.decoder.uid_text
        )

    def _write_batch(
        self,
        transaction: Transaction,
        rows: Iterable[Mapping[str, Any]],
        on_conflict: OnConflict,
        register_entities: bool,
    ) -> Counts:
        batch = RowPreparer(self, transaction, register_entities)
        writer = self._writer(transaction, on_conflict)
        errors: list[FieldError] = []
        chunk: list[tuple[Any, ...]] = []
        positions: list[int] = []
        describe = "values[{}]: ".format
        for position, row in enumerate(rows):
            stored, refused = batch.prepare(row, f"values[{position}].")
            if refused:
                errors.extend(refused)
                if len(errors) >= MAX_REPORTED_ERRORS:
                    break
            elif not errors and stored is not None:
                chunk.append(stored)
                positions.append(position)
                if len(chunk) == CHUNK_ROWS:
                    writer.write(chunk, positions, describe)
                    chunk, positions = [], []
        if errors:
            raise ValidationError(errors[:MAX_REPORTED_ERRORS])
        if chunk:
            writer.write(chunk, positions, describe)
        return writer.finish()

    def _row(self, uid: object, *, for_update: bool = False) -> Any:
        canonical = canonical_uuid(uid) if isinstance(uid, str) else None
        if canonical is None:
            raise NotFoundError("value", str(uid))
        stored_uid = self.decoder.stored_uid(canonical)
        statement = self._select_for_update if for_update else self._select
        row = self.store.fetch_one(statement.sql, (stored_uid,))
        if row is None:
            raise NotFoundError("value", canonical)
        return row

    def get(self, uid: object) -> MetricValue:
        return self.decoder.decode(self._row(uid)[:-1])

    def update(
        self, uid: object, data: Mapping[str, Any] | None, changes: Mapping[str, Any]
    ) -> MetricValue:
        requested = merge_input(data, changes)
        with self.store.transaction() as transaction:
            row = self._row(uid, for_update=True)
            current = self.decoder.decode(row[:-1])
            fields = _checked_changes(current, requested)
            changed = {
                name: value for name, value in fields.items() if getattr(current, name) != value
            }
            if not changed:
                return current
            updated = current.model_copy(update={**changed, "updated_at": self.clock()})
            cents = current.storage_unit is StorageUnit.CENTS
            transaction.run(
                self._update,
                {
                    "value_cents": updated.value if cents else None,
                    "value_raw": None if cents else updated.value,
                    "timezone": updated.timezone,
                    "metadata": rules.metadata(updated.metadata),
                    "updated_at": self.store.dialect.to_db_time(updated.updated_at),
                    "id": row[-1],
                },
            )
        return self.get(current.uid)

    def delete(self, uid: object) -> None:
        canonical = canonical_uuid(uid) if isinstance(uid, str) else None
        if canonical is None:
            raise NotFoundError("value", str(uid))
        with self.store.transaction() as transaction:
            deleted = transaction.run(
                self._delete, {"uid": self.decoder.stored_uid(canonical)}
            ).rowcount
        if deleted == 0:
            raise NotFoundError("value", canonical)


def _checked_changes(current: MetricValue, requested: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields an update asks for, checked; key fields may only repeat theirs."""
    errors: list[FieldError] = []
    fields: dict[str, Any] = {}
    stored_key = {
        "metric_uid": current.metric_uid,
        "context_type": current.context_type.value,
        "entity_uid": current.entity_uid,
        "time_unit": current.time_unit.value,
        "metric_date": current.metric_date.isoformat(),
    }
    for name, given in requested.items():
        wire = "metadata" if name == rules.METADATA_ALIAS else name
        try:
            if wire in KEY_FIELDS:
                if _normalized_key(wire, given) != stored_key[wire]:
                    errors.append(
                        FieldError(
                            wire,
                            "immutable_field",
                            f"cannot change after recording: stored {stored_key[wire]!r}, "
                            f"requested {shown(given)}",
                        )
                    )
            elif wire == "value":
                fields["value"] = rules.value(given, current.storage_unit)
            elif wire == "timezone":
                fields["timezone"] = rules.timezone(given)
            elif wire == "metadata":
                rules.metadata(given)
                fields["metadata"] = dict(given)
            else:
                errors.append(
                    FieldError(
                        name,
                        "unknown_field",
                        f"is not a field of a value (editable: {', '.join(EDITABLE_FIELDS)})",
                    )
                )
        except rules.Refused as refused:
            errors.append(refused.error)
    if errors:
        raise ValidationError(errors)
    return fields


def _normalized_key(name: str, given: object) -> object:
    if name == "entity_uid" and isinstance(given, str):
        return canonical_uuid(given) or given
    if name == "metric_date" and hasattr(given, "isoformat"):
        return given.isoformat()
    return given
