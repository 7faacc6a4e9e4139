"""``metric_registry.periods`` on its own (SPEC §9.3): the table, zones, and properties.

The table of bounds and instants is written out by hand in ``_value_support``; the
properties check what must hold for every date, definition and zone:
- the period ends with the value's own period (a day, its month, its year), except a
  ``calendar_month`` day, whose period is its whole month;
- a period that ends on ``metric_date`` contains it;
- trailing windows are 30 days long;
- ``start_at <= end_at``, both UTC-aware, and each is the first instant of its local date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metric_registry import periods
from metric_registry.models import PeriodDefinition, TimeUnit

from ._value_support import INSTANT_TABLE, PERIOD_TABLE, REFUSED_CELLS, d, utc

DEFINITIONS = [None, *PeriodDefinition]
ZONES = [
    None,
    "UTC",
    "America/Los_Angeles",
    "Europe/London",
    "America/Santiago",
    "America/Havana",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Apia",  # skipped 2011-12-30 entirely
    "Pacific/Chatham",
]


def definition_of(name: str | None) -> PeriodDefinition | None:
    return None if name is None else PeriodDefinition(name)


@pytest.mark.parametrize(("definition", "unit", "day", "start", "end"), PERIOD_TABLE)
def test_local_dates_follow_the_table(
    definition: str | None, unit: str, day: str, start: str, end: str
) -> None:
    got = periods.local_dates(definition_of(definition), TimeUnit(unit), d(day))
    assert got == (d(start), d(end))


def test_the_table_covers_every_cell() -> None:
    cells = {(definition, unit) for definition, unit, *_ in PERIOD_TABLE}
    every = {
        (None if definition is None else definition.value, unit.value)
        for definition in DEFINITIONS
        for unit in TimeUnit
    }
    assert cells | set(REFUSED_CELLS) == every
    assert not cells & set(REFUSED_CELLS)


@pytest.mark.parametrize(("definition", "unit"), REFUSED_CELLS)
def test_month_definitions_refuse_a_year(definition: str, unit: str) -> None:
    assert TimeUnit(unit) not in periods.allowed_time_units(PeriodDefinition(definition))
    with pytest.raises(periods.UnsupportedGrainError):
        periods.local_dates(PeriodDefinition(definition), TimeUnit(unit), date(2026, 1, 1))


@pytest.mark.parametrize("definition", [None, "as_of_date", "trailing_30_days"])
def test_other_definitions_take_every_unit(definition: str | None) -> None:
    assert set(periods.allowed_time_units(definition_of(definition))) == set(TimeUnit)


@pytest.mark.parametrize(
    ("definition", "unit", "day", "zone", "start_at", "end_at", "hours"), INSTANT_TABLE
)
def test_instants_follow_the_clocks(
    definition: str | None,
    unit: str,
    day: str,
    zone: str | None,
    start_at: str,
    end_at: str,
    hours: float,
) -> None:
    bounds = periods.period_bounds(definition_of(definition), TimeUnit(unit), d(day), zone)
    assert (bounds.start_at, bounds.end_at) == (utc(start_at), utc(end_at))
    assert bounds.end_at - bounds.start_at == timedelta(hours=hours)
    assert bounds.start_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("unit", "day", "canonical"),
    [
        ("day", "2026-03-15", "2026-03-15"),
        ("month", "2026-03-15", "2026-03-01"),
        ("month", "2024-02-29", "2024-02-01"),
        ("year", "2024-02-29", "2024-01-01"),
        ("year", "2026-12-31", "2026-01-01"),
    ],
)
def test_canonical_date(unit: str, day: str, canonical: str) -> None:
    assert periods.canonical_date(TimeUnit(unit), d(day)) == d(canonical)


@pytest.mark.parametrize(
    "name", ["UTC", "America/Los_Angeles", "Europe/Paris", "Etc/GMT+5", "Asia/Kathmandu"]
)
def test_zones_of_the_tz_database(name: str) -> None:
    assert periods.zone(name) == ZoneInfo(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../../etc/passwd",
        "/etc/localtime",
        "Mars/Olympus",
        "america/los_angeles",
        "utc",
        " UTC",
        "UTC\x00",
        "America/../Europe/Paris",
        "posixrules",
        "posix/Europe/Paris",
        "right/UTC",
        "localtime",  # the host's zone, not one of the tz database
        "Europe/" + "x" * 200,
    ],
)
def test_names_that_are_no_zone(name: str) -> None:
    with pytest.raises(periods.UnknownZoneError):
        periods.zone(name)


def test_no_zone_reads_as_utc() -> None:
    assert periods.zone(None) is UTC


# -- properties --------------------------------------------------------------------------------

DATES = st.dates(min_value=date(1971, 1, 1), max_value=date(2037, 12, 31))
CELLS = st.sampled_from(
    [
        (definition, unit)
        for definition in DEFINITIONS
        for unit in TimeUnit
        if unit in periods.allowed_time_units(definition)
    ]
)
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)


def own_end(unit: TimeUnit, day: date) -> date:
    """The last day of the value's own period, computed without the module under test."""
    if unit is TimeUnit.DAY:
        return day
    if unit is TimeUnit.YEAR:
        return date(day.year, 12, 31)
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def first_instant(day: date, zone: str | None) -> datetime:
    """The first UTC instant whose local date is ``day`` or later, found by walking the
    instants around local midnight minute by minute (no wall-clock arithmetic)."""
    info = UTC if zone is None else ZoneInfo(zone)
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(hours=15)
    while moment.astimezone(info).date() < day:
        moment += timedelta(minutes=15)
    while (moment - timedelta(minutes=1)).astimezone(info).date() >= day:
        moment -= timedelta(minutes=1)
    return moment


@PROPERTY_SETTINGS
@given(cell=CELLS, day=DATES)
def test_the_period_ends_with_the_value_own_period(
    cell: tuple[PeriodDefinition | None, TimeUnit], day: date
) -> None:
    definition, unit = cell
    day = periods.canonical_date(unit, day)
    start, end = periods.local_dates(definition, unit, day)
    assert start <= end
    if definition is PeriodDefinition.CALENDAR_MONTH:
        assert end == own_end(TimeUnit.MONTH, day)
    else:
        assert end == own_end(unit, day)
    if end == day:  # a period that ends on the metric date contains it
        assert start <= day <= end
    if definition is PeriodDefinition.TRAILING_30_DAYS:
        assert (end - start).days + 1 == 30
    if definition is PeriodDefinition.AS_OF_DATE:
        assert start == end


@PROPERTY_SETTINGS
@given(day=DATES)
def test_a_day_value_period_contains_its_date(day: date) -> None:
    for definition in DEFINITIONS:
        start, end = periods.local_dates(definition, TimeUnit.DAY, day)
        assert start <= day <= end


@PROPERTY_SETTINGS
@given(cell=CELLS, day=DATES, zone=st.sampled_from(ZONES))
def test_instants_are_ordered_utc_and_the_first_of_their_dates(
    cell: tuple[PeriodDefinition | None, TimeUnit], day: date, zone: str | None
) -> None:
    definition, unit = cell
    day = periods.canonical_date(unit, day)
    bounds = periods.period_bounds(definition, unit, day, zone)
    assert bounds.start_at.tzinfo is UTC
    assert bounds.end_at.tzinfo is UTC
    assert bounds.start_at < bounds.end_at or (bounds.start_at == bounds.end_at and zone)
    assert bounds.start_at == first_instant(bounds.start, zone)
    assert bounds.end_at == first_instant(bounds.end + timedelta(days=1), zone)
    if zone in (None, "UTC"):
        days = (bounds.end - bounds.start).days + 1
        assert bounds.end_at - bounds.start_at == timedelta(days=days)


def test_a_skipped_day_has_no_length() -> None:
    """Samoa skipped 2011-12-30: its period begins and ends at the same instant."""
    bounds = periods.period_bounds(None, TimeUnit.DAY, date(2011, 12, 30), "Pacific/Apia")
    assert bounds.start_at == bounds.end_at == datetime(2011, 12, 30, 10, tzinfo=UTC)
