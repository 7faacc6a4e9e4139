"""Recording one value (SPEC §9.2) on both engines: every rule as a table, each refusal
writing nothing; the unique key; updates of the editable fields; deletes; period bounds of
stored values (§9.3).

Refusals and acceptances share one database per engine (each refusal compares every table
before and after; each acceptance records for an entity of its own). Tests that need a
fresh state (updates, deletes, timestamps) get one.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from metric_registry import (
    ConflictError,
    MetricRegistry,
    MetricValue,
    NotFoundError,
    ValidationError,
)
from tests.spec import VALUE_FIELDS

from ._support import TIMESTAMP_JSON, errors_of, raw_rows
from ._value_support import (
    ENGINES,
    INSTANT_TABLE,
    ORG,
    ORG_A,
    ORG_B,
    PARTY,
    PARTY_A,
    PERIOD_TABLE,
    UNREGISTERED,
    Ticking,
    add_catalog,
    d,
    module_database,
    opened,
    seeded_module_database,
    stored_tables,
    stored_values,
    utc,
    value_row,
)

MISSING = object()
KIB_64 = 64 * 1024


@pytest.fixture(scope="module", params=ENGINES)
def shared_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with seeded_module_database(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def shared(shared_url: str) -> Iterator[MetricRegistry]:
    with MetricRegistry(shared_url, clock=Ticking()) as registry:
        yield registry


@pytest.fixture
def book(database_url: str) -> Iterator[MetricRegistry]:
    """A fresh registry with the catalog, its clock ticking a second at every reading."""
    with opened(database_url) as registry:
        yield registry


def record(registry: MetricRegistry, **fields: Any) -> MetricValue:
    """``record_value`` of ``value_row(**fields)``; a field set to MISSING is left out."""
    row = {name: value for name, value in value_row(**fields).items() if value is not MISSING}
    context_type = row.pop("context_type", None)
    entity_uid = row.pop("entity_uid", None)
    return registry.record_value(context_type, entity_uid, row)  # type: ignore[arg-type]


def own_entity(registry: MetricRegistry, context_type: str = ORG) -> str:
    """A newly registered entity: its values collide with nobody's."""
    return registry.register_entity(context_type, str(uuid.uuid4())).uid


def refused(registry: MetricRegistry, url: str, **fields: Any) -> ValidationError:
    """The ValidationError of recording ``fields``, after checking that nothing changed."""
    before = stored_tables(url)
    with pytest.raises(ValidationError) as caught:
        record(registry, **fields)
    assert stored_tables(url) == before
    return caught.value


# -- refusals ----------------------------------------------------------------------------------

NAN = float("nan")
INF = float("inf")

REFUSALS = [
    # the metric
    pytest.param({"metric_uid": "nope"}, {("metric_uid", "not_found")}, id="metric-missing"),
    pytest.param({"metric_uid": "Total_AR"}, {("metric_uid", "not_found")}, id="metric-case"),
    pytest.param({"metric_uid": "a\x00b"}, {("metric_uid", "not_found")}, id="metric-nul"),
    pytest.param({"metric_uid": "a\ud800"}, {("metric_uid", "not_found")}, id="metric-surrogate"),
    pytest.param({"metric_uid": "x" * 5000}, {("metric_uid", "not_found")}, id="metric-long"),
    pytest.param({"metric_uid": 5}, {("metric_uid", "invalid_type")}, id="metric-number"),
    pytest.param({"metric_uid": None}, {("metric_uid", "invalid_type")}, id="metric-null"),
    pytest.param({"metric_uid": MISSING}, {("metric_uid", "required")}, id="metric-left-out"),
    pytest.param({"metric_uid": "retired"}, {("metric_uid", "inactive")}, id="metric-inactive"),
    # the context
    pytest.param(
        {"context_type": PARTY, "entity_uid": PARTY_A},
        {("context_type", "mismatch")},
        id="context-other-than-the-metric",
    ),
    pytest.param(
        {"context_type": ORG, "metric_uid": "party_dso"},
        {("context_type", "mismatch")},
        id="context-of-an-organization-for-a-party-metric",
    ),
    pytest.param({"context_type": "organization"}, {("context_type", "invalid_choice")}, id="ctx"),
    pytest.param({"context_type": None}, {("context_type", "invalid_choice")}, id="ctx-null"),
    # the entity
    pytest.param({"entity_uid": UNREGISTERED}, {("entity_uid", "not_found")}, id="unregistered"),
    pytest.param(
        {"entity_uid": PARTY_A}, {("entity_uid", "not_found")}, id="entity-of-another-context"
    ),
    pytest.param({"entity_uid": "nope"}, {("entity_uid", "invalid_format")}, id="entity-word"),
    pytest.param({"entity_uid": "{" + ORG_A + "}"}, {("entity_uid", "invalid_format")}, id="ent{}"),
    pytest.param({"entity_uid": 5}, {("entity_uid", "invalid_type")}, id="entity-number"),
    # the time unit
    pytest.param({"time_unit": "week"}, {("time_unit", "invalid_choice")}, id="unit-week"),
    pytest.param({"time_unit": "Day"}, {("time_unit", "invalid_choice")}, id="unit-case"),
    pytest.param({"time_unit": ""}, {("time_unit", "invalid_choice")}, id="unit-empty"),
    pytest.param({"time_unit": None}, {("time_unit", "invalid_choice")}, id="unit-null"),
    pytest.param(
        {"metric_uid": "monthly_ar", "time_unit": "year", "metric_date": "2026-01-01"},
        {("time_unit", "invalid_choice")},
        id="calendar-month-year",
    ),
    pytest.param(
        {"metric_uid": "mtd_sales", "time_unit": "year", "metric_date": "2026-01-01"},
        {("time_unit", "invalid_choice")},
        id="month-to-date-year",
    ),
    # the date
    pytest.param(
        {"time_unit": "month", "metric_date": "2026-03-15"},
        {("metric_date", "invalid_format")},
        id="month-not-first",
    ),
    pytest.param(
        {"time_unit": "year", "metric_date": "2026-03-01"},
        {("metric_date", "invalid_format")},
        id="year-not-january-first",
    ),
    pytest.param({"metric_date": "2026-02-30"}, {("metric_date", "invalid_format")}, id="feb-30"),
    pytest.param({"metric_date": "2023-02-29"}, {("metric_date", "invalid_format")}, id="no-leap"),
    pytest.param({"metric_date": "2026-3-15"}, {("metric_date", "invalid_format")}, id="short"),
    pytest.param({"metric_date": "20260315"}, {("metric_date", "invalid_format")}, id="compact"),
    pytest.param({"metric_date": "2026/03/15"}, {("metric_date", "invalid_format")}, id="slashes"),
    pytest.param({"metric_date": ""}, {("metric_date", "invalid_format")}, id="date-empty"),
    pytest.param({"metric_date": None}, {("metric_date", "invalid_format")}, id="date-null"),
    pytest.param({"metric_date": 20260315}, {("metric_date", "invalid_format")}, id="date-int"),
    pytest.param(
        {"metric_date": datetime(2026, 3, 15, tzinfo=UTC)},
        {("metric_date", "invalid_format")},
        id="date-a-datetime",
    ),
    pytest.param({"metric_date": MISSING}, {("metric_date", "required")}, id="date-left-out"),
    # the value
    pytest.param({"value": True}, {("value", "invalid_type")}, id="true"),
    pytest.param({"value": False}, {("value", "invalid_type")}, id="false"),
    pytest.param({"value": "100"}, {("value", "invalid_type")}, id="text"),
    pytest.param({"value": None}, {("value", "invalid_type")}, id="value-null"),
    pytest.param({"value": [100]}, {("value", "invalid_type")}, id="value-list"),
    pytest.param({"value": MISSING}, {("value", "required")}, id="value-left-out"),
    pytest.param({"value": NAN}, {("value", "out_of_range")}, id="cents-nan"),
    pytest.param({"value": INF}, {("value", "out_of_range")}, id="cents-inf"),
    pytest.param({"value": -INF}, {("value", "out_of_range")}, id="cents-minus-inf"),
    pytest.param({"metric_uid": "dso", "value": NAN}, {("value", "out_of_range")}, id="raw-nan"),
    pytest.param({"metric_uid": "dso", "value": INF}, {("value", "out_of_range")}, id="raw-inf"),
    pytest.param({"metric_uid": "dso", "value": -INF}, {("value", "out_of_range")}, id="raw-ninf"),
    pytest.param({"value": Decimal("NaN")}, {("value", "out_of_range")}, id="decimal-nan"),
    pytest.param({"value": Decimal("sNaN")}, {("value", "out_of_range")}, id="decimal-snan"),
    pytest.param({"value": Decimal("-Infinity")}, {("value", "out_of_range")}, id="decimal-inf"),
    pytest.param(
        {"metric_uid": "dso", "value": Decimal("sNaN")},
        {("value", "out_of_range")},
        id="raw-decimal-snan",
    ),
    pytest.param({"value": 100.5}, {("value", "invalid_type")}, id="cents-fraction"),
    pytest.param({"value": 0.1}, {("value", "invalid_type")}, id="cents-tenth"),
    pytest.param({"value": Decimal("100.5")}, {("value", "invalid_type")}, id="cents-dec-frac"),
    pytest.param({"value": 2**63}, {("value", "out_of_range")}, id="cents-2**63"),
    pytest.param({"value": -(2**63) - 1}, {("value", "out_of_range")}, id="cents-below-int64"),
    pytest.param({"value": float(2**63)}, {("value", "out_of_range")}, id="cents-float-2**63"),
    pytest.param({"value": 1e300}, {("value", "out_of_range")}, id="cents-1e300"),
    pytest.param({"value": 10**400}, {("value", "out_of_range")}, id="cents-10**400"),
    pytest.param({"value": Decimal("1E+999999999")}, {("value", "out_of_range")}, id="cents-dec"),
    pytest.param(
        {"metric_uid": "dso", "value": 10**400}, {("value", "out_of_range")}, id="raw-10**400"
    ),
    pytest.param(
        {"metric_uid": "dso", "value": Decimal("1E+400")},
        {("value", "out_of_range")},
        id="raw-decimal-beyond-doubles",
    ),
    pytest.param(
        {"metric_uid": "dso", "value": Decimal("1E+999999999")},
        {("value", "out_of_range")},
        id="raw-decimal-huge",
    ),
    # the zone
    pytest.param({"timezone": "../../etc/passwd"}, {("timezone", "invalid_choice")}, id="tz-path"),
    pytest.param({"timezone": "Mars/Olympus"}, {("timezone", "invalid_choice")}, id="tz-mars"),
    pytest.param({"timezone": ""}, {("timezone", "invalid_choice")}, id="tz-empty"),
    pytest.param({"timezone": "localtime"}, {("timezone", "invalid_choice")}, id="tz-localtime"),
    pytest.param({"timezone": "utc"}, {("timezone", "invalid_choice")}, id="tz-case"),
    pytest.param({"timezone": 5}, {("timezone", "invalid_choice")}, id="tz-number"),
    # the metadata
    pytest.param({"_metadata": [1, 2]}, {("_metadata", "invalid_type")}, id="metadata-list"),
    pytest.param({"metadata": [1, 2]}, {("_metadata", "invalid_type")}, id="metadata-kw-list"),
    pytest.param({"_metadata": "{}"}, {("_metadata", "invalid_type")}, id="metadata-text"),
    pytest.param({"_metadata": None}, {("_metadata", "invalid_type")}, id="metadata-null"),
    pytest.param({"_metadata": {"a": {1, 2}}}, {("_metadata", "invalid_type")}, id="a-set"),
    pytest.param({"_metadata": {"a": b"x"}}, {("_metadata", "invalid_type")}, id="bytes"),
    pytest.param({"_metadata": {"a": NAN}}, {("_metadata", "invalid_type")}, id="meta-nan"),
    pytest.param({"_metadata": {"a": INF}}, {("_metadata", "invalid_type")}, id="meta-inf"),
    pytest.param({"_metadata": {(1, 2): "x"}}, {("_metadata", "invalid_type")}, id="tuple-key"),
    pytest.param({"_metadata": {"a": date(2026, 1, 1)}}, {("_metadata", "invalid_type")}, id="dt"),
    pytest.param({"_metadata": {"a": "\ud800"}}, {("_metadata", "invalid_format")}, id="surr"),
    pytest.param(
        {"_metadata": {"k": "x" * (KIB_64 - 7)}}, {("_metadata", "too_long")}, id="64-KiB-plus-1"
    ),
    pytest.param(
        {"metadata": {"k": "x" * (KIB_64 - 7)}}, {("_metadata", "too_long")}, id="kw-64-KiB-plus-1"
    ),
    pytest.param(
        {"_metadata": {"k": "é" * (KIB_64 // 2)}}, {("_metadata", "too_long")}, id="bytes-not-chars"
    ),
    # unknown fields
    pytest.param({"valu": 1}, {("valu", "unknown_field")}, id="typo"),
    pytest.param({"uid": str(uuid.uuid4())}, {("uid", "unknown_field")}, id="uid"),
    pytest.param({"created_at": "2026-01-01"}, {("created_at", "unknown_field")}, id="created_at"),
    pytest.param({"period_start": "2026-01-01"}, {("period_start", "unknown_field")}, id="period"),
    # several at once: every one is named
    pytest.param(
        {"value": True, "timezone": "Mars/Olympus", "metric_date": "2026-02-30", "x": 1},
        {
            ("value", "invalid_type"),
            ("timezone", "invalid_choice"),
            ("metric_date", "invalid_format"),
            ("x", "unknown_field"),
        },
        id="four-at-once",
    ),
]


@pytest.mark.parametrize(("fields", "expected"), REFUSALS)
def test_refused_and_nothing_written(
    shared: MetricRegistry, shared_url: str, fields: dict[str, Any], expected: set[Any]
) -> None:
    error = refused(shared, shared_url, **fields)
    assert errors_of(error) == expected
    assert error.code == "invalid"
    assert all(len(item.message) < 300 for item in error.errors)


def test_mismatch_names_the_metric_context(shared: MetricRegistry, shared_url: str) -> None:
    error = refused(shared, shared_url, context_type=PARTY, entity_uid=PARTY_A)
    (message,) = [item.message for item in error.errors]
    assert "total_ar" in message
    assert "ORGANIZATION" in message


@pytest.mark.parametrize(
    ("unit", "given", "canonical"),
    [
        ("month", "2026-03-15", "2026-03-01"),
        ("month", "2024-02-29", "2024-02-01"),
        ("year", "2026-03-01", "2026-01-01"),
        ("year", "2024-12-31", "2024-01-01"),
    ],
)
def test_not_canonical_date_names_the_canonical_one(
    shared: MetricRegistry, shared_url: str, unit: str, given: str, canonical: str
) -> None:
    error = refused(shared, shared_url, time_unit=unit, metric_date=given)
    assert errors_of(error) == {("metric_date", "invalid_format")}
    assert canonical in error.errors[0].message


def test_month_definitions_name_the_allowed_units(shared: MetricRegistry, shared_url: str) -> None:
    error = refused(
        shared, shared_url, metric_uid="monthly_ar", time_unit="year", metric_date="2026-01-01"
    )
    assert "'day'" in error.errors[0].message
    assert "'month'" in error.errors[0].message


def test_long_input_is_shortened_in_messages(shared: MetricRegistry, shared_url: str) -> None:
    error = refused(shared, shared_url, metric_uid="x" * 5000, timezone="Z" * 5000)
    assert all(len(item.message) < 300 for item in error.errors)


# -- accepted values -------------------------------------------------------------------------

ACCEPTED = [
    # (metric, given, stored, type)
    pytest.param("total_ar", 350_000_000, 350_000_000, int, id="cents"),
    pytest.param("total_ar", 0, 0, int, id="cents-zero"),
    pytest.param("total_ar", -125, -125, int, id="cents-negative"),
    pytest.param("total_ar", 100.0, 100, int, id="cents-integral-float"),
    pytest.param("total_ar", -0.0, 0, int, id="cents-minus-zero"),
    pytest.param("total_ar", Decimal("100"), 100, int, id="cents-decimal"),
    pytest.param("total_ar", Decimal("100.00"), 100, int, id="cents-decimal-zeros"),
    pytest.param("total_ar", Decimal("1E+3"), 1000, int, id="cents-decimal-exponent"),
    pytest.param("total_ar", 2**62 + 7, 2**62 + 7, int, id="cents-2**62+7"),
    pytest.param("total_ar", 2**63 - 1, 2**63 - 1, int, id="cents-int64-max"),
    pytest.param("total_ar", -(2**63), -(2**63), int, id="cents-int64-min"),
    pytest.param("dso", 45, 45.0, float, id="raw-int"),
    pytest.param("dso", 0.1, 0.1, float, id="raw-tenth"),
    pytest.param("dso", -2.5, -2.5, float, id="raw-negative"),
    pytest.param("dso", Decimal("2.5"), 2.5, float, id="raw-decimal"),
    pytest.param("dso", 1.7976931348623157e308, 1.7976931348623157e308, float, id="raw-max"),
    pytest.param("dso", 5e-324, 5e-324, float, id="raw-denormal"),
    pytest.param("dso", 2**62 + 7, float(2**62 + 7), float, id="raw-big-int"),
]


@pytest.mark.parametrize(("metric", "given", "stored", "kind"), ACCEPTED)
def test_value_is_stored_exactly(
    shared: MetricRegistry,
    shared_url: str,
    metric: str,
    given: Any,
    stored: int | float,
    kind: type,
) -> None:
    entity = own_entity(shared)
    value = record(shared, entity_uid=entity, metric_uid=metric, value=given)
    assert value.value == stored
    assert type(value.value) is kind
    assert shared.get_value(value.uid).value == stored
    assert type(shared.get_value(value.uid).value) is kind
    column = "value_cents" if kind is int else "value_raw"
    other = "value_raw" if kind is int else "value_cents"
    [(raw, empty)] = raw_rows(
        shared_url,
        f"SELECT v.{column}, v.{other} FROM metric_value v JOIN entity e ON e.id = v.entity_id "
        "WHERE e.uid = ?",
        (entity,),
    )
    assert (raw, empty) == (stored, None)
    assert type(raw) is kind
    if kind is int:  # JSON integers, never 350000000.0
        assert json.loads(value.model_dump_json())["value"] == stored
        assert f'"value":{stored},' in value.model_dump_json()


def test_2_62_plus_7_round_trips_as_a_python_int(shared: MetricRegistry, shared_url: str) -> None:
    entity = own_entity(shared)
    value = record(shared, entity_uid=entity, value=2**62 + 7)
    [(stored,)] = raw_rows(
        shared_url,
        "SELECT value_cents FROM metric_value v JOIN entity e ON e.id = v.entity_id "
        "WHERE e.uid = ?",
        (entity,),
    )
    assert stored == 2**62 + 7
    assert type(stored) is int
    assert shared.get_value(value.uid).value == 4611686018427387911
    listed = shared.list_values(ORG, entity, start_date="2026-01-01", end_date="2026-12-31")
    assert [item.value for item in listed.items] == [4611686018427387911]
    assert float(2**62 + 7) != 2**62 + 7  # a float would not have kept it


@pytest.mark.parametrize(
    "zone", ["America/Los_Angeles", "UTC", "Europe/Paris", "Etc/GMT+5", "Asia/Kathmandu", None]
)
def test_zones_of_the_tz_database_are_accepted(shared: MetricRegistry, zone: str | None) -> None:
    value = record(shared, entity_uid=own_entity(shared), timezone=zone)
    assert value.timezone == zone
    assert shared.get_value(value.uid).timezone == zone


METADATA = [
    pytest.param({}, id="empty"),
    pytest.param({"source": "erp", "batch": 7, "ok": True, "none": None}, id="flat"),
    pytest.param({"nested": {"list": [1, 2.5, "three", [], {}]}}, id="nested"),
    pytest.param({"ünïcödé": "日本語 🚀", "quote": "\"'\\"}, id="unicode"),
    pytest.param({"nul": "a\x00b"}, id="escaped-nul"),
    pytest.param({"k": "x" * (KIB_64 - 8)}, id="exactly-64-KiB"),
    pytest.param({"big": 2**62 + 7, "neg": -(2**70)}, id="big-integers"),
]


@pytest.mark.parametrize("metadata", METADATA)
@pytest.mark.parametrize("spelling", ["_metadata", "metadata"])
def test_metadata_round_trips(
    shared: MetricRegistry, metadata: dict[str, Any], spelling: str
) -> None:
    value = record(shared, entity_uid=own_entity(shared), **{spelling: metadata})
    assert value.metadata == metadata
    assert shared.get_value(value.uid).metadata == metadata
    assert value.model_dump(mode="json")["_metadata"] == metadata
    assert "metadata" not in value.model_dump(mode="json")


def test_metadata_defaults_to_an_empty_object(shared: MetricRegistry) -> None:
    value = record(shared, entity_uid=own_entity(shared))
    assert value.metadata == {}


def test_metadata_of_64_kib_is_the_limit() -> None:
    text = json.dumps({"k": "x" * (KIB_64 - 8)}, separators=(",", ":"))
    assert len(text.encode()) == KIB_64


def test_recorded_value_reads_back_whole(book: MetricRegistry) -> None:
    value = book.record_value(
        ORG,
        ORG_A.upper(),
        metric_uid="monthly_ar",
        metric_date=date(2026, 3, 15),
        value=350_000_000,
        timezone="America/Los_Angeles",
        metadata={"source": "erp"},
    )
    assert uuid.UUID(value.uid).version == 7
    assert value.uid == value.uid.lower()
    assert (value.metric_uid, value.metric_name) == ("monthly_ar", "Monthly Ar")
    assert (value.context_type, value.entity_uid) == (ORG, ORG_A)
    assert (value.time_unit, value.metric_date) == ("day", date(2026, 3, 15))
    assert (value.period_definition, value.storage_unit, value.value_type) == (
        "calendar_month",
        "cents",
        "currency",
    )
    assert (value.period_start, value.period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert value.period_end_at - value.period_start_at == timedelta(hours=743)
    assert value.created_at == value.updated_at
    assert book.get_value(value.uid) == value
    assert book.get_value(value.uid.upper()) == value
    dumped = value.model_dump(mode="json")
    assert set(dumped) == set(VALUE_FIELDS)
    assert dumped["metric_date"] == "2026-03-15"
    assert dumped["period_start_at"] == "2026-03-01T08:00:00Z"
    assert dumped["value"] == 350_000_000
    for name in ("created_at", "updated_at", "period_start_at", "period_end_at"):
        assert re.fullmatch(TIMESTAMP_JSON, dumped[name])


def test_time_unit_defaults_to_day(shared: MetricRegistry) -> None:
    assert record(shared, entity_uid=own_entity(shared)).time_unit == "day"


# -- the unique key ----------------------------------------------------------------------------


def test_the_key_is_unique(book: MetricRegistry, database_url: str) -> None:
    first = record(book, value=1)
    before = stored_tables(database_url)
    with pytest.raises(ConflictError) as caught:
        record(book, value=2, entity_uid=ORG_A.upper(), metric_date=date(2026, 3, 15))
    assert caught.value.code == "already_exists"
    assert first.uid in caught.value.message
    assert stored_tables(database_url) == before
    assert book.get_value(first.uid) == first


@pytest.mark.parametrize(
    "other",
    [
        pytest.param({"entity_uid": ORG_B}, id="other-entity"),
        pytest.param({"metric_uid": "balance"}, id="other-metric"),
        pytest.param({"metric_date": "2026-03-16"}, id="other-date"),
        pytest.param({"time_unit": "month", "metric_date": "2026-03-01"}, id="other-unit"),
    ],
)
def test_any_other_key_is_another_value(book: MetricRegistry, other: dict[str, Any]) -> None:
    record(
        book, time_unit="day", metric_date="2026-03-01" if "time_unit" in other else "2026-03-15"
    )
    second = record(book, **other)
    assert book.get_value(second.uid) == second


def test_a_conflict_leaves_the_registry_writable(book: MetricRegistry) -> None:
    record(book)
    with pytest.raises(ConflictError):
        record(book)
    assert record(book, metric_date="2026-03-16").metric_date == date(2026, 3, 16)


# -- update ----------------------------------------------------------------------------------


@pytest.fixture
def stored(shared: MetricRegistry) -> MetricValue:
    """A value of an entity of its own, in the shared database."""
    return record(
        shared,
        entity_uid=own_entity(shared),
        value=100,
        timezone="America/Los_Angeles",
        _metadata={"a": 1},
    )


SAME_ENTITY = "the stored value's entity, upper-cased"


EDITS = [
    pytest.param({"value": 250}, {"value": 250}, id="value"),
    pytest.param({"value": 250.0}, {"value": 250}, id="value-integral-float"),
    pytest.param({"value": Decimal("-3")}, {"value": -3}, id="value-decimal"),
    pytest.param({"_metadata": {"b": 2}}, {"metadata": {"b": 2}}, id="metadata-wire-name"),
    pytest.param({"metadata": {}}, {"metadata": {}}, id="metadata-cleared"),
    pytest.param({"timezone": "Europe/London"}, {"timezone": "Europe/London"}, id="timezone"),
    pytest.param({"timezone": None}, {"timezone": None}, id="timezone-cleared"),
    pytest.param(
        {"value": 7, "metadata": {"c": [1]}, "timezone": "UTC"},
        {"value": 7, "metadata": {"c": [1]}, "timezone": "UTC"},
        id="all-three",
    ),
    pytest.param(
        {
            "value": 8,
            "metric_uid": "total_ar",
            "context_type": ORG,
            "entity_uid": SAME_ENTITY,
            "time_unit": "day",
            "metric_date": date(2026, 3, 15),
        },
        {"value": 8},
        id="with-unchanged-key-fields",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), EDITS)
def test_update_changes_the_editable_fields(
    shared: MetricRegistry, stored: MetricValue, changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    book = shared
    bystander = record(book, entity_uid=stored.entity_uid, metric_date="2026-03-16")
    if changes.get("entity_uid") == SAME_ENTITY:
        changes = {**changes, "entity_uid": stored.entity_uid.upper()}
    updated = book.update_value(stored.uid, changes)
    for name, value in expected.items():
        assert getattr(updated, name) == value
        assert type(getattr(updated, name)) is type(value)
    unchanged = {
        name: getattr(stored, name)
        for name in MetricValue.model_fields
        if name not in expected and not name.startswith("period_") and name != "updated_at"
    }
    assert {name: getattr(updated, name) for name in unchanged} == unchanged
    assert updated.updated_at > stored.updated_at
    assert updated.created_at == stored.created_at
    assert book.get_value(stored.uid) == updated
    assert book.get_value(bystander.uid) == bystander


def test_update_of_the_zone_moves_the_instants(shared: MetricRegistry, stored: MetricValue) -> None:
    book = shared
    assert stored.period_start_at == datetime(2026, 3, 15, 7, tzinfo=UTC)
    updated = book.update_value(stored.uid, timezone="Asia/Tokyo")
    assert (updated.period_start, updated.period_end) == (stored.period_start, stored.period_end)
    assert updated.period_start_at == datetime(2026, 3, 14, 15, tzinfo=UTC)
    cleared = book.update_value(stored.uid, timezone=None)
    assert cleared.period_start_at == datetime(2026, 3, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"value": 100}, id="same-value"),
        pytest.param({"value": 100.0}, id="same-value-as-float"),
        pytest.param({"metadata": {"a": 1}}, id="same-metadata"),
        pytest.param({"timezone": "America/Los_Angeles"}, id="same-zone"),
        pytest.param(
            {"metric_uid": "total_ar", "metric_date": "2026-03-15", "time_unit": "day"},
            id="same-key",
        ),
    ],
)
def test_update_that_changes_nothing_leaves_updated_at(
    shared: MetricRegistry, shared_url: str, stored: MetricValue, changes: dict[str, Any]
) -> None:
    before = stored_values(shared_url)
    assert shared.update_value(stored.uid, changes) == stored
    assert stored_values(shared_url) == before


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"metric_uid": "balance"}, {("metric_uid", "immutable_field")}, id="metric"),
        pytest.param({"context_type": PARTY}, {("context_type", "immutable_field")}, id="context"),
        pytest.param({"entity_uid": ORG_B}, {("entity_uid", "immutable_field")}, id="entity"),
        pytest.param({"time_unit": "month"}, {("time_unit", "immutable_field")}, id="unit"),
        pytest.param({"metric_date": "2026-03-16"}, {("metric_date", "immutable_field")}, id="dt"),
        pytest.param(
            {"metric_date": "2026-03-16", "time_unit": "month", "value": 5},
            {("metric_date", "immutable_field"), ("time_unit", "immutable_field")},
            id="two-immutables-and-a-value",
        ),
        pytest.param({"value": 1.5}, {("value", "invalid_type")}, id="fraction"),
        pytest.param({"value": True}, {("value", "invalid_type")}, id="boolean"),
        pytest.param({"value": None}, {("value", "invalid_type")}, id="null-value"),
        pytest.param({"value": NAN}, {("value", "out_of_range")}, id="nan"),
        pytest.param({"value": 2**63}, {("value", "out_of_range")}, id="beyond-int64"),
        pytest.param({"timezone": "Mars/Olympus"}, {("timezone", "invalid_choice")}, id="zone"),
        pytest.param({"metadata": [1]}, {("_metadata", "invalid_type")}, id="metadata-list"),
        pytest.param({"metadata": None}, {("_metadata", "invalid_type")}, id="metadata-null"),
        pytest.param(
            {"_metadata": {"k": "x" * KIB_64}}, {("_metadata", "too_long")}, id="metadata-long"
        ),
        pytest.param({"uid": "x"}, {("uid", "unknown_field")}, id="uid"),
        pytest.param({"created_at": "x"}, {("created_at", "unknown_field")}, id="created_at"),
        pytest.param({"valu": 5}, {("valu", "unknown_field")}, id="typo"),
    ],
)
def test_update_refusals_write_nothing(
    shared: MetricRegistry,
    shared_url: str,
    stored: MetricValue,
    changes: dict[str, Any],
    expected: set[Any],
) -> None:
    before = stored_tables(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.update_value(stored.uid, changes)
    assert errors_of(caught.value) == expected
    assert stored_tables(shared_url) == before


def test_immutable_field_names_stored_and_requested(
    shared: MetricRegistry, stored: MetricValue
) -> None:
    with pytest.raises(ValidationError) as caught:
        shared.update_value(stored.uid, metric_date="2026-03-16")
    message = caught.value.errors[0].message
    assert "2026-03-15" in message
    assert "2026-03-16" in message


def test_a_value_of_a_deactivated_metric_can_still_be_corrected(book: MetricRegistry) -> None:
    """Decision: "active for new values" (§9.2) — a retired metric's history stays editable."""
    stored = record(book, value=100)
    book.update_metric("total_ar", is_active=False)
    assert book.update_value(stored.uid, value=101).value == 101


@pytest.mark.parametrize("uid", [UNREGISTERED, "not-a-uuid", ""])
def test_update_of_a_missing_value_is_not_found(shared: MetricRegistry, uid: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        shared.update_value(uid, value=5)
    assert caught.value.kind == "value"


# -- get and delete --------------------------------------------------------------------------


@pytest.mark.parametrize("uid", [UNREGISTERED, "not-a-uuid", "", "a\x00"])
def test_get_of_a_missing_value_is_not_found(shared: MetricRegistry, uid: str) -> None:
    with pytest.raises(NotFoundError):
        shared.get_value(uid)


def test_delete_value(book: MetricRegistry, database_url: str) -> None:
    stored = record(book)
    kept = record(book, metric_date="2026-03-16")
    assert book.delete_value(stored.uid.upper()) is None
    with pytest.raises(NotFoundError):
        book.get_value(stored.uid)
    with pytest.raises(NotFoundError):
        book.delete_value(stored.uid)
    assert book.get_value(kept.uid) == kept
    assert len(stored_values(database_url)) == 1
    again = record(book, value=5)  # the key is free again, under a new uid
    assert again.uid != stored.uid


@pytest.mark.parametrize("uid", [UNREGISTERED, "not-a-uuid", ""])
def test_delete_of_a_missing_value_is_not_found(
    shared: MetricRegistry, shared_url: str, uid: str
) -> None:
    before = stored_tables(shared_url)
    with pytest.raises(NotFoundError):
        shared.delete_value(uid)
    assert stored_tables(shared_url) == before


def test_a_metric_with_values_cannot_be_deleted(book: MetricRegistry, database_url: str) -> None:
    stored = record(book)
    before = stored_tables(database_url)
    with pytest.raises(ConflictError) as caught:
        book.delete_metric("total_ar")
    assert caught.value.code == "in_use"
    assert "total_ar" in caught.value.message
    assert stored_tables(database_url) == before
    book.delete_value(stored.uid)
    book.delete_metric("total_ar")
    with pytest.raises(NotFoundError):
        book.get_metric("total_ar")


def test_values_is_reserved_for_metrics(shared: MetricRegistry, shared_url: str) -> None:
    before = stored_tables(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.create_metric(uid="values", name="Values")
    assert errors_of(caught.value) == {("uid", "invalid_choice")}
    assert stored_tables(shared_url) == before


# -- period bounds of stored values (§9.3) ---------------------------------------------------

DEFINITION_METRICS = {
    None: "plain",
    "as_of_date": "as_of",
    "trailing_30_days": "trailing",
    "calendar_month": "calendar",
    "month_to_date": "to_date",
}


@pytest.fixture(scope="module", params=ENGINES)
def periods_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Every cell of the period table and every instant of the zone table, recorded once."""
    with module_database(request.param, tmp_path_factory) as url:
        with MetricRegistry(url) as registry:
            add_catalog(registry)
            for definition, uid in DEFINITION_METRICS.items():
                registry.create_metric(uid=uid, name=uid, period_definition=definition)
            rows = [
                {
                    "context_type": ORG,
                    "entity_uid": ORG_A,
                    "metric_uid": DEFINITION_METRICS[definition],
                    "time_unit": unit,
                    "metric_date": day,
                    "value": 1,
                }
                for definition, unit, day, _, _ in PERIOD_TABLE
            ]
            rows += [
                {
                    "context_type": ORG,
                    "entity_uid": instant_entity(number),
                    "metric_uid": DEFINITION_METRICS[definition],
                    "time_unit": unit,
                    "metric_date": day,
                    "timezone": zone,
                    "value": 1,
                }
                for number, (definition, unit, day, zone, *_) in enumerate(INSTANT_TABLE)
            ]
            summary = registry.record_values(rows, register_entities=True)
            assert summary.inserted == len(rows)
        yield url


def instant_entity(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def stored_cell(url: str, entity: str, definition: str | None, unit: str, day: str) -> Any:
    with MetricRegistry(url) as registry:
        page = registry.list_values(
            ORG,
            entity,
            metric_uids=[DEFINITION_METRICS[definition]],
            time_unit=unit,
            start_date=day,
            end_date=day,
        )
    [value] = page.items
    return value


@pytest.mark.parametrize(("definition", "unit", "day", "start", "end"), PERIOD_TABLE)
def test_stored_value_bounds(
    periods_url: str, definition: str | None, unit: str, day: str, start: str, end: str
) -> None:
    value = stored_cell(periods_url, ORG_A, definition, unit, day)
    assert (value.period_start, value.period_end) == (d(start), d(end))
    assert value.period_start_at == datetime.fromisoformat(start).replace(tzinfo=UTC)
    assert value.period_end_at == datetime.fromisoformat(end).replace(tzinfo=UTC) + timedelta(
        days=1
    )


@pytest.mark.parametrize(
    ("number", "definition", "unit", "day", "zone", "start_at", "end_at", "hours"),
    [(number, *row) for number, row in enumerate(INSTANT_TABLE)],
)
def test_stored_value_instants(
    periods_url: str,
    number: int,
    definition: str | None,
    unit: str,
    day: str,
    zone: str | None,
    start_at: str,
    end_at: str,
    hours: float,
) -> None:
    value = stored_cell(periods_url, instant_entity(number), definition, unit, day)
    assert value.timezone == zone
    assert (value.period_start_at, value.period_end_at) == (utc(start_at), utc(end_at))
    assert value.period_end_at - value.period_start_at == timedelta(hours=hours)
    assert value.period_start_at.utcoffset() == timedelta(0)
