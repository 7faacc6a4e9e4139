"""Properties over generated payloads, on both engines.

- a valid payload round-trips: create -> get is equal, and its JSON is the §2 document;
- an invalid payload raises ValidationError naming exactly the corrupted fields, and
  leaves the table as it was.

Names are drawn from every character except surrogates (not encodable), NUL (see
``test_store::test_nul_character``) and U+001C..U+001F (whitespace to Python's
``str.strip`` but not to Unicode, so "stripped" is ambiguous for them).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metric_registry import (
    ContextType,
    MetricRegistry,
    PeriodDefinition,
    StorageUnit,
    ValidationError,
    ValueType,
)
from metric_registry.models import UID_PATTERN, visible

from ._support import METRIC_KEYS, PROPERTIES, TIMESTAMP_JSON, all_metrics

TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00\x1c\x1d\x1e\x1f")
UIDS = st.from_regex(UID_PATTERN, fullmatch=True).filter(lambda uid: len(uid) <= 64)
NAMES = st.text(TEXT, min_size=1, max_size=255).filter(lambda name: visible(name.strip()))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


VALID = st.fixed_dictionaries(
    {"uid": UIDS, "name": NAMES},
    optional={
        "context_type": st.sampled_from([member.value for member in ContextType]),
        "description": optional(st.text(TEXT, max_size=300)),
        "formula": optional(st.text(TEXT, max_size=300)),
        "value_type": st.sampled_from(list(ValueType)),
        "storage_unit": st.sampled_from([member.value for member in StorageUnit]),
        "is_snapshot": st.booleans(),
        "period_definition": optional(st.sampled_from([m.value for m in PeriodDefinition])),
        "is_active": st.booleans(),
    },
)

DEFAULTS = {
    "context_type": "ORGANIZATION",
    "description": None,
    "formula": None,
    "value_type": "count",
    "storage_unit": "raw",
    "is_snapshot": False,
    "period_definition": None,
    "is_active": True,
}


@PROPERTIES
@given(payload=VALID)
def test_valid_payload_round_trips(registry: MetricRegistry, payload: dict[str, Any]) -> None:
    created = registry.create_metric(payload)
    try:
        assert registry.get_metric(payload["uid"]) == created
        document = created.model_dump(mode="json")
        assert set(document) == METRIC_KEYS
        assert re.fullmatch(TIMESTAMP_JSON, document.pop("created_at"))
        assert document.pop("updated_at")
        expected = {**DEFAULTS, **payload, "name": payload["name"].strip()}
        expected["value_type"] = str(expected["value_type"])
        assert document == expected
    finally:
        registry.delete_metric(payload["uid"])


# Each corruption: (field, bad value). Unknown fields are corruptions named by their key.
BAD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "uid": st.one_of(
        st.sampled_from(["", "Total", "a__b", "_a", "a_", "1a", "abc\n", "x" * 65]),
        st.integers(),
        st.none(),
        st.text(TEXT, max_size=70).filter(lambda uid: re.fullmatch(UID_PATTERN, uid) is None),
    ),
    "name": st.one_of(
        st.sampled_from(["", "   ", "\t\n", "n" * 256]), st.integers(), st.none(), st.booleans()
    ),
    "context_type": st.one_of(
        st.sampled_from(["organization", "Party", "", "user"]),
        st.text(TEXT, max_size=20).filter(lambda v: v not in ContextType._value2member_map_),
    ),
    "value_type": st.sampled_from(["Currency", "COUNT", "money", "", 3]),
    "storage_unit": st.sampled_from(["RAW", "Cents", "dollars"]),
    "period_definition": st.sampled_from(["AS_OF_DATE", "monthly", ""]),
    "is_snapshot": st.one_of(st.sampled_from(["true", "false", 1, 0, None]), st.floats()),
    "is_active": st.sampled_from(["true", "false", 1, 0, None, "yes", [True]]),
    "description": st.one_of(st.just("d" * 10_001), st.integers(), st.lists(st.text())),
    "formula": st.one_of(st.just("f" * 4_001), st.integers(), st.booleans()),
}
UNKNOWN_FIELDS = st.sampled_from(["valuetype", "created_at", "updated_at", "id", "Name", "uid "])


@st.composite
def invalid_payloads(draw: st.DrawFn) -> tuple[dict[str, Any], set[str]]:
    payload = dict(draw(VALID))
    corrupted = draw(st.sets(st.sampled_from(sorted(BAD_VALUES)), max_size=4))
    for field in corrupted:
        payload[field] = draw(BAD_VALUES[field])
    unknown = draw(st.sets(UNKNOWN_FIELDS, max_size=2))
    for field in unknown:
        payload[field] = draw(st.one_of(st.none(), st.text(max_size=5), st.integers()))
    missing = draw(st.sets(st.sampled_from(["uid", "name"]), max_size=2))
    for field in missing:
        payload.pop(field)
    bad = (corrupted - missing) | unknown | missing
    if not bad:
        payload.pop("name")
        bad = {"name"}
    return payload, bad


@PROPERTIES
@given(case=invalid_payloads())
def test_invalid_payload_is_refused_and_writes_nothing(
    registry: MetricRegistry, case: tuple[dict[str, Any], set[str]]
) -> None:
    payload, bad = case
    if registry.list_metrics(search="witness").total_items == 0:
        registry.create_metric(uid="witness", name="Witness")
    before = all_metrics(registry)
    with pytest.raises(ValidationError) as caught:
        registry.create_metric(payload)
    assert {item.field for item in caught.value.errors} == bad
    assert all(item.message for item in caught.value.errors)
    assert all_metrics(registry) == before
