"""A value row joined with its metric and entity, turned into ``MetricValue``; value uids.

The joined row's columns are ``SELECTED`` (the statements select them in this order). Value
uids are UUIDv7: time-ordered, so the uid index grows at its end rather than everywhere.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, Final

from . import periods
from ._database import Dialect
from .models import ContextType, PeriodDefinition, StorageUnit, TimeUnit, ValueType
from .models.values import MetricValue

SELECTED: Final = (
    "v.uid",
    "m.uid",
    "m.name",
    "m.period_definition",
    "e.context_type",
    "e.uid",
    "v.time_unit",
    "v.timezone",
    "v.metric_date",
    "m.storage_unit",
    "m.value_type",
    "v.value_cents",
    "v.value_raw",
    "v.metadata",
    "v.created_at",
    "v.updated_at",
)
JOINED: Final = (
    "metric_value v JOIN metric m ON m.id = v.metric_id JOIN entity e ON e.id = v.entity_id"
)
_PERIODS: Final = {member.value: member for member in PeriodDefinition}
_CONTEXTS: Final = {member.value: member for member in ContextType}
_UNITS: Final = {member.value: member for member in TimeUnit}
_STORAGE: Final = {member.value: member for member in StorageUnit}
_VALUE_TYPES: Final = {member.value: member for member in ValueType}
_EMPTY: Final = "{}"


class ValueDecoder:
    """Rows of ``SELECTED`` into ``MetricValue`` for one engine."""

    def __init__(self, dialect: Dialect) -> None:
        self._from_db_time = dialect.from_db_time
        self._sqlite = dialect.name == "sqlite"

    def uid_text(self, stored: Any) -> str:
        return str(uuid.UUID(bytes=stored)) if self._sqlite else str(stored)

    def stored_uid(self, text: str) -> Any:
        """A value uid as the engine stores it (16 bytes on SQLite, a UUID on PostgreSQL)."""
        parsed = uuid.UUID(text)
        return parsed.bytes if self._sqlite else parsed

    def new_stored_uid(self) -> Any:
        """A fresh value uid as the engine stores it."""
        made = new_uid_bytes()
        return made if self._sqlite else uuid.UUID(bytes=made)

    def stored_date(self, day: date) -> Any:
        return day.isoformat() if self._sqlite else day

    def decode(self, row: Sequence[Any], with_metadata: bool = True) -> MetricValue:
        (uid, metric_uid, metric_name, definition, context, entity_uid, unit, zone_name,
         day, storage, value_type, cents, raw, metadata, created_at, updated_at) = row  # fmt: skip
        period = None if definition is None else _PERIODS[definition]
        time_unit = _UNITS[unit]
        metric_date = date.fromisoformat(day) if isinstance(day, str) else day
        bounds = periods.period_bounds(period, time_unit, metric_date, zone_name)
        from_db_time = self._from_db_time
        return MetricValue.trusted(
            {
                "uid": self.uid_text(uid),
                "metric_uid": metric_uid,
                "metric_name": metric_name,
                "period_definition": period,
                "context_type": _CONTEXTS[context],
                "entity_uid": entity_uid,
                "time_unit": time_unit,
                "timezone": zone_name,
                "metric_date": metric_date,
                "storage_unit": _STORAGE[storage],
                "value_type": _VALUE_TYPES[value_type],
                "value": raw if cents is None else cents,
                "period_start": bounds.start,
                "period_end": bounds.end,
                "period_start_at": bounds.start_at,
                "period_end_at": bounds.end_at,
                "metadata": (
                    ({} if metadata == _EMPTY else json.loads(metadata)) if with_metadata else None
                ),
                "created_at": from_db_time(created_at),
                "updated_at": from_db_time(updated_at),
            }
        )


class _UidClock:
    """UUIDv7 (RFC 9562): 48 bits of milliseconds, a 12-bit sequence, 62 random bits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._sequence = 0
        self._random = random.Random(os.urandom(16))  # noqa: S311 (unique, not secret)
        os.register_at_fork(after_in_child=self._reseed)

    def _reseed(self) -> None:
        self._random = random.Random(os.urandom(16))  # noqa: S311 (unique, not secret)

    def next_bytes(self) -> bytes:
        with self._lock:
            now = time.time_ns() // 1_000_000
            if now > self._last_ms:
                self._last_ms, self._sequence = now, self._random.getrandbits(8)
            else:
                self._sequence += 1
                if self._sequence > 0xFFF:
                    self._last_ms, self._sequence = self._last_ms + 1, 0
            number = (
                (self._last_ms << 80)
                | (0x7 << 76)
                | (self._sequence << 64)
                | (0b10 << 62)
                | self._random.getrandbits(62)
            )
        return number.to_bytes(16, "big")


new_uid_bytes = _UidClock().next_bytes
