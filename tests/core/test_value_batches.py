"""Recording values in batches (SPEC §9.4) on both engines: streamed, atomic, every bad row
named (up to 100), ``on_conflict`` with exact counts, idempotent re-sends, entities
registered on the way, duplicate keys inside one batch.

Decision (duplicates inside one batch): rows apply in order, each counted against the state
the rows before it left. ``skip`` keeps the first row of a key (the later ones are
``skipped``); ``update`` lets the last one win (a later row is ``updated``, or ``unchanged``
when it repeats the one before); ``error`` refuses the batch, naming both rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from metric_registry import ConflictError, MetricRegistry, RecordSummary, ValidationError

from ._support import errors_of
from ._value_support import (
    ENGINES,
    ORG,
    ORG_A,
    ORG_B,
    PARTY,
    PARTY_A,
    UNREGISTERED,
    count_values,
    module_database,
    opened,
    stored_tables,
    value_row,
)

CHUNK = 1000  # the rows the writer sends at once; positions past it cross a chunk


@pytest.fixture
def book(database_url: str) -> Iterator[MetricRegistry]:
    with opened(database_url) as registry:
        yield registry


@pytest.fixture(scope="module", params=ENGINES)
def shared_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database per engine for the refused batches (each checks it wrote nothing)."""
    with module_database(request.param, tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="module")
def shared(shared_url: str) -> Iterator[MetricRegistry]:
    with opened(shared_url) as registry:
        registry.record_values(daily(5, entity=ORG_B))
        yield registry


def summary(inserted: int = 0, updated: int = 0, unchanged: int = 0, skipped: int = 0) -> Any:
    return RecordSummary(inserted=inserted, updated=updated, unchanged=unchanged, skipped=skipped)


def daily(count: int, entity: str = ORG_A, metric: str = "total_ar", **fields: Any) -> list[Any]:
    """``count`` valid rows, one a day from 2020-01-01."""
    from datetime import date, timedelta

    first = date(2020, 1, 1)
    return [
        value_row(
            entity_uid=entity,
            metric_uid=metric,
            metric_date=(first + timedelta(days=number)).isoformat(),
            value=number,
            **fields,
        )
        for number in range(count)
    ]


@dataclass
class Mine:
    """Two entities of a test's own in the shared database: what it records collides with
    no other test's values (``stored_tables`` still compares the whole database)."""

    registry: MetricRegistry
    url: str
    first: str
    second: str

    def row(self, **fields: Any) -> dict[str, Any]:
        return value_row(entity_uid=self.first, **fields)

    def by_date(self) -> dict[str, Any]:
        page = self.registry.list_values(
            ORG, self.first, start_date="2026-01-01", end_date="2026-12-31", include_metadata=True
        )
        return {value.metric_date.isoformat(): value for value in page.items}


@pytest.fixture
def mine(shared: MetricRegistry, shared_url: str) -> Mine:
    first, second = (shared.register_entity(ORG, str(uuid.uuid4())).uid for _ in range(2))
    return Mine(shared, shared_url, first, second)


# -- streaming ---------------------------------------------------------------------------------


def test_a_generator_of_50000_rows_is_streamed(book: MetricRegistry, database_url: str) -> None:
    """The rows are written chunk by chunk while the generator runs (the registry's own
    transaction sees them), and nobody else sees any of them before the end."""
    entities = [f"00000000-0000-4000-8000-{number:012d}" for number in range(50)]
    seen_inside: dict[int, int] = {}
    seen_outside: dict[int, int] = {}
    pulled = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for index, row in enumerate(
            row for entity in entities for row in daily(1000, entity=entity)
        ):
            if index in (25_000, 49_999):
                seen_inside[index] = book.list_metric_values(
                    "total_ar", latest=False, start_date="2020-01-01", end_date="2030-01-01"
                ).total_items
                seen_outside[index] = count_values(database_url)
            pulled += 1
            yield row

    result = book.record_values(rows(), register_entities=True)
    assert result == summary(inserted=50_000)
    assert pulled == 50_000
    assert seen_inside[25_000] >= 25_000 - CHUNK
    assert seen_inside[49_999] >= 50_000 - CHUNK
    assert seen_outside == {25_000: 0, 49_999: 0}
    assert count_values(database_url) == 50_000
    assert book.list_entities(ORG, per_page=100).total_items == 52


def test_rows_may_be_a_list_a_tuple_or_any_iterable(mine: Mine) -> None:
    book = mine.registry
    assert book.record_values(daily(3, entity=mine.first)) == summary(inserted=3)
    assert book.record_values(tuple(daily(3, entity=mine.second))) == summary(inserted=3)
    assert book.record_values(iter(daily(4, entity=mine.first)), on_conflict="skip") == summary(
        1, skipped=3
    )
    assert book.record_values([]) == summary()


# -- atomicity and errors ----------------------------------------------------------------------


@pytest.mark.parametrize("position", [0, 17, CHUNK - 1, CHUNK, 1500, 2999])
@pytest.mark.parametrize("register_entities", [False, True])
def test_one_bad_row_writes_nothing(
    shared: MetricRegistry, shared_url: str, position: int, register_entities: bool
) -> None:
    entity = str(uuid.uuid4())  # unknown: registered on the way, unless refused
    if not register_entities:
        shared.register_entity(ORG, entity)
    before = stored_tables(shared_url)
    rows = daily(3000, entity=entity)
    rows[position]["value"] = True
    with pytest.raises(ValidationError) as caught:
        shared.record_values(iter(rows), register_entities=register_entities)
    assert errors_of(caught.value) == {(f"values[{position}].value", "invalid_type")}
    assert stored_tables(shared_url) == before


ROW_ERRORS = [
    pytest.param({"metric_uid": "nope"}, {("metric_uid", "not_found")}, id="metric-missing"),
    pytest.param({"metric_uid": "retired"}, {("metric_uid", "inactive")}, id="metric-inactive"),
    pytest.param(
        {"context_type": PARTY, "entity_uid": PARTY_A},
        {("context_type", "mismatch")},
        id="context-mismatch",
    ),
    pytest.param({"entity_uid": UNREGISTERED}, {("entity_uid", "not_found")}, id="unregistered"),
    pytest.param({"value": 100.5}, {("value", "invalid_type")}, id="fraction-of-a-cent"),
    pytest.param({"value": 2**63}, {("value", "out_of_range")}, id="beyond-int64"),
    pytest.param(
        {"time_unit": "month", "metric_date": "2026-03-15"},
        {("metric_date", "invalid_format")},
        id="month-not-canonical",
    ),
    pytest.param({"timezone": "Mars/Olympus"}, {("timezone", "invalid_choice")}, id="zone"),
    pytest.param({"_metadata": [1]}, {("_metadata", "invalid_type")}, id="metadata"),
    pytest.param({"colour": "red"}, {("colour", "unknown_field")}, id="unknown-field"),
    pytest.param({"context_type": None}, {("context_type", "invalid_choice")}, id="context-null"),
]


@pytest.mark.parametrize(("fields", "expected"), ROW_ERRORS)
def test_row_errors_are_named_by_position(
    shared: MetricRegistry, shared_url: str, fields: dict[str, Any], expected: set[Any]
) -> None:
    rows = daily(10)
    rows[7].update(fields)
    before = stored_tables(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.record_values(rows)
    assert errors_of(caught.value) == {(f"values[7].{field}", code) for field, code in expected}
    assert stored_tables(shared_url) == before


@pytest.mark.parametrize(
    ("left_out", "expected"),
    [
        ("context_type", {("values[2].context_type", "required")}),
        ("entity_uid", {("values[2].entity_uid", "required")}),
        ("metric_uid", {("values[2].metric_uid", "required")}),
        ("metric_date", {("values[2].metric_date", "required")}),
        ("value", {("values[2].value", "required")}),
    ],
)
def test_a_field_left_out_is_required_alone(
    shared: MetricRegistry, shared_url: str, left_out: str, expected: set[Any]
) -> None:
    rows = daily(4)
    del rows[2][left_out]
    before = stored_tables(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.record_values(rows)
    assert errors_of(caught.value) == expected
    assert stored_tables(shared_url) == before


@pytest.mark.parametrize("row", ["text", 5, None, [ORG, ORG_A]], ids=["str", "int", "none", "list"])
def test_a_row_that_is_no_mapping(shared: MetricRegistry, shared_url: str, row: Any) -> None:
    rows: list[Any] = daily(3)
    rows.insert(1, row)
    before = stored_tables(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.record_values(rows)
    assert errors_of(caught.value) == {("values[1]", "invalid_type")}
    assert stored_tables(shared_url) == before


def test_every_bad_row_is_reported_up_to_100(shared: MetricRegistry, shared_url: str) -> None:
    pulled = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        for number, row in enumerate(daily(1000)):
            pulled += 1
            if number % 2:
                row["value"] = "x"
            yield row

    before = stored_tables(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.record_values(rows())
    fields = [error.field for error in caught.value.errors]
    assert fields == [f"values[{number}].value" for number in range(1, 200, 2)]
    assert pulled == 200  # the batch stopped reading at the 100th error
    assert stored_tables(shared_url) == before


def test_errors_of_one_row_all_count_towards_the_100(shared: MetricRegistry) -> None:
    rows = daily(300)
    for row in rows:
        row.update(value=True, timezone="Mars/Olympus")
    with pytest.raises(ValidationError) as caught:
        shared.record_values(rows)
    assert len(caught.value.errors) == 100
    assert caught.value.errors[-1].field.startswith("values[49].")


@pytest.mark.parametrize(
    ("on_conflict", "code"),
    [
        ("replace", "invalid_choice"),
        ("", "invalid_choice"),
        ("SKIP", "invalid_choice"),
        (None, "invalid_choice"),
    ],
)
def test_bad_on_conflict_reads_no_row(
    shared: MetricRegistry, shared_url: str, on_conflict: Any, code: str
) -> None:
    pulled = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal pulled
        pulled += 1
        yield value_row()

    before = stored_tables(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.record_values(rows(), on_conflict=on_conflict)
    assert errors_of(caught.value) == {("on_conflict", code)}
    assert all(mode in caught.value.errors[0].message for mode in ("error", "skip", "update"))
    assert pulled == 0
    assert stored_tables(shared_url) == before


@pytest.mark.parametrize("register_entities", ["yes", 1, None])
def test_register_entities_is_a_boolean(shared: MetricRegistry, register_entities: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        shared.record_values([value_row()], register_entities=register_entities)
    assert errors_of(caught.value) == {("register_entities", "invalid_type")}


def test_a_batch_inside_atomic_rolls_back_with_it(mine: Mine) -> None:
    before = stored_tables(mine.url)

    def batch_then_fail() -> None:
        with mine.registry.atomic():
            mine.registry.record_values(daily(1500, entity=mine.first))
            raise RuntimeError("after the batch")

    with pytest.raises(RuntimeError):
        batch_then_fail()
    assert stored_tables(mine.url) == before


# -- on_conflict -------------------------------------------------------------------------------

A = {"metric_date": "2026-03-01"}
B = {"metric_date": "2026-03-02"}
C = {"metric_date": "2026-03-03"}
D = {"metric_date": "2026-03-04"}


@pytest.fixture
def two_stored(mine: Mine) -> Mine:
    """A (value 1) and B (value 2) of total_ar for the first entity, and one of the second."""
    mine.registry.record_values([mine.row(**A, value=1), mine.row(**B, value=2)])
    mine.registry.record_value(
        ORG, mine.second, metric_uid="total_ar", metric_date="2026-03-01", value=9
    )
    return mine


@pytest.mark.parametrize(
    ("on_conflict", "expected", "values_after"),
    [
        ("skip", summary(inserted=2, skipped=2), {"2026-03-01": 1, "2026-03-02": 2}),
        ("update", summary(inserted=2, updated=1, unchanged=1), {"2026-03-01": 1, "2026-03-02": 3}),
    ],
)
def test_on_conflict_counts_every_row_once(
    two_stored: Mine, on_conflict: str, expected: Any, values_after: dict[str, int]
) -> None:
    mine = two_stored
    before = mine.by_date()
    rows = [
        mine.row(**A, value=1),  # the same as stored
        mine.row(**B, value=3),  # another value
        mine.row(**C, value=4),
        mine.row(**D, value=5),
    ]
    assert mine.registry.record_values(rows, on_conflict=on_conflict) == expected
    after = mine.by_date()
    assert {day: after[day].value for day in values_after} == values_after
    assert (after["2026-03-03"].value, after["2026-03-04"].value) == (4, 5)
    assert after["2026-03-01"] == before["2026-03-01"]  # untouched: updated_at too
    if on_conflict == "skip":
        assert after["2026-03-02"] == before["2026-03-02"]
    else:
        changed, old = after["2026-03-02"], before["2026-03-02"]
        assert changed.updated_at > old.updated_at
        assert (changed.uid, changed.created_at) == (old.uid, old.created_at)
    assert len(after) == 4


def test_on_conflict_error_names_the_row_and_the_stored_uid(two_stored: Mine) -> None:
    mine = two_stored
    stored_b = mine.by_date()["2026-03-02"]
    before = stored_tables(mine.url)
    rows = [mine.row(**C, value=4), mine.row(**B, value=3), mine.row(**D, value=5)]
    with pytest.raises(ConflictError) as caught:
        mine.registry.record_values(rows)
    assert caught.value.code == "already_exists"
    assert "values[1]" in caught.value.message
    assert stored_b.uid in caught.value.message
    assert stored_tables(mine.url) == before


def test_on_conflict_error_past_the_first_chunk(mine: Mine) -> None:
    taken = mine.registry.record_value(
        ORG, mine.first, metric_uid="total_ar", metric_date="2026-01-01", value=1
    )
    before = stored_tables(mine.url)
    rows = daily(3000, entity=mine.first)
    rows[2100]["metric_date"] = "2026-01-01"
    rows[2100]["value"] = 2
    with pytest.raises(ConflictError) as caught:
        mine.registry.record_values(rows)
    assert "values[2100]" in caught.value.message
    assert taken.uid in caught.value.message
    assert stored_tables(mine.url) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": 10}, "value"),
        ({"timezone": "Europe/Paris"}, "timezone"),
        ({"_metadata": {"note": "restated"}}, "metadata"),
        ({"metadata": {"note": "restated"}}, "metadata"),
    ],
)
def test_update_takes_every_editable_field(
    two_stored: Mine, change: dict[str, Any], field: str
) -> None:
    mine = two_stored
    old = mine.by_date()["2026-03-01"]
    row = mine.row(**{**A, "value": 1, **change})
    assert mine.registry.record_values([row], on_conflict="update") == summary(updated=1)
    new = mine.by_date()["2026-03-01"]
    wanted = next(iter(change.values()))
    assert getattr(new, field) == wanted
    assert new.updated_at > old.updated_at


@pytest.mark.parametrize("on_conflict", ["skip", "update"])
def test_resending_the_same_rows_changes_nothing(mine: Mine, on_conflict: str) -> None:
    rows = daily(1200, entity=mine.first, timezone="America/Los_Angeles", _metadata={"n": 1})
    rows += daily(1300, entity=mine.second, metric="dso")
    assert mine.registry.record_values(rows) == summary(inserted=2500)
    before = stored_tables(mine.url)
    result = mine.registry.record_values(iter(rows), on_conflict=on_conflict)
    if on_conflict == "skip":
        assert result == summary(skipped=2500)
    else:
        assert result == summary(unchanged=2500)
    assert stored_tables(mine.url) == before


@pytest.mark.parametrize("given", [100.0, Decimal("100"), Decimal("100.00"), Decimal("1E+2")])
def test_value_given_differently_but_equal_is_unchanged(two_stored: Mine, given: Any) -> None:
    """100.0 and Decimal('100') are 100 cents: re-sending them changes nothing."""
    mine = two_stored
    mine.registry.record_values([mine.row(**C, value=100)])
    before = stored_tables(mine.url)
    result = mine.registry.record_values([mine.row(**C, value=given)], on_conflict="update")
    assert result == summary(unchanged=1)
    assert stored_tables(mine.url) == before


# -- duplicates inside one batch -----------------------------------------------------------------


@pytest.mark.parametrize("second_at", [1, CHUNK + 500], ids=["same-chunk", "next-chunk"])
@pytest.mark.parametrize(
    ("on_conflict", "first", "second", "expected", "stored"),
    [
        ("skip", 1, 2, summary(inserted=1, skipped=1), 1),
        ("skip", 1, 1, summary(inserted=1, skipped=1), 1),
        ("update", 1, 2, summary(inserted=1, updated=1), 2),
        ("update", 1, 1, summary(inserted=1, unchanged=1), 1),
    ],
)
def test_a_key_twice_in_one_batch(
    mine: Mine,
    on_conflict: str,
    first: int,
    second: int,
    expected: Any,
    stored: int,
    second_at: int,
) -> None:
    rows = daily(second_at, entity=mine.second)  # other keys between the two
    rows.insert(0, mine.row(**A, value=first))
    rows.insert(second_at, mine.row(**A, value=second))
    result = mine.registry.record_values(rows, on_conflict=on_conflict)
    assert result == summary(
        inserted=expected.inserted + second_at,
        updated=expected.updated,
        unchanged=expected.unchanged,
        skipped=expected.skipped,
    )
    assert mine.by_date()["2026-03-01"].value == stored


def test_a_key_three_times_counts_against_the_row_before(mine: Mine) -> None:
    mine.registry.record_values([mine.row(**A, value=5)])
    rows = [mine.row(**A, value=1), mine.row(**A, value=1), mine.row(**A, value=2)]
    assert mine.registry.record_values(rows, on_conflict="update") == summary(
        updated=2, unchanged=1
    )
    assert mine.by_date()["2026-03-01"].value == 2
    assert mine.registry.record_values(rows, on_conflict="skip") == summary(skipped=3)


@pytest.mark.parametrize("second_at", [1, CHUNK + 500], ids=["same-chunk", "next-chunk"])
def test_a_key_twice_is_a_conflict_naming_both_rows(mine: Mine, second_at: int) -> None:
    rows = daily(second_at, entity=mine.second)
    rows.insert(0, mine.row(**A, value=1))
    rows.insert(second_at, mine.row(**A, value=2))
    before = stored_tables(mine.url)
    with pytest.raises(ConflictError) as caught:
        mine.registry.record_values(rows)
    assert caught.value.code == "already_exists"
    message = caught.value.message
    assert f"values[{second_at}]" in message
    if second_at < CHUNK:
        assert "values[0]" in message
    assert "earlier row" in message
    assert stored_tables(mine.url) == before


# -- entities on the way -----------------------------------------------------------------------


def test_register_entities_registers_the_unknown_ones(
    book: MetricRegistry, database_url: str
) -> None:
    new = ["22222222-0000-4000-8000-000000000000", "33333333-0000-4000-8000-000000000000"]
    rows = [
        value_row(entity_uid=new[0].upper()),
        value_row(entity_uid=new[1]),
        value_row(entity_uid=new[0], metric_date="2026-03-16"),
        value_row(entity_uid=ORG_A),
    ]
    assert book.record_values(rows, register_entities=True) == summary(inserted=4)
    for uid in new:
        entity = book.get_entity(ORG, uid)
        assert entity.name is None
    assert book.get_entity(ORG, ORG_A).name == "Acme"
    assert book.list_entities(ORG).total_items == 4
    assert (
        book.list_values(ORG, new[0], start_date="2026-03-01", end_date="2026-03-31").total_items
        == 2
    )


def test_without_register_entities_unknown_ones_are_refused(
    shared: MetricRegistry, shared_url: str
) -> None:
    before = stored_tables(shared_url)
    rows = [value_row(), value_row(entity_uid=UNREGISTERED, metric_date="2026-03-16")]
    with pytest.raises(ValidationError) as caught:
        shared.record_values(rows)
    assert errors_of(caught.value) == {("values[1].entity_uid", "not_found")}
    assert stored_tables(shared_url) == before


def test_register_entities_registers_nothing_for_a_refused_row(
    shared: MetricRegistry, shared_url: str
) -> None:
    before = stored_tables(shared_url)
    rows = [
        value_row(entity_uid=UNREGISTERED, context_type=PARTY),  # total_ar is an ORGANIZATION's
        value_row(entity_uid="44444444-0000-4000-8000-000000000000", value=True),
    ]
    with pytest.raises(ValidationError) as caught:
        shared.record_values(rows, register_entities=True)
    assert errors_of(caught.value) == {
        ("values[0].context_type", "mismatch"),
        ("values[1].value", "invalid_type"),
    }
    assert stored_tables(shared_url) == before
