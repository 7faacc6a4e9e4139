"""Hostile values, generated (SPEC §9.2), on both engines: refused with every bad field named
and nothing written; and valid values that round-trip exactly.

A hostile row is a valid one (total_ar, in cents, of an organization) with some of its
fields replaced by hostile values. The refusal names exactly the replaced fields, with one
rule: when the metric itself is bad, the fields whose rules come from the metric (the time
unit, the date, the value) are not judged (the entity, the zone and the metadata still are).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metric_registry import MetricRegistry, ValidationError

from ._support import PROPERTIES
from ._value_support import ENGINES, ORG, ORG_A, seeded_module_database, stored_tables, value_row


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


MEBIBYTE_OF_METADATA = {"rows": [{"k": "x" * 1000, "n": number} for number in range(1050)]}
HOSTILE: dict[str, st.SearchStrategy[Any]] = {
    "metric_uid": st.sampled_from(
        ["nope", "a\x00", "x" * 10_000, "'; DROP TABLE metric; --", "Total_AR", "\ud800", ""]
    )
    | st.integers()
    | st.none()
    | st.lists(st.text(max_size=3), max_size=2),
    "context_type": st.sampled_from(
        ["organization", "", "ORGANIZATION ", "ORGANIZATION\x00", "ORG", "*"]
    )
    | st.integers()
    | st.none(),
    "entity_uid": st.sampled_from(
        ["../", "\x00", ORG_A + "\n", "{" + ORG_A + "}", "", ORG_A[:-1], ORG_A + "00", "\ud800"]
    )
    | st.integers()
    | st.none()
    | st.text(max_size=40).filter(lambda text: len(text.replace("-", "")) != 32),
    "time_unit": st.sampled_from(["week", "", "DAY", "days", " day", "day\x00"])
    | st.none()
    | st.integers(),
    "metric_date": st.sampled_from(
        [
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2023-02-29",
            "26-01-01",
            "2026/01/01",
            "",
            "2026-03-15T00:00:00",
            "\uff12\uff10\uff12\uff16-03-15",  # full-width digits
            "2026-03-15\n",
            "+2026-03-15",
        ]
    )
    | st.datetimes()
    | st.integers()
    | st.none()
    | st.floats(),
    "value": st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            2**63,
            -(2**63) - 1,
            10**400,
            True,
            False,
            "100",
            None,
            [1],
            {"a": 1},
            100.5,
            0.1,
            Decimal("NaN"),
            Decimal("sNaN"),
            Decimal("Infinity"),
            Decimal("0.5"),
            Decimal("1E+999999999"),
            1e300,
        ]
    )
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f != int(f)),
    "timezone": st.sampled_from(
        [
            "../../etc/passwd",
            "Mars/Olympus",
            "",
            " UTC",
            "/etc/localtime",
            "UTC\x00",
            "localtime",
            "America/../Europe/Paris",
            "a" * 300,
            "utc",
            "America/Los_Angeles/",
        ]
    )
    | st.integers()
    | st.lists(st.just("UTC"), min_size=1, max_size=1),
    "_metadata": st.sampled_from(
        [
            [1, 2],
            "{}",
            None,
            5,
            {"a": math.nan},
            {"a": {1, 2}},
            {"a": b"bytes"},
            {"a": date(2026, 1, 1)},
            {"a": "\ud800"},
            nested(5000),
            MEBIBYTE_OF_METADATA,
            {"k": "x" * (64 * 1024)},
        ]
    ),
}
METRIC_RULED = {"time_unit", "metric_date", "value"}


@pytest.fixture(scope="module", params=ENGINES)
def hostile_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with seeded_module_database(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def hostile(hostile_url: str) -> Iterator[MetricRegistry]:
    with MetricRegistry(hostile_url) as registry:
        yield registry


@st.composite
def corrupted(draw: st.DrawFn) -> tuple[dict[str, Any], set[str]]:
    """A valid row with some of its fields hostile, and the fields a refusal must name."""
    names = draw(st.sets(st.sampled_from(sorted(HOSTILE)), min_size=1))
    row = value_row(metric_date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))).isoformat())
    for name in names:
        row[name] = draw(HOSTILE[name])
    return row, names - METRIC_RULED if "metric_uid" in names else names


@PROPERTIES
@given(case=corrupted())
def test_a_hostile_row_is_refused_naming_its_fields(
    hostile: MetricRegistry, hostile_url: str, case: tuple[dict[str, Any], set[str]]
) -> None:
    row, expected = case
    before = stored_tables(hostile_url)
    fields = dict(row)
    context_type, entity_uid = fields.pop("context_type"), fields.pop("entity_uid")
    with pytest.raises(ValidationError) as caught:
        hostile.record_value(context_type, entity_uid, fields)
    assert {error.field for error in caught.value.errors} == expected
    assert all(len(error.message) < 300 for error in caught.value.errors)
    assert stored_tables(hostile_url) == before


@PROPERTIES
@given(
    case=corrupted(),
    size=st.integers(min_value=1, max_value=40),
    data=st.data(),
)
def test_a_hostile_row_in_a_batch_refuses_the_batch(
    hostile: MetricRegistry,
    hostile_url: str,
    case: tuple[dict[str, Any], set[str]],
    size: int,
    data: st.DataObject,
) -> None:
    row, expected = case
    position = data.draw(st.integers(min_value=0, max_value=size - 1))
    rows = [value_row(metric_date=f"2027-01-{day:02d}") for day in range(1, 29)] * 2
    rows = rows[: size - 1]
    rows.insert(position, row)
    before = stored_tables(hostile_url)
    with pytest.raises(ValidationError) as caught:
        hostile.record_values(
            iter(rows), on_conflict=data.draw(st.sampled_from(["skip", "update"]))
        )
    assert {error.field for error in caught.value.errors} == {
        f"values[{position}].{field}" for field in expected
    }
    assert stored_tables(hostile_url) == before


# -- valid values round-trip -------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=8), children)
    ),
    max_leaves=20,
)
ZONES = st.sampled_from([None, "UTC", "America/Los_Angeles", "Asia/Kathmandu", "Pacific/Chatham"])


KEYS = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)


@PROPERTIES
@given(
    cents=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    raw=st.floats(allow_nan=False, allow_infinity=False),
    metadata=st.dictionaries(KEYS, JSON, max_size=5),
    zone=ZONES,
    day=st.dates(date(1900, 1, 1), date(2999, 12, 31)),
)
def test_valid_values_round_trip_exactly(
    hostile: MetricRegistry,
    cents: int,
    raw: float,
    metadata: dict[str, Any],
    zone: str | None,
    day: date,
) -> None:
    entity = hostile.register_entity(ORG, str(uuid.uuid4())).uid
    money = hostile.record_value(
        ORG, entity, metric_uid="total_ar", metric_date=day, value=cents, timezone=zone,
        metadata=metadata,
    )  # fmt: skip
    days = hostile.record_value(ORG, entity, metric_uid="dso", metric_date=day, value=raw)
    for recorded in (money, days):
        assert hostile.get_value(recorded.uid) == recorded
    assert (money.value, type(money.value)) == (cents, int)
    assert (days.value, type(days.value)) == (raw, float)
    assert money.metadata == metadata
    assert money.timezone == zone
    listed = hostile.list_values(ORG, entity, start_date=day, end_date=day, include_metadata=True)
    assert sorted(listed.items, key=lambda value: value.metric_uid) == [days, money]


@PROPERTIES
@given(size=st.integers(min_value=64 * 1024 - 40, max_value=64 * 1024 + 40), wide=st.booleans())
def test_metadata_is_measured_in_bytes_of_compact_json(
    hostile: MetricRegistry, hostile_url: str, size: int, wide: bool
) -> None:
    """Accepted when its compact JSON is at most 64 KiB, refused as too_long beyond."""
    text = ("é" * (size // 2) + "x" * (size % 2)) if wide else "x" * size
    metadata = {"k": text}
    encoded = len(('{"k":"' + text + '"}').encode())
    entity = hostile.register_entity(ORG, str(uuid.uuid4())).uid
    if encoded <= 64 * 1024:
        value = hostile.record_value(
            ORG, entity, metric_uid="total_ar", metric_date="2026-01-01", value=1, metadata=metadata
        )
        assert hostile.get_value(value.uid).metadata == metadata
    else:
        before = stored_tables(hostile_url)
        with pytest.raises(ValidationError) as caught:
            hostile.record_value(
                ORG, entity, metric_uid="total_ar", metric_date="2026-01-01", value=1,
                metadata=metadata,
            )  # fmt: skip
        assert {(e.field, e.code) for e in caught.value.errors} == {("_metadata", "too_long")}
        assert stored_tables(hostile_url) == before
