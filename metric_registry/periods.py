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
value's zone, in UTC: a period over a DST change is an hour shorter or longer.
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
_HOST_NAMES: Final = frozenset({"localtime"})
"""Files of a host's zone directory that name no zone of the tz database (``localtime`` is
the host's own zone, a link to ``/etc/localtime``)."""


class UnknownZoneError(ValueError):
    """Not a zone of the tz database."""


class UnsupportedGrainError(ValueError):
    """A period definition that cannot read a value of this time unit."""


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
    if unit is TimeUnit.MONTH:
        return day.replace(day=1)
    if unit is TimeUnit.YEAR:
        return day.replace(month=1, day=1)
    return day


@functools.cache
def _zone_names() -> frozenset[str]:
    return (frozenset(zoneinfo.available_timezones()) - _HOST_NAMES) | {"UTC"}


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
    if unit is TimeUnit.MONTH:
        return _month_end(day)
    if unit is TimeUnit.YEAR:
        return day.replace(month=12, day=31)
    return day


def local_dates(
    definition: PeriodDefinition | None, unit: TimeUnit, day: date
) -> tuple[date, date]:
    """The inclusive local dates a value covers."""
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

    Local midnight; where the clocks skipped it, ``fold=0`` reads the wall time with the
    offset before the gap, which is the instant the gap ends: the day's first.
    """
    return datetime(day.year, day.month, day.day, tzinfo=zone_info).astimezone(UTC)


@functools.lru_cache(maxsize=65536)
def period_bounds(
    definition: PeriodDefinition | None, unit: TimeUnit, day: date, timezone: str | None
) -> PeriodBounds:
    start, end = local_dates(definition, unit, day)
    zone_info = zone(timezone)
    return PeriodBounds(
        start, end, start_of_day(start, zone_info), start_of_day(end + timedelta(days=1), zone_info)
    )
