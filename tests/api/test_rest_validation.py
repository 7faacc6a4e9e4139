"""Every rule of SPEC §2 surfaces through REST with its field and code; no body gives a 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metric_registry import MetricRegistry

from ._support import (
    METRIC_KEYS,
    PROPERTIES,
    PUBLISHED_EXAMPLE,
    Api,
    codes,
    failure,
    serving,
    snapshot,
    success,
)


@pytest.fixture
def api(registry: MetricRegistry) -> Iterator[Api]:
    with serving(registry) as served:
        served.create(**PUBLISHED_EXAMPLE)
        yield served


VALID = {"uid": "new_metric", "name": "New metric"}

# (changes to a valid creation body, or fields to drop with value DROP) -> {(field, code)}
DROP = object()
CREATE_RULES: list[tuple[dict[str, Any], set[tuple[str, str]]]] = [
    ({"uid": DROP}, {("uid", "required")}),
    ({"name": DROP}, {("name", "required")}),
    ({"uid": ""}, {("uid", "required")}),
    ({"uid": "Party_DSO"}, {("uid", "invalid_format")}),
    ({"uid": "1st_metric"}, {("uid", "invalid_format")}),
    ({"uid": "double__underscore"}, {("uid", "invalid_format")}),
    ({"uid": "trailing_"}, {("uid", "invalid_format")}),
    ({"uid": "with-dash"}, {("uid", "invalid_format")}),
    ({"uid": "a" * 65}, {("uid", "too_long")}),
    ({"uid": 7}, {("uid", "invalid_type")}),
    ({"uid": None}, {("uid", "invalid_type")}),
    ({"name": "   "}, {("name", "required")}),
    ({"name": "x" * 256}, {("name", "too_long")}),
    ({"name": None}, {("name", "invalid_type")}),
    ({"name": ["Party DSO"]}, {("name", "invalid_type")}),
    ({"context_type": "organization"}, {("context_type", "invalid_choice")}),
    ({"context_type": "TEAM"}, {("context_type", "invalid_choice")}),
    ({"description": "x" * 10_001}, {("description", "too_long")}),
    ({"description": 5}, {("description", "invalid_type")}),
    ({"formula": "x" * 4_001}, {("formula", "too_long")}),
    ({"formula": {"text": "a/b"}}, {("formula", "invalid_type")}),
    ({"value_type": "Currency"}, {("value_type", "invalid_choice")}),
    ({"value_type": "money"}, {("value_type", "invalid_choice")}),
    ({"storage_unit": "CENTS"}, {("storage_unit", "invalid_choice")}),
    ({"period_definition": "monthly"}, {("period_definition", "invalid_choice")}),
    ({"is_snapshot": "true"}, {("is_snapshot", "invalid_type")}),
    ({"is_snapshot": 1}, {("is_snapshot", "invalid_type")}),
    ({"is_active": "false"}, {("is_active", "invalid_type")}),
    ({"is_active": 0}, {("is_active", "invalid_type")}),
    ({"is_active": None}, {("is_active", "invalid_type")}),
    ({"valuetype": "count"}, {("valuetype", "unknown_field")}),
    ({"created_at": "2023-11-07T05:31:56Z"}, {("created_at", "unknown_field")}),
    ({"id": 1}, {("id", "unknown_field")}),
    (
        {"uid": "Bad", "name": "", "value_type": "money", "is_active": "yes", "extra": 1},
        {
            ("uid", "invalid_format"),
            ("name", "required"),
            ("value_type", "invalid_choice"),
            ("is_active", "invalid_type"),
            ("extra", "unknown_field"),
        },
    ),
]


@pytest.mark.parametrize(("changes", "expected"), CREATE_RULES, ids=repr)
def test_create_rules_surface_with_their_field_and_code(
    api: Api, changes: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    body = {key: value for key, value in {**VALID, **changes}.items() if value is not DROP}
    before = snapshot(api.registry)

    errors = failure(api.request("POST", "/api/metrics", json=body), 422)

    assert codes(errors) == expected
    assert len(errors) == len(expected)
    assert snapshot(api.registry) == before


# Against the stored PUBLISHED_EXAMPLE (ORGANIZATION, count, raw, not a snapshot, as_of_date).
UPDATE_RULES: list[tuple[dict[str, Any], set[tuple[str, str]]]] = [
    ({"name": ""}, {("name", "required")}),
    ({"name": "x" * 256}, {("name", "too_long")}),
    ({"name": None}, {("name", "invalid_type")}),
    ({"is_active": None}, {("is_active", "invalid_type")}),
    ({"is_active": "true"}, {("is_active", "invalid_type")}),
    ({"description": "x" * 10_001}, {("description", "too_long")}),
    ({"formula": 3.5}, {("formula", "invalid_type")}),
    ({"uid": "other_uid"}, {("uid", "immutable_field")}),
    ({"context_type": "PARTY"}, {("context_type", "immutable_field")}),
    ({"value_type": "currency"}, {("value_type", "immutable_field")}),
    ({"storage_unit": "cents"}, {("storage_unit", "immutable_field")}),
    ({"is_snapshot": True}, {("is_snapshot", "immutable_field")}),
    ({"period_definition": "calendar_month"}, {("period_definition", "immutable_field")}),
    ({"period_definition": None}, {("period_definition", "immutable_field")}),
    ({"value_type": "bogus"}, {("value_type", "invalid_choice")}),
    ({"updated_at": "2023-11-07T05:31:56Z"}, {("updated_at", "unknown_field")}),
    ({"name": "Fine", "valuetype": "count"}, {("valuetype", "unknown_field")}),
    (
        {"name": "Renamed", "uid": "x_y", "storage_unit": "cents"},
        {("uid", "immutable_field"), ("storage_unit", "immutable_field")},
    ),
]


@pytest.mark.parametrize(("changes", "expected"), UPDATE_RULES, ids=repr)
def test_update_rules_surface_with_their_field_and_code(
    api: Api, changes: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    before = snapshot(api.registry)

    errors = failure(api.request("PATCH", "/api/metrics/party_dso", json=changes), 422)

    assert codes(errors) == expected
    assert len(errors) == len(expected)
    assert snapshot(api.registry) == before


# -- properties -----------------------------------------------------------------------------

FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "uid": st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,4}){0,2}", fullmatch=True),
    "name": st.text(max_size=30),
    "context_type": st.sampled_from(["ORGANIZATION", "PARTY", "USER", "party"]),
    "description": st.none() | st.text(max_size=50),
    "formula": st.none() | st.text(max_size=50),
    "value_type": st.sampled_from(["currency", "percentage", "days", "count", "ratio", "COUNT"]),
    "storage_unit": st.sampled_from(["raw", "cents", "RAW"]),
    "is_snapshot": st.booleans(),
    "period_definition": st.sampled_from([None, "as_of_date", "calendar_month", "weekly"]),
    "is_active": st.booleans(),
}
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(sorted(METRIC_KEYS)) | st.text(max_size=12)
# Bodies near the rules (the right keys, mostly right values) and far from them (anything).
BODIES = st.one_of(
    st.fixed_dictionaries(
        {}, optional={key: value | JSON_VALUES for key, value in FIELD_VALUES.items()}
    ),
    st.dictionaries(KEYS, JSON_VALUES, max_size=6),
    JSON_VALUES,
)


JSON = {"Content-Type": "application/json"}


def check_outcome(api: Api, response: Any, before: Any, message: str) -> None:
    """Never a 5xx; a refusal writes nothing; a success answers what is now stored."""
    assert response.status_code < 500, response.text
    if response.status_code != 200:
        failure(response, response.status_code)
        assert snapshot(api.registry) == before
        return
    data = success(response, message)
    assert api.registry.get_metric(data["uid"]).model_dump(mode="json") == data


@PROPERTIES
@given(body=BODIES)
def test_any_json_body_for_create_is_answered_without_a_5xx(api: Api, body: Any) -> None:
    before = snapshot(api.registry)

    response = api.request("POST", "/api/metrics", content=json.dumps(body), headers=JSON)

    assert response.status_code in {200, 409, 422}
    check_outcome(api, response, before, "Metric created")


@PROPERTIES
@given(body=BODIES)
def test_any_json_body_for_update_is_answered_without_a_5xx(api: Api, body: Any) -> None:
    before = snapshot(api.registry)

    response = api.request(
        "PATCH", "/api/metrics/party_dso", content=json.dumps(body), headers=JSON
    )

    assert response.status_code in {200, 422}
    check_outcome(api, response, before, "Metric updated")


@PROPERTIES
@given(body=st.binary(max_size=200) | BODIES.map(lambda value: json.dumps(value).encode()[:-1]))
def test_any_bytes_for_create_are_answered_without_a_5xx(api: Api, body: bytes) -> None:
    before = snapshot(api.registry)

    response = api.request("POST", "/api/metrics", content=body)

    assert response.status_code in {200, 400, 409, 422}
    check_outcome(api, response, before, "Metric created")


NUL_REQUESTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/metrics", {"uid": "with_nul", "name": "a\x00b"}),
    ("PATCH", "/api/metrics/party_dso", {"description": "a\x00b"}),
    ("GET", "/api/metrics/party%00dso", None),
    ("GET", "/api/metrics?search=a%00", None),
]


@pytest.mark.parametrize(("method", "path", "body"), NUL_REQUESTS)
def test_text_with_a_nul_character_is_never_a_5xx(
    api: Api, method: str, path: str, body: Any
) -> None:
    """PostgreSQL text cannot hold NUL: the core refuses it, on SQLite too, so both agree."""
    before = snapshot(api.registry)

    response = api.request(method, path, json=body)

    assert response.status_code < 500, response.text
    assert response.json()["status_code"] == response.status_code
    assert snapshot(api.registry) == before
