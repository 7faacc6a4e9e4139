"""Input rows of values into the tuples the batch writers store (SPEC §9.2 rules, per row)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from typing import Any, Final

from . import _value_rules as rules
from ._store import Transaction
from .errors import FieldError, shown
from .models import Metric, StorageUnit, TimeUnit
from .models.entities import EntityInput

_NO_METRIC: Final = (0, None)
REQUIRED: Final = ("context_type", "entity_uid", "metric_uid", "metric_date", "value")
_EMPTY: Final = object()


class RowPreparer:
    """Turns the input rows of one call into stored tuples, remembering what it has checked.

    A row like one already accepted (same context, entity, metric, time unit; a date and a
    zone seen before) takes the fast path: dictionary lookups and the value's own check.
    Anything else takes the full path, which names every refused field.
    """

    def __init__(self, book: Any, transaction: Transaction, register_entities: bool) -> None:
        self.book = book
        self._groups: dict[tuple[Any, ...], tuple[int, int | None, str, bool]] = {}
        self._dates: dict[tuple[Any, str], Any] = {}
        self._zones: set[str] = set()
        self.transaction = transaction
        self.register_entities = register_entities
        self.metrics: dict[str, tuple[int, Metric | None]] = {}
        self.entities: dict[tuple[str, str], int | None] = {}
        now = book.clock()
        self.now = now
        self.stored_now = book.store.dialect.to_db_time(now)
        self.new_uid = book.decoder.new_stored_uid

    def metric(self, uid: str) -> tuple[int, Metric | None]:
        found = self.metrics.get(uid)
        if found is None:
            found = self.metrics[uid] = self.book.metrics.lookup(uid) or _NO_METRIC
        return found

    def entity_id(self, context_type: str, uid: str) -> int | None:
        key = (context_type, uid)
        if key in self.entities:
            return self.entities[key]
        found: int | None = self.book.entities.id_of(context_type, uid)
        if found is None and self.register_entities:
            given = EntityInput.model_validate({"context_type": context_type, "uid": uid})
            found = int(self.book.entities.register_in(self.transaction, given)[1])
        self.entities[key] = found
        return found

    def prepare(self, row: object, prefix: str) -> tuple[tuple[Any, ...] | None, list[FieldError]]:
        """The stored tuple of one input row, or the errors of its fields."""
        try:
            stored = self._fast(row)
        except (KeyError, TypeError, AttributeError):
            stored = None
        if stored is not None:
            return stored, []
        return self._full(row, prefix)

    def _fast(self, row: Any) -> tuple[Any, ...] | None:
        if not row.keys() <= rules.ALLOWED_KEYS:
            return None
        unit = row.get("time_unit", "day")
        group = self._groups.get((row["context_type"], row["entity_uid"], row["metric_uid"], unit))
        if group is None:
            return None
        metric_id, entity_id, unit_value, cents = group
        day = self._dates.get((row["metric_date"], unit_value))
        zone_name = row.get("timezone")
        if day is None or (zone_name is not None and zone_name not in self._zones):
            return None
        metadata = row.get(rules.METADATA_ALIAS, row.get("metadata", _EMPTY))
        if metadata is not _EMPTY and (type(metadata) is not dict or metadata):
            return None
        stored_metadata = rules.EMPTY_METADATA
        stored_value = _plain_value(row["value"], cents)
        if stored_value is None:
            return None
        now = self.stored_now
        return (
            self.new_uid(), metric_id, entity_id, unit_value, day, *stored_value,
            zone_name, stored_metadata, now, now,
        )  # fmt: skip

    def _full(self, row: object, prefix: str) -> tuple[tuple[Any, ...] | None, list[FieldError]]:
        if not isinstance(row, Mapping):
            field = prefix.rstrip(".") or "body"
            return None, [FieldError(field, "invalid_type", "must be an object of fields")]
        errors = [
            FieldError(prefix + key, "unknown_field", "is not a field of a value")
            for key in rules.unknown_keys(row)
        ] + [
            FieldError(prefix + name, "required", "is required")
            for name in REQUIRED
            if name not in row
        ]
        checked: dict[str, Any] = {}

        def check(name: str, function: Callable[..., Any], *arguments: Any) -> None:
            try:
                checked[name] = function(*arguments)
            except rules.Refused as refused:
                errors.append(
                    FieldError(
                        prefix + refused.error.field, refused.error.code, refused.error.message
                    )
                )

        for name, rule in (
            ("context_type", rules.context_type),
            ("entity_uid", rules.entity_uid),
            ("metric_uid", rules.metric_uid),
        ):
            if name in row:  # a missing field is "required" alone
                check(name, rule, row[name])
        check("timezone", rules.timezone, row.get("timezone"))
        check("metadata", rules.metadata, rules.metadata_of(row))
        metric_id, metric = (
            self.metric(checked["metric_uid"]) if "metric_uid" in checked else _NO_METRIC
        )
        if metric is None:
            if "metric_uid" in checked:
                message = f"no metric has uid {shown(checked['metric_uid'])}"
                errors.append(FieldError(prefix + "metric_uid", "not_found", message))
            return None, errors
        context = checked.get("context_type")
        errors.extend(_against_metric(metric, context, prefix))
        check(
            "time_unit",
            rules.time_unit,
            row.get("time_unit", TimeUnit.DAY.value),
            metric.period_definition,
        )
        if "metric_date" in row:  # with a bad time unit, still a date (of a day)
            unit = checked.get("time_unit", TimeUnit.DAY)
            check("metric_date", rules.metric_date, row["metric_date"], unit)
        if "value" in row:
            check("value", rules.value, row["value"], metric.storage_unit)
        entity_id = None
        if "entity_uid" in checked and context is metric.context_type:
            entity_id = self.entity_id(context.value, checked["entity_uid"])
            if entity_id is None:
                message = (
                    f"no {context.value} entity has uid {checked['entity_uid']}: register it first"
                )
                errors.append(FieldError(prefix + "entity_uid", "not_found", message))
        if errors:
            return None, errors
        value = checked["value"]
        cents = metric.storage_unit is StorageUnit.CENTS
        unit_value = checked["time_unit"].value
        stored_date = self.book.decoder.stored_date(checked["metric_date"])
        with contextlib.suppress(TypeError):  # an unhashable spelling is simply not remembered
            group_key = (row["context_type"], row["entity_uid"], row["metric_uid"])
            self._groups[(*group_key, row.get("time_unit", "day"))] = (
                metric_id, entity_id, unit_value, cents,
            )  # fmt: skip
            self._dates[(row["metric_date"], unit_value)] = stored_date
        if checked["timezone"] is not None:
            self._zones.add(checked["timezone"])
        return (
            self.new_uid(),
            metric_id,
            entity_id,
            unit_value,
            stored_date,
            value if cents else None,
            None if cents else value,
            checked["timezone"],
            checked["metadata"],
            self.stored_now,
            self.stored_now,
        ), []


def _plain_value(value: Any, cents: bool) -> tuple[int | None, float | None] | None:
    """``(cents, raw)`` of a plain int or float that needs no further check, else None."""
    kind = type(value)
    if cents:
        if kind is int and rules.INT64_MIN <= value <= rules.INT64_MAX:
            return value, None
        return None
    if kind is float and math.isfinite(value):
        return None, value
    return (None, float(value)) if kind is int else None


def _against_metric(metric: Metric, context: object, prefix: str) -> list[FieldError]:
    """What the metric itself refuses: new values once deactivated, another context type."""
    errors = []
    if not metric.is_active:
        message = f"metric {metric.uid!r} is deactivated: it takes no new values"
        errors.append(FieldError(prefix + "metric_uid", "inactive", message))
    if context is not None and context is not metric.context_type:
        message = (
            f"metric {metric.uid!r} is measured about {metric.context_type.value}, "
            f"not {getattr(context, 'value', context)}"
        )
        errors.append(FieldError(prefix + "context_type", "mismatch", message))
    return errors
