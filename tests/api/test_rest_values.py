"""REST values in-process (SPEC §6, §9): record, read, update, delete, batches, one metric
across entities; every status with the envelope; cents as exact JSON integers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from metric_registry import MetricRegistry

from ._support import Api, codes, failure, serving, success
from ._value_support import (
    ACME,
    GLOBEX,
    INITECH,
    PUBLISHED_VALUE,
    check_value_json,
    record,
    seed_catalog,
    stored,
)

BIG_CENTS = 2**62 + 7
ACME_VALUES = f"/api/metrics/values/ORGANIZATION/{ACME}"


@pytest.fixture
def api(registry: MetricRegistry) -> Iterator[Api]:
    seed_catalog(registry)
    with serving(registry) as served:
        yield served


# -- record one -----------------------------------------------------------------------------


def test_record_answers_the_public_example_with_every_field(api: Api) -> None:
    response = api.request("POST", ACME_VALUES, json=PUBLISHED_VALUE)

    data = success(response, "Metric value recorded")
    check_value_json(data)
    assert {key: data[key] for key in PUBLISHED_VALUE} == PUBLISHED_VALUE
    assert data | {"uid": "-", "created_at": "-", "updated_at": "-"} == {
        **PUBLISHED_VALUE,
        "uid": "-",
        "metric_name": "Total AR Outstanding",
        "period_definition": None,
        "context_type": "ORGANIZATION",
        "entity_uid": ACME,
        "storage_unit": "cents",
        "value_type": "currency",
        "period_start": "2026-03-15",
        "period_end": "2026-03-15",
        "period_start_at": "2026-03-15T07:00:00Z",  # midnight in Los Angeles (PDT)
        "period_end_at": "2026-03-16T07:00:00Z",
        "created_at": "-",
        "updated_at": "-",
    }
    assert data["created_at"] == data["updated_at"]
    assert api.registry.get_value(data["uid"]).model_dump(mode="json", by_alias=True) == data


def test_cents_beyond_a_double_stay_exact_integers_in_and_out(api: Api) -> None:
    body = json.dumps({**PUBLISHED_VALUE, "value": BIG_CENTS})
    response = api.request("POST", ACME_VALUES, content=body)

    data = success(response, "Metric value recorded")
    assert f'"value":{BIG_CENTS},' in response.text
    assert type(data["value"]) is int
    assert data["value"] == BIG_CENTS
    got = api.request("GET", f"/api/metrics/values/{data['uid']}")
    assert f'"value":{BIG_CENTS},' in got.text
    listed = api.request("GET", f"{ACME_VALUES}?start_date=2026-03-01&end_date=2026-03-31")
    assert f'"value":{BIG_CENTS},' in listed.text


def test_integral_cents_are_integers_never_floats(api: Api) -> None:
    response = api.request("POST", ACME_VALUES, json={**PUBLISHED_VALUE, "value": 350000000.0})

    assert success(response, "Metric value recorded")["value"] == 350000000
    assert '"value":350000000,' in response.text
    assert "350000000.0" not in response.text


def test_a_raw_value_is_a_json_number(api: Api) -> None:
    data = record(api, metric_uid="dso", value=41.5)

    assert data["value"] == 41.5
    assert (data["period_start"], data["period_end"]) == ("2026-02-14", "2026-03-15")


def test_a_duplicate_is_409_naming_the_stored_value(api: Api) -> None:
    first = record(api, **PUBLISHED_VALUE)
    before = stored(api.registry)

    response = api.request("POST", ACME_VALUES, json={**PUBLISHED_VALUE, "value": 2})

    errors = failure(response, 409)
    assert codes(errors) == {("uid", "already_exists")}
    assert first["uid"] in errors[0]["message"]
    assert first["uid"] in response.json()["message"]
    assert stored(api.registry) == before


# (changes to a valid body, None to drop the field) -> {(field, code)}
RECORD_RULES: list[tuple[dict[str, Any], set[tuple[str, str]]]] = [
    ({"metric_uid": None}, {("metric_uid", "required")}),
    ({"metric_date": None}, {("metric_date", "required")}),
    ({"value": None}, {("value", "required")}),
    ({"metric_uid": "nope"}, {("metric_uid", "not_found")}),
    ({"metric_uid": 5}, {("metric_uid", "invalid_type")}),
    ({"metric_uid": "retired"}, {("metric_uid", "inactive")}),
    ({"metric_uid": "party_dso"}, {("context_type", "mismatch")}),
    ({"time_unit": "week"}, {("time_unit", "invalid_choice")}),
    ({"time_unit": "month"}, {("metric_date", "invalid_format")}),
    ({"metric_date": "2026-3-15"}, {("metric_date", "invalid_format")}),
    ({"metric_date": "2026-02-30"}, {("metric_date", "invalid_format")}),
    ({"metric_date": "0001-06-01"}, {("metric_date", "out_of_range")}),
    ({"value": True}, {("value", "invalid_type")}),
    ({"value": "350000000"}, {("value", "invalid_type")}),
    ({"value": 1.5}, {("value", "invalid_type")}),
    ({"value": 2**63}, {("value", "out_of_range")}),
    ({"timezone": "Mars/Olympus"}, {("timezone", "invalid_choice")}),
    ({"_metadata": []}, {("_metadata", "invalid_type")}),
    ({"_metadata": {"x": "y" * 70_000}}, {("_metadata", "too_long")}),
    ({"valuee": 1}, {("valuee", "unknown_field")}),
    ({"uid": "3c90c3cc-0d44-4b50-8888-8dd25736052a"}, {("uid", "unknown_field")}),
    ({"context_type": "ORGANIZATION"}, {("context_type", "unknown_field")}),
    ({"entity_uid": GLOBEX}, {("entity_uid", "unknown_field")}),
]


@pytest.mark.parametrize(("changes", "expected"), RECORD_RULES, ids=lambda value: str(value)[:40])
def test_each_rule_of_a_value_is_422_naming_its_field(
    api: Api, changes: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    body = {**PUBLISHED_VALUE, **changes}
    body = {key: value for key, value in body.items() if value is not None}
    before = stored(api.registry)

    errors = failure(api.request("POST", ACME_VALUES, json=body), 422)

    assert expected <= codes(errors)  # the core may say more about the same field
    assert {field for field, _ in codes(errors)} == {field for field, _ in expected}
    assert stored(api.registry) == before


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"/api/metrics/values/organization/{ACME}", {("context_type", "invalid_choice")}),
        ("/api/metrics/values/ORGANIZATION/not-a-uuid", {("entity_uid", "invalid_format")}),
        (
            "/api/metrics/values/ORGANIZATION/11111111-2222-4333-8444-555555555555",
            {("entity_uid", "not_found")},
        ),
    ],
)
def test_a_bad_entity_in_the_path_is_422_naming_it(
    api: Api, path: str, expected: set[tuple[str, str]]
) -> None:
    assert codes(failure(api.request("POST", path, json=PUBLISHED_VALUE), 422)) == expected


def test_an_entity_uid_in_any_case_is_the_canonical_one(api: Api) -> None:
    data = record(api, entity=ACME.upper().replace("-", ""))

    assert data["entity_uid"] == ACME


# -- one value: get, update, delete ---------------------------------------------------------


def test_get_returns_the_value(api: Api) -> None:
    created = record(api, **PUBLISHED_VALUE)

    path = f"/api/metrics/values/{created['uid'].upper()}"
    data = success(api.request("GET", path, token="read"), "Metric value retrieved")

    assert data == created


@pytest.mark.parametrize("uid", ["11111111-2222-4333-8444-555555555555", "not-a-uuid", "x" * 300])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_a_missing_value_is_404(api: Api, uid: str, method: str) -> None:
    response = api.request(method, f"/api/metrics/values/{uid}", json={"value": 1})

    assert codes(failure(response, 404)) == {("uid", "not_found")}


def test_patch_changes_the_editable_fields(api: Api) -> None:
    created = record(api, **PUBLISHED_VALUE)
    changes = {"value": 360000000, "_metadata": {"source": "erp"}, "timezone": "Europe/Paris"}

    response = api.request("PATCH", f"/api/metrics/values/{created['uid']}", json=changes)

    data = success(response, "Metric value updated")
    check_value_json(data)
    assert data == {
        **created,
        **changes,
        "period_start_at": "2026-03-14T23:00:00Z",
        "period_end_at": "2026-03-15T23:00:00Z",
        "updated_at": data["updated_at"],
    }
    assert api.registry.get_value(created["uid"]).model_dump(mode="json", by_alias=True) == data


def test_patch_accepts_the_key_fields_unchanged(api: Api) -> None:
    created = record(api, **PUBLISHED_VALUE)
    key = {name: created[name] for name in ("metric_uid", "context_type", "entity_uid")}

    response = api.request("PATCH", f"/api/metrics/values/{created['uid']}", json=key)

    assert success(response, "Metric value updated") == created


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"metric_date": "2026-03-16"}, {("metric_date", "immutable_field")}),
        ({"metric_uid": "dso"}, {("metric_uid", "immutable_field")}),
        ({"value": "x"}, {("value", "invalid_type")}),
        ({"timezone": "Nowhere"}, {("timezone", "invalid_choice")}),
        ({"_metadata": "x"}, {("_metadata", "invalid_type")}),
        ({"period_start": "2026-03-01"}, {("period_start", "unknown_field")}),
    ],
)
def test_patch_refusals_are_422_and_write_nothing(
    api: Api, changes: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    created = record(api, **PUBLISHED_VALUE)
    before = stored(api.registry)

    response = api.request("PATCH", f"/api/metrics/values/{created['uid']}", json=changes)

    assert codes(failure(response, 422)) == expected
    assert stored(api.registry) == before


def test_delete_answers_the_canonical_uid_and_the_value_is_gone(api: Api) -> None:
    created = record(api, **PUBLISHED_VALUE)

    response = api.request("DELETE", f"/api/metrics/values/{created['uid'].upper()}")

    assert success(response, "Metric value deleted") == {"uid": created["uid"]}
    failure(api.request("GET", f"/api/metrics/values/{created['uid']}"), 404)


# -- one entity's values --------------------------------------------------------------------


@pytest.fixture
def history(api: Api) -> dict[str, dict[str, Any]]:
    """Acme: total_ar on three days of March, dso on two; Globex: one total_ar."""
    recorded = {}
    for day, cents in (("2026-03-13", 300), ("2026-03-14", 100), ("2026-03-15", 200)):
        recorded[f"ar{day[-2:]}"] = record(
            api, metric_date=day, value=cents, _metadata={"day": day}
        )
    for day, days in (("2026-03-01", 40.0), ("2026-03-14", 42.5)):
        recorded[f"dso{day[-2:]}"] = record(api, metric_uid="dso", metric_date=day, value=days)
    recorded["globex"] = record(api, entity=GLOBEX, value=500)
    return recorded


def listed(api: Api, path: str, query: str = "") -> dict[str, Any]:
    data: dict[str, Any] = success(
        api.request("GET", f"{path}?{query}" if query else path, token="read"),
        "Metric values retrieved",
    )
    assert set(data) == {"items", "_meta"}
    return data


def uids(data: dict[str, Any]) -> list[str]:
    return [item["uid"] for item in data["items"]]


MARCH = "start_date=2026-03-01&end_date=2026-03-31"


def test_an_entitys_values_newest_first_with_meta_and_null_metadata(
    api: Api, history: dict[str, dict[str, Any]]
) -> None:
    data = listed(api, ACME_VALUES, MARCH)

    assert uids(data) == [
        history[name]["uid"] for name in ("ar15", "dso14", "ar14", "ar13", "dso01")
    ]
    assert data["_meta"] == {"page": 1, "per_page": 25, "total_pages": 1, "total_items": 5}
    for item in data["items"]:
        check_value_json(item, metadata=False)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"{MARCH}&metric_uid=dso", ["dso14", "dso01"]),
        (
            f"{MARCH}&metric_uid=dso,total_ar&sort=%2Bvalue",
            ["dso01", "dso14", "ar14", "ar15", "ar13"],
        ),
        (f"{MARCH}&sort=+metric_date&per_page=2&page=2", ["dso14", "ar14"]),  # ties: metric_uid
        ("start_date=2026-03-14&end_date=2026-03-14", ["dso14", "ar14"]),
        ("latest=true", ["ar15", "dso14"]),
        ("latest=true&as_of=2026-03-13", ["ar13", "dso01"]),
        ("latest=true&metric_uid=total_ar&as_of=2026-03-14", ["ar14"]),
        (f"{MARCH}&time_unit=month", []),
    ],
)
def test_an_entitys_values_by_query(
    api: Api, history: dict[str, dict[str, Any]], query: str, expected: list[str]
) -> None:
    assert uids(listed(api, ACME_VALUES, query)) == [history[name]["uid"] for name in expected]


def test_include_metadata_shows_each_values_metadata(
    api: Api, history: dict[str, dict[str, Any]]
) -> None:
    data = listed(api, ACME_VALUES, f"{MARCH}&metric_uid=total_ar&include_metadata=true")

    assert [item["_metadata"] for item in data["items"]] == [
        {"day": "2026-03-15"},
        {"day": "2026-03-14"},
        {"day": "2026-03-13"},
    ]
    assert data["items"][0] == history["ar15"]


# query -> {(parameter, code)}: each bad parameter is named as the client wrote it.
BAD_QUERIES = [
    ("latest=yes", {("latest", "invalid_type")}),
    ("latest=True", {("latest", "invalid_type")}),
    ("include_metadata=1", {("include_metadata", "invalid_type")}),
    ("start_date=2026-3-1", {("start_date", "invalid_format")}),
    ("end_date=tomorrow", {("end_date", "invalid_format")}),
    ("as_of=2026-02-30", {("as_of", "invalid_format")}),
    ("start_date=2026-03-02&end_date=2026-03-01", {("start_date", "out_of_range")}),
    ("page=0", {("page", "out_of_range")}),
    ("page=two", {("page", "invalid_type")}),
    ("per_page=101", {("per_page", "out_of_range")}),
    ("sort=-uid", {("sort", "invalid_choice")}),
    ("time_unit=week", {("time_unit", "invalid_choice")}),
    ("metric_uid=total_ar,nope", {("metric_uid", "not_found")}),
    ("metric_uid=" + ",".join(["dso"] * 101), {("metric_uid", "too_long")}),
    ("metric_uids=dso", {("metric_uids", "unknown_field")}),
    ("context_type=PARTY", {("context_type", "unknown_field")}),
    (f"entity_uid={GLOBEX}", {("entity_uid", "unknown_field")}),
    ("limit=5", {("limit", "unknown_field")}),
    ("page=1&page=2", {("page", "invalid_type")}),
    (
        "latest=maybe&page=0&nope=1",
        {("latest", "invalid_type"), ("page", "out_of_range"), ("nope", "unknown_field")},
    ),
]


@pytest.mark.parametrize(("query", "expected"), BAD_QUERIES, ids=[q for q, _ in BAD_QUERIES])
def test_a_bad_query_parameter_is_422_naming_it(
    api: Api, query: str, expected: set[tuple[str, str]]
) -> None:
    errors = failure(api.request("GET", f"{ACME_VALUES}?{query}", token="read"), 422)

    assert codes(errors) == expected


@pytest.mark.parametrize(
    ("path", "status", "expected"),
    [
        (f"/api/metrics/values/ORGANIZATION/{INITECH}", 200, None),
        ("/api/metrics/values/ORGANIZATION/11111111-2222-4333-8444-555555555555", 404, "uid"),
        ("/api/metrics/values/TEAM/11111111-2222-4333-8444-555555555555", 422, "context_type"),
    ],
)
def test_an_entity_without_values_lists_none_and_a_missing_one_is_refused(
    api: Api, path: str, status: int, expected: str | None
) -> None:
    response = api.request("GET", path, token="read")

    if status == 200:
        assert listed(api, path)["items"] == []
    else:
        assert {field for field, _ in codes(failure(response, status))} == {expected}


# -- one metric across entities -------------------------------------------------------------


def test_one_metric_across_entities_newest_each_highest_first(
    api: Api, history: dict[str, dict[str, Any]]
) -> None:
    data = listed(api, "/api/metrics/total_ar/values")

    assert uids(data) == [history["globex"]["uid"], history["ar15"]["uid"]]
    assert data["_meta"]["total_items"] == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"entity_uid={ACME}", ["ar15"]),
        (f"entity_uid={ACME},{GLOBEX}&sort=%2Bvalue", ["ar15", "globex"]),
        ("as_of=2026-03-14&sort=-value", ["ar14"]),  # Globex's only value is of the 15th
        (f"latest=false&{MARCH}&sort=%2Bvalue&per_page=3", ["ar14", "ar15", "ar13"]),
    ],
)
def test_one_metric_across_entities_by_query(
    api: Api, history: dict[str, dict[str, Any]], query: str, expected: list[str]
) -> None:
    data = listed(api, "/api/metrics/total_ar/values", query)

    assert uids(data) == [history[name]["uid"] for name in expected]


@pytest.mark.parametrize(
    ("path", "status", "expected"),
    [
        ("/api/metrics/nope/values", 404, {("uid", "not_found")}),
        ("/api/metrics/total_ar/values?entity_uid=nope", 422, {("entity_uid", "not_found")}),
        ("/api/metrics/total_ar/values?entity_uids=x", 422, {("entity_uids", "unknown_field")}),
        ("/api/metrics/total_ar/values?metric_uid=dso", 422, {("metric_uid", "unknown_field")}),
        ("/api/metrics/total_ar/values?latest=1", 422, {("latest", "invalid_type")}),
        ("/api/metrics/total_ar/values?sort=value", 200, None),
    ],
)
def test_one_metric_across_entities_refusals(
    api: Api, path: str, status: int, expected: set[tuple[str, str]] | None
) -> None:
    response = api.request("GET", path, token="read")

    if status == 200:
        success(response, "Metric values retrieved")
    else:
        assert codes(failure(response, status)) == expected


# -- batches --------------------------------------------------------------------------------


def row(entity: str = ACME, **fields: Any) -> dict[str, Any]:
    return {
        "context_type": "ORGANIZATION",
        "entity_uid": entity,
        "metric_uid": "total_ar",
        "metric_date": "2026-03-15",
        "value": 1,
        **fields,
    }


def batch(api: Api, body: object, token: str = "write") -> Any:
    return api.request("POST", "/api/metrics/values", json=body, token=token)


def counts(inserted: int = 0, updated: int = 0, unchanged: int = 0, skipped: int = 0) -> Any:
    return {"inserted": inserted, "updated": updated, "unchanged": unchanged, "skipped": skipped}


def test_a_batch_records_every_row_and_counts_them(api: Api) -> None:
    rows = [row(), row(GLOBEX, value=BIG_CENTS), row(metric_uid="dso", value=12.5)]

    data = success(batch(api, {"values": rows}), "Metric values recorded")

    assert data == counts(inserted=3)
    across = listed(api, "/api/metrics/total_ar/values")
    assert [item["value"] for item in across["items"]] == [BIG_CENTS, 1]
    assert f'"value":{BIG_CENTS},' in api.request("GET", "/api/metrics/total_ar/values").text


@pytest.mark.parametrize(
    ("on_conflict", "first", "again", "value"),
    [
        ("skip", counts(inserted=1, skipped=1), counts(skipped=2), 1),
        ("update", counts(inserted=1, updated=1), counts(unchanged=2), 2),
    ],
)
def test_a_batch_skips_or_updates_stored_keys(
    api: Api, on_conflict: str, first: Any, again: Any, value: int
) -> None:
    record(api, value=1)
    body = {"values": [row(value=2), row(GLOBEX)], "on_conflict": on_conflict}

    assert success(batch(api, body), "Metric values recorded") == first
    assert listed(api, ACME_VALUES, MARCH)["items"][0]["value"] == value
    before = stored(api.registry)
    assert success(batch(api, body), "Metric values recorded") == again  # re-sent
    assert stored(api.registry) == before


def test_a_batch_with_a_stored_key_is_409_and_writes_nothing(api: Api) -> None:
    first = record(api)
    before = stored(api.registry)

    response = batch(api, {"values": [row(GLOBEX), row()]})

    errors = failure(response, 409)
    assert codes(errors) == {("uid", "already_exists")}
    assert first["uid"] in errors[0]["message"]
    assert stored(api.registry) == before


def test_a_batch_with_a_bad_row_names_every_bad_row_and_writes_nothing(api: Api) -> None:
    before = stored(api.registry)
    rows = [row(), row(GLOBEX, value="x"), row(metric_uid="nope"), "not an object"]

    errors = failure(batch(api, {"values": rows}), 422)

    assert codes(errors) >= {
        ("values[1].value", "invalid_type"),
        ("values[2].metric_uid", "not_found"),
    }
    assert any(field.startswith("values[3]") for field, _ in codes(errors))
    assert stored(api.registry) == before


def test_a_batch_may_register_its_entities(api: Api) -> None:
    new = "7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f"
    body = {"values": [row(new)], "register_entities": True}

    assert success(batch(api, body), "Metric values recorded")["inserted"] == 1
    assert api.registry.get_entity("ORGANIZATION", new).uid == new


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"values": [row(new_field=1)]}, {("values[0].new_field", "unknown_field")}),
        (
            {"values": [row(entity="7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f")]},
            {("values[0].entity_uid", "not_found")},
        ),
        ({}, {("values", "required")}),
        ({"values": {"0": row()}}, {("values", "invalid_type")}),
        ({"values": "abc"}, {("values", "invalid_type")}),
        ({"values": [row()], "on_conflict": "ignore"}, {("on_conflict", "invalid_choice")}),
        ({"values": [row()], "register_entities": "yes"}, {("register_entities", "invalid_type")}),
        ({"values": [row()], "dry_run": True}, {("dry_run", "unknown_field")}),
        ({"rows": [row()]}, {("rows", "unknown_field"), ("values", "required")}),
    ],
    ids=lambda value: str(value)[:40],
)
def test_a_bad_batch_is_422_and_writes_nothing(
    api: Api, body: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    before = stored(api.registry)

    assert codes(failure(batch(api, body), 422)) == expected
    assert stored(api.registry) == before


def test_an_empty_batch_records_nothing(api: Api) -> None:
    data = success(batch(api, {"values": []}), "Metric values recorded")

    assert data == counts()


# -- routing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/metrics/values", "POST"),
        ("PUT", "/api/metrics/values", "POST"),
        ("DELETE", ACME_VALUES, "GET, HEAD, POST"),
        ("PATCH", ACME_VALUES, "GET, HEAD, POST"),
        (
            "POST",
            "/api/metrics/values/11111111-2222-4333-8444-555555555555",
            "DELETE, GET, HEAD, PATCH",
        ),
        (
            "PUT",
            "/api/metrics/values/11111111-2222-4333-8444-555555555555",
            "DELETE, GET, HEAD, PATCH",
        ),
        ("POST", "/api/metrics/total_ar/values", "GET, HEAD"),
        ("DELETE", "/api/metrics/total_ar/values", "GET, HEAD"),
    ],
)
def test_a_method_not_allowed_is_405_with_allow(
    api: Api, method: str, path: str, allowed: str
) -> None:
    response = api.request(method, path, json={})

    assert codes(failure(response, 405)) == {("method", "method_not_allowed")}
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize(
    "path",
    [
        "/api/metrics/values/ORGANIZATION/x/y",
        "/api/metrics/values/",
        f"{ACME_VALUES}/",
        "/api/metrics/total_ar/values/",
        "/api/metrics/total_ar/values/x",
    ],
)
def test_other_paths_under_values_are_404(api: Api, path: str) -> None:
    assert codes(failure(api.request("GET", path), 404)) == {("path", "not_found")}


def test_values_is_no_metric_uid(api: Api) -> None:
    response = api.request("POST", "/api/metrics", json={"uid": "values", "name": "Values"})

    assert codes(failure(response, 422)) == {("uid", "invalid_choice")}
    assert codes(failure(api.request("GET", "/api/metrics/values/values"), 404)) == {
        ("uid", "not_found")
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", ACME_VALUES),
        ("POST", "/api/metrics/values"),
        ("GET", "/api/metrics/values/11111111-2222-4333-8444-555555555555"),
        ("PATCH", "/api/metrics/values/11111111-2222-4333-8444-555555555555"),
        ("DELETE", "/api/metrics/values/11111111-2222-4333-8444-555555555555"),
    ],
)
def test_query_parameters_where_none_are_read_are_422(api: Api, method: str, path: str) -> None:
    before = stored(api.registry)

    response = api.request(method, f"{path}?dry_run=1", json={"values": [row()], **PUBLISHED_VALUE})

    assert codes(failure(response, 422)) == {("dry_run", "unknown_field")}
    assert stored(api.registry) == before
