"""Period bounds (SPEC §9.3): which local dates a value covers, and the instants they span.

D is the value's ``metric_date``; E the last day of its own ``time_unit`` period (a day: D; a
month: its last day; a year: December 31). Bounds are inclusive local dates:

=================  ==================  ==========  =======
definition         day                 month       year
=================  ==================  ==========  =======
None               [D, D]              the month   the year
as_of_date         [E, E]              [E, E]      [E, E]
trailing_30_days   [E-29, E]           [E-29, E]   [E-29, E]
calendar_month     D's month           the month   refused
month_to_date      [D's month's 1, D]  the month   refused
=================  ==================  ==========  =======

``start_at``/``end_at`` are the first instant of ``start`` and of the day after ``end`` in the
value's zone, in UTC: a period over a DST change is an hour shorter or longer. A day whose
midnight the clocks skipped starts when the gap ends; a day skipped whole (Pacific/Apia,
2011-12-30) starts and ends at the same instant.

Errors, all ``ValueError``: ``UnknownZoneError`` (``zone``), ``UnsupportedGrainError`` (a
``calendar_month``/``month_to_date`` value of ``year``), ``DateOutOfRangeError`` (bounds past
the dates and instants Python represents, e.g. a day value on 9999-12-31).
"""

from __future__ import annotations

import calendar
import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

from .models.enums import PeriodDefinition, TimeUnit

ALL_UNITS: Final = (TimeUnit.DAY, TimeUnit.MONTH, TimeUnit.YEAR)
MONTH_UNITS: Final = (TimeUnit.DAY, TimeUnit.MONTH)
_ZONE_NAME: Final = re.compile(r"[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*")
_MAX_ZONE_NAME: Final = 64
_NOT_ZONES: Final = frozenset({"localtime", "posixrules"})
_SECOND: Final = timedelta(seconds=1)


class UnknownZoneError(ValueError):
    """Not a zone of the tz database."""


class UnsupportedGrainError(ValueError):
    """A period definition that cannot read a value of this time unit."""


class DateOutOfRangeError(ValueError):
    """Bounds that fall outside the dates and instants Python represents."""


@dataclass(frozen=True, slots=True)
class PeriodBounds:
    start: date
    end: date
    start_at: datetime
    end_at: datetime


def allowed_time_units(definition: PeriodDefinition | None) -> tuple[TimeUnit, ...]:
    if definition in (PeriodDefinition.CALENDAR_MONTH, PeriodDefinition.MONTH_TO_DATE):
        return MONTH_UNITS
    return ALL_UNITS


def canonical_date(unit: TimeUnit, day: date) -> date:
    """The date a value of ``unit`` containing ``day`` is recorded under."""
    if unit == TimeUnit.DAY:
        return day
    if unit == TimeUnit.MONTH:
        return day.replace(day=1)
    if unit == TimeUnit.YEAR:
        return day.replace(month=1, day=1)
    raise ValueError(f"{unit!r} is not a time unit")


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - _NOT_ZONES) | {"UTC"}


@functools.lru_cache(maxsize=1024)
def zone(name: str | None) -> tzinfo:
    """The zone named ``name`` (None: UTC); ``UnknownZoneError`` for anything else."""
    if name is None:
        return UTC
    if (
        not isinstance(name, str)
        or len(name) > _MAX_ZONE_NAME
        or not _ZONE_NAME.fullmatch(name)
        or name not in _zone_names()
    ):
        raise UnknownZoneError(f"{name!r} is not a zone of the tz database")
    return zoneinfo.ZoneInfo(name)


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _own_end(unit: TimeUnit, day: date) -> date:
    if unit == TimeUnit.MONTH:
        return _month_end(day)
    if unit == TimeUnit.YEAR:
        return day.replace(month=12, day=31)
    return day


def local_dates(
    definition: PeriodDefinition | None, unit: TimeUnit, day: date
) -> tuple[date, date]:
    """The inclusive local dates a value covers."""
    unit = TimeUnit(unit)
    definition = None if definition is None else PeriodDefinition(definition)
    end = _own_end(unit, day)
    if definition is None:
        return canonical_date(unit, day), end
    if definition is PeriodDefinition.AS_OF_DATE:
        return end, end
    if definition is PeriodDefinition.TRAILING_30_DAYS:
        return end - timedelta(days=29), end
    if unit is TimeUnit.YEAR:
        allowed = " or ".join(repr(unit.value) for unit in MONTH_UNITS)
        raise UnsupportedGrainError(
            f"{definition.value} metrics take time_unit {allowed}, not 'year'"
        )
    if definition is PeriodDefinition.CALENDAR_MONTH:
        return day.replace(day=1), _month_end(day)
    return day.replace(day=1), day if unit is TimeUnit.DAY else _month_end(day)


def start_of_day(day: date, zone_info: tzinfo) -> datetime:
    """The first instant (UTC) whose local date in ``zone_info`` is ``day``.

    Local midnight (the earlier one where the clocks repeat it). Where they skipped it, the
    instant the gap ends: it lies between midnight read with the offset after the gap
    (``fold=1``, earlier) and with the offset before it (``fold=0``), found by bisection to the
    second (the gap need not start at midnight: America/Toronto, 1919-03-30 23:30).
    """
    midnight = datetime(day.year, day.month, day.day)
    later = midnight.replace(tzinfo=zone_info).astimezone(UTC)
    if later.astimezone(zone_info).replace(tzinfo=None) == midnight:
        return later
    earlier = midnight.replace(tzinfo=zone_info, fold=1).astimezone(UTC)
    while later - earlier > _SECOND:
        middle = earlier + (later - earlier) // 2
        if middle.astimezone(zone_info).replace(tzinfo=None) < midnight:
            earlier = middle
        else:
            later = middle
    return later


@functools.lru_cache(maxsize=65536)
def period_bounds(
    definition: PeriodDefinition | None, unit: TimeUnit, day: date, timezone: str | None
) -> PeriodBounds:
    """The bounds of a value (``DateOutOfRangeError`` too close to year 1 or 9999)."""
    zone_info = zone(timezone)
    try:
        start, end = local_dates(definition, unit, day)
        after = start_of_day(end + timedelta(days=1), zone_info)
        return PeriodBounds(start, end, start_of_day(start, zone_info), after)
    except OverflowError:
        raise DateOutOfRangeError(
            f"the period of a {unit} value on {day.isoformat()} reaches past year 1 or 9999"
        ) from None
