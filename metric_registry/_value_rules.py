"""The rules of a value's fields (SPEC §9.2), checked fast enough for batches of millions.

Plain checks rather than a pydantic model per row: validation is most of a batch's cost.
Each check returns the stored form of its field or raises ``Refused`` naming the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Final

from . import periods
from .errors import FieldCode, FieldError, shown
from .models import ContextType, PeriodDefinition, StorageUnit, TimeUnit
from .models.common import DATE_RULE, parse_date, storable
from .models.entities import UUID_RULE, canonical_uuid
from .models.values import INPUT_FIELDS, MAX_METADATA_BYTES

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
METADATA_ALIAS: Final = "_metadata"
ALLOWED_KEYS: Final = frozenset(INPUT_FIELDS) - {"metadata"} | {METADATA_ALIAS, "metadata"}
EMPTY_METADATA: Final = "{}"
FIRST_DATE: Final = date(2, 1, 1)
LAST_DATE: Final = date(9998, 12, 31)
"""Dates whose periods and instants every zone can represent (a year away from the ends)."""
_CONTEXTS: Final = {member.value: member for member in ContextType}
_UNITS: Final = {member.value: member for member in TimeUnit}
_MAX_DECIMAL_EXPONENT: Final = 400  # beyond both a double (1.8E+308) and 64 bits of cents
_TOO_LARGE: Final = {
    StorageUnit.CENTS: "must fit in a signed 64-bit integer of cents",
    StorageUnit.RAW: "must fit in a double (at most about 1.8E+308)",
}
_METADATA_ENCODER: Final = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, separators=(",", ":")
)


class Refused(Exception):  # noqa: N818 (a refusal of one field, not an error of the program)
    def __init__(self, field: str, code: FieldCode, message: str) -> None:
        super().__init__(message)
        self.error = FieldError(field, code, message)


def unknown_keys(row: Mapping[str, Any]) -> list[str]:
    return sorted(str(key) for key in row if key not in ALLOWED_KEYS)


def context_type(value: object) -> ContextType:
    member = _CONTEXTS.get(value) if isinstance(value, str) else None
    if member is None:
        allowed = ", ".join(repr(name) for name in _CONTEXTS)
        raise Refused(
            "context_type", "invalid_choice", f"must be one of {allowed}, got {shown(value)}"
        )
    return member


def entity_uid(value: object) -> str:
    canonical = canonical_uuid(value) if isinstance(value, str) else None
    if canonical is None:
        if not isinstance(value, str):
            raise Refused("entity_uid", "invalid_type", "must be a string (a UUID)")
        raise Refused("entity_uid", "invalid_format", UUID_RULE)
    return canonical


def metric_uid(value: object) -> str:
    if not isinstance(value, str):
        raise Refused("metric_uid", "invalid_type", "must be a string")
    return value


def time_unit(value: object, definition: PeriodDefinition | None) -> TimeUnit:
    member = _UNITS.get(value) if isinstance(value, str) else None
    if member is None:
        allowed = ", ".join(repr(name) for name in _UNITS)
        raise Refused(
            "time_unit", "invalid_choice", f"must be one of {allowed}, got {shown(value)}"
        )
    if member not in periods.allowed_time_units(definition):
        allowed = ", ".join(repr(unit.value) for unit in periods.allowed_time_units(definition))
        raise Refused(
            "time_unit",
            "invalid_choice",
            f"a {definition} metric takes time_unit {allowed}, not {member.value!r}",
        )
    return member


def metric_date(value: object, unit: TimeUnit) -> date:
    parsed = parse_date(value)
    if parsed is None:
        raise Refused("metric_date", "invalid_format", f"{DATE_RULE}, got {shown(value)}")
    if not FIRST_DATE <= parsed <= LAST_DATE:
        raise Refused(
            "metric_date",
            "out_of_range",
            f"must be from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}, got {parsed}",
        )
    canonical = periods.canonical_date(unit, parsed)
    if canonical != parsed:
        raise Refused(
            "metric_date",
            "invalid_format",
            f"a {unit.value} value is dated on the first day of its {unit.value}: "
            f"use {canonical.isoformat()}, not {parsed.isoformat()}",
        )
    return parsed


def value(given: object, unit: StorageUnit) -> int | float:
    """Cents as an exact 64-bit integer (never through a float); raw as a finite double."""
    if isinstance(given, bool) or not isinstance(given, int | float | Decimal):
        raise Refused("value", "invalid_type", f"must be a number, got {_kind(given)}")
    if isinstance(given, Decimal):  # math.isfinite raises on a signaling NaN
        if not given.is_finite():
            raise Refused("value", "out_of_range", "must be a finite number")
        if given.adjusted() > _MAX_DECIMAL_EXPONENT:  # int() of 1E+999999999 takes forever
            raise Refused("value", "out_of_range", _TOO_LARGE[unit])
    elif isinstance(given, float) and not math.isfinite(given):
        raise Refused("value", "out_of_range", "must be a finite number")
    if unit is StorageUnit.RAW:
        try:
            number = float(given)
        except OverflowError:  # an int beyond the doubles
            number = math.inf
        if not math.isfinite(number):
            raise Refused("value", "out_of_range", _TOO_LARGE[unit])
        return number
    if not isinstance(given, int):
        if given != int(given):
            raise Refused(
                "value", "invalid_type", f"must be a whole number of cents, got {shown(given)}"
            )
        given = int(given)
    if not INT64_MIN <= given <= INT64_MAX:
        raise Refused("value", "out_of_range", _TOO_LARGE[unit])
    return given


def timezone(value: object) -> str | None:
    if value is None:
        return None
    try:
        periods.zone(value if isinstance(value, str) else "")
    except periods.UnknownZoneError:
        raise Refused(
            "timezone",
            "invalid_choice",
            f"must be a zone of the tz database such as 'America/Los_Angeles', got {shown(value)}",
        ) from None
    return str(value)


def metadata(value: object) -> str:
    """The metadata object as stored JSON text (at most 64 KiB)."""
    if isinstance(value, dict) and not value:
        return EMPTY_METADATA
    if not isinstance(value, Mapping):
        raise Refused("_metadata", "invalid_type", f"must be a JSON object, got {_kind(value)}")
    try:
        text = _METADATA_ENCODER.encode(value)
    except (TypeError, ValueError, RecursionError) as exc:
        raise Refused("_metadata", "invalid_type", f"must hold JSON values only: {exc}") from None
    if not storable(text):
        raise Refused("_metadata", "invalid_format", "must be Unicode text without NUL characters")
    size = len(text.encode("utf-8"))
    if size > MAX_METADATA_BYTES:
        raise Refused(
            "_metadata",
            "too_long",
            f"must be at most {MAX_METADATA_BYTES} bytes as JSON, got {size}",
        )
    return text


def metadata_of(row: Mapping[str, Any]) -> object:
    """The metadata of an input row, under its wire name or its Python name (default {})."""
    if METADATA_ALIAS in row:
        return row[METADATA_ALIAS]
    return row.get("metadata", {})


def _kind(value: object) -> str:
    if value is None:
        return "null"
    names = {bool: "a boolean", str: "a string", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)
