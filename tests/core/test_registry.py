"""MetricRegistry's operations on both engines: create, get, update, delete."""

from __future__ import annotations

from typing import Any

import pytest

from metric_registry import (
    ConflictError,
    Metric,
    MetricRegistry,
    MetricRegistryError,
    NotFoundError,
    ValidationError,
)

from ._support import all_metrics, errors_of

# A metric whose immutable fields all differ from the defaults.
STORED: dict[str, Any] = {
    "uid": "party_dso",
    "name": "Party DSO",
    "context_type": "PARTY",
    "description": "Days sales outstanding",
    "formula": "(Average AR / Credit Sales) x Days in period",
    "value_type": "days",
    "storage_unit": "cents",
    "is_snapshot": True,
    "period_definition": "calendar_month",
    "is_active": True,
}


@pytest.fixture
def stored(registry: MetricRegistry) -> Metric:
    registry.create_metric(uid="bystander", name="Bystander")
    return registry.create_metric(STORED)


# -- create, get, delete ---------------------------------------------------------------------


def test_create_with_keywords_and_with_a_mapping(registry: MetricRegistry) -> None:
    by_keywords = registry.create_metric(uid="total_ar", name="Total AR", value_type="currency")
    by_mapping = registry.create_metric({"uid": "dso", "name": "DSO", "value_type": "days"})
    assert (by_keywords.uid, by_keywords.name, by_keywords.value_type) == (
        "total_ar",
        "Total AR",
        "currency",
    )
    assert (by_mapping.uid, by_mapping.value_type) == ("dso", "days")
    assert registry.get_metric("total_ar") == by_keywords
    assert registry.get_metric("dso") == by_mapping


def test_keywords_complete_a_mapping(registry: MetricRegistry) -> None:
    metric = registry.create_metric({"uid": "dso"}, name="DSO", is_active=False)
    assert (metric.uid, metric.name, metric.is_active) == ("dso", "DSO", False)


def test_create_returns_what_get_reads(registry: MetricRegistry) -> None:
    created = registry.create_metric(STORED)
    assert registry.get_metric("party_dso") == created
    assert registry.get_metric("party_dso").model_dump(mode="json") == created.model_dump(
        mode="json"
    )


def test_taken_uid_is_a_conflict_and_writes_nothing(registry: MetricRegistry) -> None:
    original = registry.create_metric(uid="dso", name="Original")
    with pytest.raises(ConflictError) as caught:
        registry.create_metric(uid="dso", name="Second", value_type="ratio")
    assert caught.value.code == "already_exists"
    assert "dso" in caught.value.message
    assert all_metrics(registry) == (original,)


def test_registry_still_writes_after_a_conflict(registry: MetricRegistry) -> None:
    registry.create_metric(uid="dso", name="Original")
    with pytest.raises(ConflictError):
        registry.create_metric(uid="dso", name="Second")
    registry.create_metric(uid="dpo", name="DPO")
    assert [metric.uid for metric in all_metrics(registry)] == ["dpo", "dso"]


@pytest.mark.parametrize("uid", ["missing", "Not A Uid", "", "x" * 200])
def test_get_missing_is_not_found(registry: MetricRegistry, uid: str) -> None:
    registry.create_metric(uid="present", name="Present")
    with pytest.raises(NotFoundError) as caught:
        registry.get_metric(uid)
    assert (caught.value.code, caught.value.kind, caught.value.key) == ("not_found", "metric", uid)


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda registry, uid: registry.get_metric(uid), id="get"),
        pytest.param(lambda registry, uid: registry.delete_metric(uid), id="delete"),
        pytest.param(lambda registry, uid: registry.update_metric(uid, name="x"), id="update"),
    ],
)
@pytest.mark.parametrize("uid", [None, 5, ["a"]])
def test_uid_argument_must_be_a_string(
    file_registry: MetricRegistry, operation: Any, uid: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        operation(file_registry, uid)
    assert errors_of(caught.value) == {("uid", "invalid_type")}


def test_delete_then_get(registry: MetricRegistry) -> None:
    registry.create_metric(uid="dso", name="DSO")
    keep = registry.create_metric(uid="dpo", name="DPO")
    assert registry.delete_metric("dso") is None
    with pytest.raises(NotFoundError):
        registry.get_metric("dso")
    with pytest.raises(NotFoundError):
        registry.delete_metric("dso")
    assert all_metrics(registry) == (keep,)


def test_delete_missing_is_not_found(registry: MetricRegistry) -> None:
    with pytest.raises(NotFoundError) as caught:
        registry.delete_metric("missing")
    assert (caught.value.kind, caught.value.key) == ("metric", "missing")


def test_a_deleted_uid_can_be_created_again(registry: MetricRegistry) -> None:
    registry.create_metric(uid="dso", name="DSO", value_type="days")
    registry.delete_metric("dso")
    again = registry.create_metric(uid="dso", name="DSO again", value_type="ratio")
    assert registry.get_metric("dso") == again


@pytest.mark.parametrize(
    "error",
    [ValidationError, NotFoundError, ConflictError],
)
def test_every_error_derives_from_one_base(error: type[Exception]) -> None:
    assert issubclass(error, MetricRegistryError)


# -- update ----------------------------------------------------------------------------------

MUTABLE_CHANGES = [
    pytest.param({"name": "Renamed"}, {"name": "Renamed"}, id="name"),
    pytest.param({"name": "  Padded  "}, {"name": "Padded"}, id="name-stripped"),
    pytest.param({"description": "New text"}, {"description": "New text"}, id="description"),
    pytest.param({"description": None}, {"description": None}, id="description-cleared"),
    pytest.param({"formula": "a / b"}, {"formula": "a / b"}, id="formula"),
    pytest.param({"formula": None}, {"formula": None}, id="formula-cleared"),
    pytest.param({"is_active": False}, {"is_active": False}, id="deactivate"),
    pytest.param(
        {"name": "Both", "is_active": False},
        {"name": "Both", "is_active": False},
        id="two-fields",
    ),
    pytest.param(
        {"name": "With immutables", "value_type": "days", "uid": "party_dso"},
        {"name": "With immutables"},
        id="with-unchanged-immutables",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), MUTABLE_CHANGES)
def test_update_changes_only_the_given_fields(
    registry: MetricRegistry,
    stored: Metric,
    changes: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    bystander = registry.get_metric("bystander")
    updated = registry.update_metric("party_dso", changes)
    assert updated == stored.model_copy(update={**expected, "updated_at": updated.updated_at})
    assert updated.updated_at > stored.updated_at
    assert updated.created_at == stored.created_at
    assert registry.get_metric("party_dso") == updated
    assert registry.get_metric("bystander") == bystander


def test_update_with_keywords_a_mapping_or_both(registry: MetricRegistry, stored: Metric) -> None:
    by_keywords = registry.update_metric("party_dso", name="One", is_active=False)
    assert (by_keywords.name, by_keywords.is_active) == ("One", False)
    by_mapping = registry.update_metric("party_dso", {"name": "Two", "formula": None})
    assert (by_mapping.name, by_mapping.formula, by_mapping.is_active) == ("Two", None, False)
    both = registry.update_metric("party_dso", {"name": "Three"}, description="d")
    assert (both.name, both.description) == ("Three", "d")
    assert registry.get_metric("party_dso") == both


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"name": "Party DSO"}, id="same-name"),
        pytest.param({"name": "  Party DSO "}, id="same-name-after-strip"),
        pytest.param({"is_active": True, "formula": STORED["formula"]}, id="same-values"),
        pytest.param({"uid": "party_dso"}, id="same-uid"),
        pytest.param({"context_type": "PARTY"}, id="same-context_type"),
        pytest.param({"value_type": "days"}, id="same-value_type"),
        pytest.param({"storage_unit": "cents"}, id="same-storage_unit"),
        pytest.param({"is_snapshot": True}, id="same-is_snapshot"),
        pytest.param({"period_definition": "calendar_month"}, id="same-period_definition"),
        pytest.param(STORED, id="whole-document"),
    ],
)
def test_update_that_changes_nothing_leaves_updated_at_alone(
    registry: MetricRegistry, stored: Metric, changes: dict[str, Any]
) -> None:
    assert registry.update_metric("party_dso", changes) == stored
    assert registry.get_metric("party_dso") == stored


def test_whole_json_document_can_be_sent_back(registry: MetricRegistry, stored: Metric) -> None:
    # The read-only timestamps are not input (SPEC §2: created_at in input is unknown_field).
    document = stored.model_dump(mode="json", exclude={"created_at", "updated_at"})
    assert registry.update_metric("party_dso", document) == stored
    changed = registry.update_metric("party_dso", {**document, "name": "Renamed"})
    assert changed.name == "Renamed"
    assert changed.updated_at > stored.updated_at


IMMUTABLE_CHANGES = [
    pytest.param("uid", "other_uid", id="uid"),
    pytest.param("context_type", "USER", id="context_type"),
    pytest.param("value_type", "ratio", id="value_type"),
    pytest.param("storage_unit", "raw", id="storage_unit"),
    pytest.param("is_snapshot", False, id="is_snapshot"),
    pytest.param("period_definition", "as_of_date", id="period_definition"),
    pytest.param("period_definition", None, id="period_definition-to-null"),
]


@pytest.mark.parametrize(("field", "requested"), IMMUTABLE_CHANGES)
def test_changing_an_immutable_field_is_refused(
    registry: MetricRegistry, stored: Metric, field: str, requested: object
) -> None:
    with pytest.raises(ValidationError) as caught:
        registry.update_metric("party_dso", {field: requested, "name": "Not applied"})
    assert errors_of(caught.value) == {(field, "immutable_field")}
    message = caught.value.errors[0].message
    assert repr(STORED[field]) in message
    assert repr(requested) in message
    assert registry.get_metric("party_dso") == stored


def test_immutable_field_of_a_default_metric(registry: MetricRegistry) -> None:
    plain = registry.create_metric(uid="plain", name="Plain")
    with pytest.raises(ValidationError) as caught:
        registry.update_metric("plain", period_definition="as_of_date", is_snapshot=True)
    assert errors_of(caught.value) == {
        ("period_definition", "immutable_field"),
        ("is_snapshot", "immutable_field"),
    }
    assert "None" in next(e.message for e in caught.value.errors if e.field == "period_definition")
    assert registry.get_metric("plain") == plain


def test_every_changed_immutable_field_is_reported(
    registry: MetricRegistry, stored: Metric
) -> None:
    with pytest.raises(ValidationError) as caught:
        registry.update_metric(
            "party_dso", uid="renamed", value_type="ratio", storage_unit="raw", name="x"
        )
    assert errors_of(caught.value) == {
        ("uid", "immutable_field"),
        ("value_type", "immutable_field"),
        ("storage_unit", "immutable_field"),
    }
    assert registry.get_metric("party_dso") == stored


INVALID_UPDATES = [
    pytest.param({"name": None}, {("name", "invalid_type")}, id="name-null"),
    pytest.param({"is_active": None}, {("is_active", "invalid_type")}, id="is_active-null"),
    pytest.param({"uid": None}, {("uid", "invalid_type")}, id="uid-null"),
    pytest.param({"value_type": None}, {("value_type", "invalid_type")}, id="value_type-null"),
    pytest.param({"is_snapshot": None}, {("is_snapshot", "invalid_type")}, id="is_snapshot-null"),
    pytest.param({"name": ""}, {("name", "required")}, id="name-empty"),
    pytest.param({"name": "   "}, {("name", "required")}, id="name-blank"),
    pytest.param({"name": "n" * 256}, {("name", "too_long")}, id="name-256"),
    pytest.param({"description": "d" * 10_001}, {("description", "too_long")}, id="desc-long"),
    pytest.param({"formula": "f" * 4_001}, {("formula", "too_long")}, id="formula-long"),
    pytest.param({"is_active": "false"}, {("is_active", "invalid_type")}, id="is_active-str"),
    pytest.param({"is_active": 0}, {("is_active", "invalid_type")}, id="is_active-zero"),
    pytest.param({"value_type": "DAYS"}, {("value_type", "invalid_choice")}, id="enum-case"),
    pytest.param({"valuetype": "days"}, {("valuetype", "unknown_field")}, id="typo"),
    pytest.param(
        {"created_at": "2023-11-07T05:31:56Z"}, {("created_at", "unknown_field")}, id="ts"
    ),
    pytest.param(
        {"name": "", "is_active": "yes", "colour": "red"},
        {("name", "required"), ("is_active", "invalid_type"), ("colour", "unknown_field")},
        id="several",
    ),
]


@pytest.mark.parametrize(("changes", "expected"), INVALID_UPDATES)
def test_invalid_update_is_refused_and_writes_nothing(
    registry: MetricRegistry,
    stored: Metric,
    changes: dict[str, Any],
    expected: set[tuple[str, str]],
) -> None:
    before = all_metrics(registry)
    with pytest.raises(ValidationError) as caught:
        registry.update_metric("party_dso", changes)
    assert errors_of(caught.value) == expected
    assert all_metrics(registry) == before


def test_update_missing_is_not_found(registry: MetricRegistry) -> None:
    with pytest.raises(NotFoundError) as caught:
        registry.update_metric("missing", name="x")
    assert (caught.value.kind, caught.value.key) == ("metric", "missing")
    assert all_metrics(registry) == ()


def test_successive_updates_keep_bumping(registry: MetricRegistry, stored: Metric) -> None:
    first = registry.update_metric("party_dso", name="One")
    same = registry.update_metric("party_dso", name="One")
    second = registry.update_metric("party_dso", name="Two")
    assert stored.updated_at < first.updated_at == same.updated_at < second.updated_at
    assert {first.created_at, same.created_at, second.created_at} == {stored.created_at}
    assert registry.get_metric("party_dso") == second
