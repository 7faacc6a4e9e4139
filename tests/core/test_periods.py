"""Period bounds (SPEC §9.3): every cell of the table, the instants across DST, zone names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metric_registry.models import PeriodDefinition, TimeUnit
from metric_registry.periods import (
    DateOutOfRangeError,
    PeriodBounds,
    UnknownZoneError,
    UnsupportedGrainError,
    allowed_time_units,
    canonical_date,
    local_dates,
    period_bounds,
    start_of_day,
    zone,
)

DAY, MONTH, YEAR = TimeUnit.DAY, TimeUnit.MONTH, TimeUnit.YEAR
AS_OF = PeriodDefinition.AS_OF_DATE
TRAILING = PeriodDefinition.TRAILING_30_DAYS
CALENDAR = PeriodDefinition.CALENDAR_MONTH
TO_DATE = PeriodDefinition.MONTH_TO_DATE
HOUR = timedelta(hours=1)


def d(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str) -> datetime:
    """A UTC instant from ``YYYY-MM-DDTHH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (definition, time_unit, metric_date, period_start, period_end)
TABLE = [
    (None, DAY, "2024-02-29", "2024-02-29", "2024-02-29"),
    (None, DAY, "2026-12-31", "2026-12-31", "2026-12-31"),
    (None, MONTH, "2024-02-01", "2024-02-01", "2024-02-29"),
    (None, MONTH, "2023-02-01", "2023-02-01", "2023-02-28"),
    (None, MONTH, "2026-01-01", "2026-01-01", "2026-01-31"),
    (None, MONTH, "2026-04-01", "2026-04-01", "2026-04-30"),
    (None, MONTH, "2026-12-01", "2026-12-01", "2026-12-31"),
    (None, YEAR, "2024-01-01", "2024-01-01", "2024-12-31"),
    (None, YEAR, "2023-01-01", "2023-01-01", "2023-12-31"),
    (AS_OF, DAY, "2024-02-29", "2024-02-29", "2024-02-29"),
    (AS_OF, DAY, "2026-01-31", "2026-01-31", "2026-01-31"),
    (AS_OF, MONTH, "2024-02-01", "2024-02-29", "2024-02-29"),
    (AS_OF, MONTH, "2023-02-01", "2023-02-28", "2023-02-28"),
    (AS_OF, MONTH, "2026-04-01", "2026-04-30", "2026-04-30"),
    (AS_OF, MONTH, "2026-12-01", "2026-12-31", "2026-12-31"),
    (AS_OF, YEAR, "2024-01-01", "2024-12-31", "2024-12-31"),
    (TRAILING, DAY, "2024-03-01", "2024-02-01", "2024-03-01"),
    (TRAILING, DAY, "2023-03-01", "2023-01-31", "2023-03-01"),
    (TRAILING, DAY, "2024-02-29", "2024-01-31", "2024-02-29"),
    (TRAILING, DAY, "2023-02-28", "2023-01-30", "2023-02-28"),
    (TRAILING, DAY, "2026-01-31", "2026-01-02", "2026-01-31"),
    (TRAILING, DAY, "2026-01-15", "2025-12-17", "2026-01-15"),
    (TRAILING, DAY, "2026-12-31", "2026-12-02", "2026-12-31"),
    (TRAILING, MONTH, "2024-02-01", "2024-01-31", "2024-02-29"),
    (TRAILING, MONTH, "2023-02-01", "2023-01-30", "2023-02-28"),
    (TRAILING, MONTH, "2026-04-01", "2026-04-01", "2026-04-30"),
    (TRAILING, MONTH, "2026-03-01", "2026-03-02", "2026-03-31"),
    (TRAILING, MONTH, "2026-01-01", "2026-01-02", "2026-01-31"),
    (TRAILING, YEAR, "2024-01-01", "2024-12-02", "2024-12-31"),
    (TRAILING, YEAR, "2023-01-01", "2023-12-02", "2023-12-31"),
    (CALENDAR, DAY, "2024-02-29", "2024-02-01", "2024-02-29"),
    (CALENDAR, DAY, "2024-02-10", "2024-02-01", "2024-02-29"),
    (CALENDAR, DAY, "2023-02-28", "2023-02-01", "2023-02-28"),
    (CALENDAR, DAY, "2026-01-31", "2026-01-01", "2026-01-31"),
    (CALENDAR, DAY, "2026-03-15", "2026-03-01", "2026-03-31"),
    (CALENDAR, DAY, "2026-04-30", "2026-04-01", "2026-04-30"),
    (CALENDAR, DAY, "2026-12-31", "2026-12-01", "2026-12-31"),
    (CALENDAR, MONTH, "2024-02-01", "2024-02-01", "2024-02-29"),
    (CALENDAR, MONTH, "2026-04-01", "2026-04-01", "2026-04-30"),
    (TO_DATE, DAY, "2024-02-29", "2024-02-01", "2024-02-29"),
    (TO_DATE, DAY, "2023-02-28", "2023-02-01", "2023-02-28"),
    (TO_DATE, DAY, "2026-03-15", "2026-03-01", "2026-03-15"),
    (TO_DATE, DAY, "2026-01-01", "2026-01-01", "2026-01-01"),
    (TO_DATE, DAY, "2026-12-31", "2026-12-01", "2026-12-31"),
    (TO_DATE, MONTH, "2023-02-01", "2023-02-01", "2023-02-28"),
    (TO_DATE, MONTH, "2024-02-01", "2024-02-01", "2024-02-29"),
    (TO_DATE, MONTH, "2026-12-01", "2026-12-01", "2026-12-31"),
]


@pytest.mark.parametrize(("definition", "unit", "day", "start", "end"), TABLE)
def test_every_cell_of_the_table(
    definition: PeriodDefinition | None, unit: TimeUnit, day: str, start: str, end: str
) -> None:
    assert local_dates(definition, unit, d(day)) == (d(start), d(end))
    assert period_bounds(definition, unit, d(day), None) == PeriodBounds(
        d(start), d(end), at(f"{start}T00:00"), at(f"{end}T00:00") + timedelta(days=1)
    )


@pytest.mark.parametrize(("definition", "unit", "day", "start", "end"), TABLE)
def test_spelled_definitions_and_units_are_read_as_the_enums(
    definition: PeriodDefinition | None, unit: TimeUnit, day: str, start: str, end: str
) -> None:
    spelled = None if definition is None else definition.value
    assert local_dates(spelled, unit.value, d(day)) == (d(start), d(end))  # type: ignore[arg-type]
    bounds = period_bounds(spelled, unit.value, d(day), "UTC")
    assert (bounds.start, bounds.end) == (d(start), d(end))


@pytest.mark.parametrize("definition", [CALENDAR, TO_DATE])
def test_month_definitions_refuse_year_values(definition: PeriodDefinition) -> None:
    message = f"^{definition.value} metrics take time_unit 'day' or 'month', not 'year'$"
    with pytest.raises(UnsupportedGrainError, match=message):
        local_dates(definition, YEAR, d("2026-01-01"))
    with pytest.raises(UnsupportedGrainError, match=message):
        period_bounds(definition, YEAR, d("2026-01-01"), "America/Los_Angeles")
    assert issubclass(UnsupportedGrainError, ValueError)


@pytest.mark.parametrize(
    ("definition", "units"),
    [
        (None, (DAY, MONTH, YEAR)),
        (AS_OF, (DAY, MONTH, YEAR)),
        (TRAILING, (DAY, MONTH, YEAR)),
        (CALENDAR, (DAY, MONTH)),
        (TO_DATE, (DAY, MONTH)),
    ],
)
def test_allowed_time_units(
    definition: PeriodDefinition | None, units: tuple[TimeUnit, ...]
) -> None:
    assert allowed_time_units(definition) == units


@pytest.mark.parametrize(
    ("unit", "day", "canonical"),
    [
        (DAY, "2026-03-17", "2026-03-17"),
        (DAY, "2024-02-29", "2024-02-29"),
        (MONTH, "2026-03-17", "2026-03-01"),
        (MONTH, "2026-03-01", "2026-03-01"),
        (MONTH, "2024-02-29", "2024-02-01"),
        (MONTH, "2026-12-31", "2026-12-01"),
        (YEAR, "2024-02-29", "2024-01-01"),
        (YEAR, "2026-12-31", "2026-01-01"),
        (YEAR, "2026-01-01", "2026-01-01"),
    ],
)
def test_canonical_date(unit: TimeUnit, day: str, canonical: str) -> None:
    assert canonical_date(unit, d(day)) == d(canonical)
    assert canonical_date(unit.value, d(day)) == d(canonical)  # type: ignore[arg-type]


def test_unknown_units_and_definitions_are_refused() -> None:
    with pytest.raises(ValueError, match="'week' is not a time unit"):
        canonical_date("week", d("2026-03-17"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="week"):
        local_dates(None, "week", d("2026-03-17"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="weekly"):
        local_dates("weekly", DAY, d("2026-03-17"))  # type: ignore[arg-type]


# (zone, definition, unit, metric_date, start_at, end_at, hours)
INSTANTS = [
    ("America/Los_Angeles", None, DAY, "2026-03-07", "2026-03-07T08:00", "2026-03-08T08:00", 24),
    ("America/Los_Angeles", None, DAY, "2026-03-08", "2026-03-08T08:00", "2026-03-09T07:00", 23),
    ("America/Los_Angeles", None, DAY, "2026-11-01", "2026-11-01T07:00", "2026-11-02T08:00", 25),
    (
        "America/Los_Angeles",
        CALENDAR,
        DAY,
        "2026-03-15",
        "2026-03-01T08:00",
        "2026-04-01T07:00",
        743,
    ),
    ("America/Los_Angeles", None, MONTH, "2026-03-01", "2026-03-01T08:00", "2026-04-01T07:00", 743),
    ("America/Los_Angeles", AS_OF, MONTH, "2026-11-01", "2026-11-30T08:00", "2026-12-01T08:00", 24),
    ("America/Los_Angeles", None, MONTH, "2026-11-01", "2026-11-01T07:00", "2026-12-01T08:00", 721),
    ("America/Los_Angeles", None, YEAR, "2026-01-01", "2026-01-01T08:00", "2027-01-01T08:00", 8760),
    (
        "America/Los_Angeles",
        TRAILING,
        DAY,
        "2026-03-20",
        "2026-02-19T08:00",
        "2026-03-21T07:00",
        719,
    ),
    # Midnight skipped (00:00 -> 01:00): the day starts at 01:00 local.
    ("America/Havana", None, DAY, "2026-03-08", "2026-03-08T05:00", "2026-03-09T04:00", 23),
    ("America/Santiago", None, DAY, "2026-09-06", "2026-09-06T04:00", "2026-09-07T03:00", 23),
    ("Asia/Beirut", None, DAY, "2026-03-29", "2026-03-28T22:00", "2026-03-29T21:00", 23),
    # Midnight repeated (01:00 -> 00:00): the day starts at the first one.
    ("America/Havana", None, DAY, "2026-11-01", "2026-11-01T04:00", "2026-11-02T05:00", 25),
    # A gap from 23:30 to 00:30: the day starts at 00:30 local, not at 01:00.
    ("America/Toronto", None, DAY, "1919-03-31", "1919-03-31T04:30", "1919-04-01T04:00", 23.5),
    # A half-hour DST shift.
    ("Australia/Lord_Howe", None, DAY, "2026-04-05", "2026-04-04T13:00", "2026-04-05T13:30", 24.5),
    ("Asia/Kolkata", None, DAY, "2026-03-08", "2026-03-07T18:30", "2026-03-08T18:30", 24),
    ("UTC", None, DAY, "2026-03-08", "2026-03-08T00:00", "2026-03-09T00:00", 24),
    (None, CALENDAR, DAY, "2026-03-08", "2026-03-01T00:00", "2026-04-01T00:00", 744),
]


@pytest.mark.parametrize(
    ("timezone", "definition", "unit", "day", "start_at", "end_at", "hours"), INSTANTS
)
def test_instants_across_daylight_saving_time(
    timezone: str | None,
    definition: PeriodDefinition | None,
    unit: TimeUnit,
    day: str,
    start_at: str,
    end_at: str,
    hours: float,
) -> None:
    bounds = period_bounds(definition, unit, d(day), timezone)
    assert (bounds.start_at, bounds.end_at) == (at(start_at), at(end_at))
    assert bounds.start_at.tzinfo is UTC
    assert bounds.end_at.tzinfo is UTC
    assert bounds.end_at - bounds.start_at == timedelta(hours=hours)


def test_the_first_instant_of_a_day_whose_midnight_was_skipped() -> None:
    havana = ZoneInfo("America/Havana")
    first = start_of_day(d("2026-03-08"), havana)
    assert first.astimezone(havana).replace(tzinfo=None) == datetime(2026, 3, 8, 1)
    assert (first - timedelta(seconds=1)).astimezone(havana).date() == d("2026-03-07")
    toronto = ZoneInfo("America/Toronto")
    first = start_of_day(d("1919-03-31"), toronto)
    assert first.astimezone(toronto).replace(tzinfo=None) == datetime(1919, 3, 31, 0, 30)
    assert (first - timedelta(seconds=1)).astimezone(toronto).date() == d("1919-03-30")


def test_a_day_skipped_whole_lasts_no_time() -> None:
    skipped = period_bounds(None, DAY, d("2011-12-30"), "Pacific/Apia")
    assert skipped.start_at == skipped.end_at == at("2011-12-30T10:00")
    before = period_bounds(None, DAY, d("2011-12-29"), "Pacific/Apia")
    after = period_bounds(None, DAY, d("2011-12-31"), "Pacific/Apia")
    assert (before.start_at, before.end_at) == (at("2011-12-29T10:00"), at("2011-12-30T10:00"))
    assert (after.start_at, after.end_at) == (at("2011-12-30T10:00"), at("2011-12-31T10:00"))


def test_no_zone_is_utc() -> None:
    assert zone(None) is UTC
    assert period_bounds(TRAILING, MONTH, d("2024-02-01"), None) == PeriodBounds(
        d("2024-01-31"), d("2024-02-29"), at("2024-01-31T00:00"), at("2024-03-01T00:00")
    )


@pytest.mark.parametrize(
    "name",
    [
        "UTC",
        "America/Los_Angeles",
        "America/Argentina/Buenos_Aires",
        "Etc/GMT+5",
        "Etc/GMT-14",
        "America/Port-au-Prince",
    ],
)
def test_zones_of_the_tz_database(name: str) -> None:
    found = zone(name)
    assert isinstance(found, ZoneInfo)
    assert found.key == name
    assert zone(name) is found


@pytest.mark.parametrize(
    "name",
    [
        "",
        "../../etc/passwd",
        "/etc/localtime",
        "/usr/share/zoneinfo/UTC",
        "localtime",
        "posixrules",
        "right/UTC",
        "posix/UTC",
        "America/../UTC",
        "America//Los_Angeles",
        "America/Los_Angeles/",
        "./UTC",
        "UTC\x00",
        "UTC\n",
        " UTC",
        "utc",
        "America/Nowhere",
        "Etc/GMT+99",
        "C:\\Windows\\win.ini",
        "America/Los_Angeles" * 10,
        "A" * 100_000,
        "tzdata.zi",
        "zone.tab",
    ],
)
def test_names_that_are_not_zones_are_refused(name: str) -> None:
    with pytest.raises(UnknownZoneError, match="is not a zone of the tz database"):
        zone(name)
    with pytest.raises(UnknownZoneError):
        period_bounds(None, DAY, d("2026-03-08"), name)
    assert issubclass(UnknownZoneError, ValueError)


def test_a_name_that_is_not_text_is_refused() -> None:
    with pytest.raises(UnknownZoneError):
        zone(42)


@pytest.mark.parametrize(
    ("definition", "unit", "day", "timezone"),
    [
        (None, DAY, "9999-12-31", None),
        (None, YEAR, "9999-01-01", "UTC"),
        (AS_OF, MONTH, "9999-12-01", "America/Los_Angeles"),
        (TRAILING, DAY, "0001-01-29", None),
        (None, DAY, "0001-01-01", "Asia/Tokyo"),
    ],
)
def test_bounds_past_the_representable_dates_are_refused(
    definition: PeriodDefinition | None, unit: TimeUnit, day: str, timezone: str | None
) -> None:
    with pytest.raises(DateOutOfRangeError, match=f"value on {day} reaches past year 1 or 9999"):
        period_bounds(definition, unit, d(day), timezone)


def test_the_last_representable_bounds() -> None:
    assert period_bounds(None, DAY, d("9999-12-30"), None).end_at == at("9999-12-31T00:00")
    assert period_bounds(TRAILING, DAY, d("0001-01-30"), None).start == d("0001-01-01")
    assert period_bounds(None, DAY, d("9999-12-30"), "America/Los_Angeles").end_at == at(
        "9999-12-31T08:00"
    )


DEFINITIONS = st.sampled_from([None, *PeriodDefinition])
UNITS = st.sampled_from(list(TimeUnit))
# Zones whose offsets moved by at most an hour in any period since 1990 (none skipped a day).
ZONES = st.sampled_from(
    [
        None,
        "UTC",
        "America/Los_Angeles",
        "America/Havana",
        "America/Santiago",
        "America/Toronto",
        "Asia/Beirut",
        "Asia/Kathmandu",
        "Australia/Lord_Howe",
        "Europe/London",
        "Pacific/Chatham",
    ]
)


def own_end(unit: TimeUnit, day: date) -> date:
    if unit is YEAR:
        return date(day.year, 12, 31)
    if unit is MONTH:
        following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return day


@st.composite
def values(
    draw: st.DrawFn, lowest: date, highest: date
) -> tuple[PeriodDefinition | None, TimeUnit, date]:
    definition = draw(DEFINITIONS)
    unit = draw(st.sampled_from(allowed_time_units(definition)))
    day = draw(st.dates(min_value=lowest, max_value=highest))
    if unit is MONTH:
        day = day.replace(day=1)
    elif unit is YEAR:
        day = day.replace(month=1, day=1)
    return definition, unit, day


@settings(max_examples=200, deadline=None)
@given(values(date(2, 1, 1), date(9998, 12, 31)))
def test_local_dates_properties(value: tuple[PeriodDefinition | None, TimeUnit, date]) -> None:
    definition, unit, day = value
    start, end = local_dates(definition, unit, day)
    assert start <= end
    if definition is CALENDAR or (definition is TO_DATE and unit is MONTH):
        assert (start, end) == (day.replace(day=1), own_end(MONTH, day))
    else:
        assert end == own_end(unit, day)
    if unit is DAY and definition is not CALENDAR:
        assert end == day
    if definition in (None, CALENDAR, TO_DATE):
        assert start <= day <= end
    if definition is None:
        assert start == day
    if definition is AS_OF:
        assert start == end
    if definition is TRAILING:
        assert (end - start).days + 1 == 30


@settings(max_examples=200, deadline=None)
@given(UNITS, st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_canonical_date_properties(unit: TimeUnit, day: date) -> None:
    canonical = canonical_date(unit, day)
    assert canonical <= day <= own_end(unit, canonical)
    assert canonical_date(unit, canonical) == canonical
    assert canonical_date(unit, own_end(unit, canonical)) == canonical


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([CALENDAR, TO_DATE]), st.dates())
def test_month_definitions_never_take_years(definition: PeriodDefinition, day: date) -> None:
    assert YEAR not in allowed_time_units(definition)
    with pytest.raises(UnsupportedGrainError):
        local_dates(definition, YEAR, day.replace(month=1, day=1))


@settings(max_examples=200, deadline=None)
@given(values(date(1990, 1, 1), date(2100, 12, 31)), ZONES)
def test_instant_properties(
    value: tuple[PeriodDefinition | None, TimeUnit, date], timezone: str | None
) -> None:
    definition, unit, day = value
    bounds = period_bounds(definition, unit, day, timezone)
    assert (bounds.start, bounds.end) == local_dates(definition, unit, day)
    assert bounds.start_at < bounds.end_at
    assert bounds.start_at.utcoffset() == timedelta(0)
    assert bounds.end_at.utcoffset() == timedelta(0)
    days = (bounds.end - bounds.start).days + 1
    assert abs(bounds.end_at - bounds.start_at - timedelta(days=days)) <= HOUR
    local = zone(timezone)
    second = timedelta(seconds=1)
    assert bounds.start_at.astimezone(local).date() == bounds.start
    assert (bounds.start_at - second).astimezone(local).date() < bounds.start
    assert (bounds.end_at - second).astimezone(local).date() == bounds.end
    assert bounds.end_at.astimezone(local).date() > bounds.end
