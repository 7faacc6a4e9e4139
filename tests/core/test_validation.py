"""Every rule of SPEC §2 on create, as tables of valid and invalid inputs.

The rules are checked before anything touches the database, so the tables run on a SQLite
file; ``test_properties`` and ``test_registry`` repeat the essentials on both engines.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metric_registry import (
    ContextType,
    MetricRegistry,
    NotFoundError,
    PeriodDefinition,
    StorageUnit,
    ValidationError,
    ValueType,
)

from ._support import all_metrics, errors_of

BASE = {"uid": "total_ar", "name": "Total AR"}


@pytest.fixture
def sqlite_registry(tmp_path: Path) -> Iterator[MetricRegistry]:
    with MetricRegistry(str(tmp_path / "metrics.db")) as opened:
        opened.create_metric(uid="existing", name="Already here")
        yield opened


def rejected(registry: MetricRegistry, payload: dict[str, Any]) -> ValidationError:
    """The ValidationError raised for ``payload``, after checking nothing was written."""
    before = all_metrics(registry)
    with pytest.raises(ValidationError) as caught:
        registry.create_metric(payload)
    assert caught.value.code == "invalid"
    assert all_metrics(registry) == before
    return caught.value


# -- uid -------------------------------------------------------------------------------------

VALID_UIDS = [
    pytest.param("a", id="one-letter"),
    pytest.param("total_ar", id="snake"),
    pytest.param("a1", id="letter-digit"),
    pytest.param("a_1", id="digit-word"),
    pytest.param("abc_def_ghi", id="three-words"),
    pytest.param("m2_2024_q1", id="digits-inside"),
    pytest.param("x" * 64, id="64-chars"),
]

INVALID_UIDS = [
    pytest.param("Total", "invalid_format", id="capital"),
    pytest.param("totalAr", "invalid_format", id="camel"),
    pytest.param("a__b", "invalid_format", id="double-underscore"),
    pytest.param("_a", "invalid_format", id="leading-underscore"),
    pytest.param("a_", "invalid_format", id="trailing-underscore"),
    pytest.param("1a", "invalid_format", id="leading-digit"),
    pytest.param("a-b", "invalid_format", id="hyphen"),
    pytest.param("a b", "invalid_format", id="space"),
    pytest.param(" a", "invalid_format", id="leading-space"),
    pytest.param("abc\n", "invalid_format", id="trailing-newline"),
    pytest.param("caf\u00e9", "invalid_format", id="non-ascii"),
    pytest.param("\uff41", "invalid_format", id="fullwidth-a"),
    pytest.param("", "required", id="empty"),
    pytest.param("x" * 65, "too_long", id="65-chars"),
    pytest.param(5, "invalid_type", id="int"),
    pytest.param(None, "invalid_type", id="null"),
    pytest.param(["a"], "invalid_type", id="list"),
    pytest.param(b"abc", "invalid_type", id="bytes"),
]


@pytest.mark.parametrize("uid", VALID_UIDS)
def test_valid_uid(sqlite_registry: MetricRegistry, uid: str) -> None:
    assert sqlite_registry.create_metric({**BASE, "uid": uid}).uid == uid
    assert sqlite_registry.get_metric(uid).uid == uid


@pytest.mark.parametrize(("uid", "code"), INVALID_UIDS)
def test_invalid_uid(sqlite_registry: MetricRegistry, uid: object, code: str) -> None:
    error = rejected(sqlite_registry, {**BASE, "uid": uid})
    assert errors_of(error) == {("uid", code)}


def test_uid_error_message_explains_the_rule(sqlite_registry: MetricRegistry) -> None:
    error = rejected(sqlite_registry, {**BASE, "uid": "Total"})
    assert "snake_case" in error.errors[0].message


def test_uid_is_unique(sqlite_registry: MetricRegistry) -> None:
    # Uniqueness is a ConflictError, not a ValidationError; see test_registry.
    from metric_registry import ConflictError

    with pytest.raises(ConflictError):
        sqlite_registry.create_metric(uid="existing", name="Again")


# -- name ------------------------------------------------------------------------------------

VALID_NAMES = [
    pytest.param("x", "x", id="one-char"),
    pytest.param("Total AR Outstanding", "Total AR Outstanding", id="plain"),
    pytest.param("  Total AR  ", "Total AR", id="stripped"),
    pytest.param("\tTotal\n", "Total", id="tabs-newlines-stripped"),
    pytest.param("Inner  spaces kept", "Inner  spaces kept", id="inner-spaces-kept"),
    pytest.param("n" * 255, "n" * 255, id="255-chars"),
    pytest.param("  " + "n" * 255 + "  ", "n" * 255, id="255-after-strip"),
    pytest.param("Caf\u00e9 \u2014 \u65e5\u672c", "Caf\u00e9 \u2014 \u65e5\u672c", id="unicode"),
    pytest.param("100% _done_", "100% _done_", id="like-wildcards"),
]

INVALID_NAMES = [
    pytest.param("", "required", id="empty"),
    pytest.param("   ", "required", id="blank"),
    pytest.param("\t\n", "required", id="whitespace-only"),
    pytest.param("n" * 256, "too_long", id="256-chars"),
    pytest.param(5, "invalid_type", id="int"),
    pytest.param(None, "invalid_type", id="null"),
    pytest.param(True, "invalid_type", id="bool"),
    pytest.param({"en": "x"}, "invalid_type", id="object"),
]


@pytest.mark.parametrize(("name", "stored"), VALID_NAMES)
def test_valid_name(sqlite_registry: MetricRegistry, name: str, stored: str) -> None:
    assert sqlite_registry.create_metric({**BASE, "name": name}).name == stored
    assert sqlite_registry.get_metric(BASE["uid"]).name == stored


@pytest.mark.parametrize(("name", "code"), INVALID_NAMES)
def test_invalid_name(sqlite_registry: MetricRegistry, name: object, code: str) -> None:
    error = rejected(sqlite_registry, {**BASE, "name": name})
    assert errors_of(error) == {("name", code)}


# -- enums -----------------------------------------------------------------------------------

ENUMS = {
    "context_type": ContextType,
    "value_type": ValueType,
    "storage_unit": StorageUnit,
    "period_definition": PeriodDefinition,
}
VALID_CHOICES = [
    pytest.param(field, member.value, id=f"{field}={member.value}")
    for field, enum in ENUMS.items()
    for member in enum
]
INVALID_CHOICES = [
    pytest.param("context_type", "organization", id="context_type-lowercase"),
    pytest.param("context_type", "Party", id="context_type-titlecase"),
    pytest.param("context_type", "ORG", id="context_type-unknown"),
    pytest.param("context_type", "", id="context_type-empty"),
    pytest.param("context_type", " USER", id="context_type-padded"),
    pytest.param("value_type", "COUNT", id="value_type-uppercase"),
    pytest.param("value_type", "Currency", id="value_type-titlecase"),
    pytest.param("value_type", "money", id="value_type-unknown"),
    pytest.param("value_type", "", id="value_type-empty"),
    pytest.param("storage_unit", "RAW", id="storage_unit-uppercase"),
    pytest.param("storage_unit", "cent", id="storage_unit-unknown"),
    pytest.param("period_definition", "AS_OF_DATE", id="period_definition-name"),
    pytest.param("period_definition", "trailing-30-days", id="period_definition-hyphens"),
    pytest.param("period_definition", "", id="period_definition-empty"),
]


@pytest.mark.parametrize(("field", "value"), VALID_CHOICES)
def test_valid_choice(sqlite_registry: MetricRegistry, field: str, value: str) -> None:
    metric = sqlite_registry.create_metric({**BASE, field: value})
    assert getattr(metric, field) == value
    assert getattr(sqlite_registry.get_metric(BASE["uid"]), field) == value


@pytest.mark.parametrize(("field", "value"), INVALID_CHOICES)
def test_invalid_choice_lists_the_allowed_values(
    sqlite_registry: MetricRegistry, field: str, value: str
) -> None:
    error = rejected(sqlite_registry, {**BASE, field: value})
    assert errors_of(error) == {(field, "invalid_choice")}
    message = error.errors[0].message
    assert all(repr(member.value) in message for member in ENUMS[field])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param(field, value, id=f"{field}-{label}")
        for field in ENUMS
        for value, label in ((5, "int"), (["count"], "list"), (True, "bool"))
    ]
    + [
        pytest.param(field, None, id=f"{field}-null")
        for field in ("context_type", "value_type", "storage_unit")
    ],
)
def test_enum_of_the_wrong_type(sqlite_registry: MetricRegistry, field: str, value: object) -> None:
    """An enum is a string: anything else is the wrong type (a wrong string, the wrong choice)."""
    error = rejected(sqlite_registry, {**BASE, field: value})
    assert [(item.field, item.code) for item in error.errors] == [(field, "invalid_type")]


def test_period_definition_is_nullable_without_default(sqlite_registry: MetricRegistry) -> None:
    assert sqlite_registry.create_metric(BASE).period_definition is None
    explicit = sqlite_registry.create_metric(uid="other", name="Other", period_definition=None)
    assert explicit.period_definition is None


# -- free text -------------------------------------------------------------------------------

TEXTS = [
    pytest.param("description", None, id="description-null"),
    pytest.param("description", "", id="description-empty"),
    pytest.param("description", "d" * 10_000, id="description-10000"),
    pytest.param("description", "  kept as given\n", id="description-not-stripped"),
    pytest.param("formula", None, id="formula-null"),
    pytest.param("formula", "(Average AR / Credit Sales) x Days in period", id="formula-text"),
    pytest.param("formula", "f" * 4_000, id="formula-4000"),
]
BAD_TEXTS = [
    pytest.param("description", "d" * 10_001, "too_long", id="description-10001"),
    pytest.param("description", 5, "invalid_type", id="description-int"),
    pytest.param("description", ["a"], "invalid_type", id="description-list"),
    pytest.param("formula", "f" * 4_001, "too_long", id="formula-4001"),
    pytest.param("formula", 1.5, "invalid_type", id="formula-float"),
    pytest.param("formula", {"op": "+"}, "invalid_type", id="formula-object"),
]


@pytest.mark.parametrize(("field", "value"), TEXTS)
def test_valid_text(sqlite_registry: MetricRegistry, field: str, value: str | None) -> None:
    assert getattr(sqlite_registry.create_metric({**BASE, field: value}), field) == value
    assert getattr(sqlite_registry.get_metric(BASE["uid"]), field) == value


@pytest.mark.parametrize(("field", "value", "code"), BAD_TEXTS)
def test_invalid_text(
    sqlite_registry: MetricRegistry, field: str, value: object, code: str
) -> None:
    error = rejected(sqlite_registry, {**BASE, field: value})
    assert errors_of(error) == {(field, code)}


# -- booleans --------------------------------------------------------------------------------

BOOLEAN_FIELDS = ("is_snapshot", "is_active")
NOT_BOOLEANS = [
    pytest.param("true", id="str-true"),
    pytest.param("false", id="str-false"),
    pytest.param(1, id="one"),
    pytest.param(0, id="zero"),
    pytest.param(1.0, id="float"),
    pytest.param("yes", id="yes"),
    pytest.param(None, id="null"),
    pytest.param([True], id="list"),
]


@pytest.mark.parametrize("field", BOOLEAN_FIELDS)
@pytest.mark.parametrize("value", [True, False])
def test_valid_boolean(sqlite_registry: MetricRegistry, field: str, value: bool) -> None:
    assert getattr(sqlite_registry.create_metric({**BASE, field: value}), field) is value
    assert getattr(sqlite_registry.get_metric(BASE["uid"]), field) is value


@pytest.mark.parametrize("field", BOOLEAN_FIELDS)
@pytest.mark.parametrize("value", NOT_BOOLEANS)
def test_boolean_must_be_a_real_boolean(
    sqlite_registry: MetricRegistry, field: str, value: object
) -> None:
    error = rejected(sqlite_registry, {**BASE, field: value})
    assert errors_of(error) == {(field, "invalid_type")}


# -- defaults, required and unknown fields ---------------------------------------------------


def test_defaults(sqlite_registry: MetricRegistry) -> None:
    metric = sqlite_registry.create_metric(BASE)
    assert metric == sqlite_registry.get_metric(BASE["uid"])
    assert metric.model_dump(exclude={"uid", "name", "created_at", "updated_at"}) == {
        "context_type": ContextType.ORGANIZATION,
        "description": None,
        "formula": None,
        "value_type": ValueType.COUNT,
        "storage_unit": StorageUnit.RAW,
        "is_snapshot": False,
        "period_definition": None,
        "is_active": True,
    }
    assert metric.updated_at == metric.created_at


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param({}, {("uid", "required"), ("name", "required")}, id="nothing"),
        pytest.param({"uid": "a"}, {("name", "required")}, id="no-name"),
        pytest.param({"name": "A"}, {("uid", "required")}, id="no-uid"),
    ],
)
def test_required_fields(
    sqlite_registry: MetricRegistry, payload: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    assert errors_of(rejected(sqlite_registry, payload)) == expected


@pytest.mark.parametrize(
    "field",
    [
        pytest.param("valuetype", id="typo"),
        pytest.param("created_at", id="created_at"),
        pytest.param("updated_at", id="updated_at"),
        pytest.param("id", id="id"),
        pytest.param("Uid", id="wrong-case"),
        pytest.param("metric_date", id="value-field"),
    ],
)
def test_unknown_field_is_rejected_not_ignored(sqlite_registry: MetricRegistry, field: str) -> None:
    error = rejected(sqlite_registry, {**BASE, field: "2023-11-07T05:31:56Z"})
    assert errors_of(error) == {(field, "unknown_field")}


def test_every_bad_field_is_reported(sqlite_registry: MetricRegistry) -> None:
    error = rejected(
        sqlite_registry,
        {
            "uid": "Bad Uid",
            "name": "   ",
            "value_type": "money",
            "is_active": "true",
            "formula": "f" * 4_001,
            "valuetype": "count",
        },
    )
    assert errors_of(error) == {
        ("uid", "invalid_format"),
        ("name", "required"),
        ("value_type", "invalid_choice"),
        ("is_active", "invalid_type"),
        ("formula", "too_long"),
        ("valuetype", "unknown_field"),
    }
    assert all(item.message for item in error.errors)
    assert all(item.field in error.message for item in error.errors)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(["uid", "name"], id="list"),
        pytest.param("uid=a", id="str"),
        pytest.param(5, id="int"),
    ],
)
def test_input_that_is_not_a_mapping(sqlite_registry: MetricRegistry, data: object) -> None:
    before = all_metrics(sqlite_registry)
    with pytest.raises(ValidationError) as caught:
        sqlite_registry.create_metric(data)  # type: ignore[arg-type]
    assert [item.code for item in caught.value.errors] == ["invalid_type"]
    assert all_metrics(sqlite_registry) == before


def test_field_errors_serialise_to_the_error_model(sqlite_registry: MetricRegistry) -> None:
    error = rejected(sqlite_registry, {**BASE, "valuetype": "count"})
    assert [item.as_dict() for item in error.errors] == [
        {
            "field": "valuetype",
            "code": "unknown_field",
            "message": error.errors[0].message,
        }
    ]


@pytest.mark.parametrize(
    "name", ["\u200b", "\ufeff", " \u200b\ufeff ", "\u200b\u200c\u200d", "\u0301"]
)
def test_a_name_needs_a_visible_character(sqlite_registry: MetricRegistry, name: str) -> None:
    error = rejected(sqlite_registry, {**BASE, "name": name})
    assert [(item.field, item.code) for item in error.errors] == [("name", "invalid_format")]


@pytest.mark.parametrize("name", ["a\u200b", "\ufeffAR", "é", "日本"])
def test_a_name_with_a_visible_character_is_kept(
    sqlite_registry: MetricRegistry, name: str
) -> None:
    assert sqlite_registry.create_metric({**BASE, "name": name}).name == name


def test_a_not_found_message_shortens_the_key(sqlite_registry: MetricRegistry) -> None:
    with pytest.raises(NotFoundError) as caught:
        sqlite_registry.get_metric("a" * 65_536)
    assert len(caught.value.message) < 200
    assert caught.value.key == "a" * 65_536
