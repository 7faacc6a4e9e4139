"""REST entities in-process (SPEC §6, §9.1): register idempotently, get, list, delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from metric_registry import MetricRegistry

from ._support import Api, codes, failure, serving, success
from ._value_support import (
    ACME,
    GLOBEX,
    INITECH,
    PARTY,
    check_entity_json,
    record,
    seed_catalog,
    stored,
)

NEW = "7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f"
NEW_PATH = f"/api/entities/ORGANIZATION/{NEW}"


@pytest.fixture
def api(registry: MetricRegistry) -> Iterator[Api]:
    seed_catalog(registry)
    with serving(registry) as served:
        yield served


def register(api: Api, path: str = NEW_PATH, **kwargs: Any) -> dict[str, Any]:
    data: dict[str, Any] = success(api.request("PUT", path, **kwargs), "Entity registered")
    check_entity_json(data)
    return data


def test_put_registers_an_entity_without_a_body(api: Api) -> None:
    data = register(api)

    assert {key: data[key] for key in ("context_type", "uid", "name")} == {
        "context_type": "ORGANIZATION",
        "uid": NEW,
        "name": None,
    }
    assert data["created_at"] == data["updated_at"]
    assert api.registry.get_entity("ORGANIZATION", NEW).model_dump(mode="json") == data


def test_put_is_idempotent_and_renames_only_when_a_name_differs(api: Api) -> None:
    first = register(api, json={"name": "Hooli"})

    assert register(api) == first
    assert register(api, json={}) == first
    assert register(api, json={"name": None}) == first
    assert register(api, json={"name": "Hooli"}) == first
    renamed = register(api, f"/api/entities/ORGANIZATION/{NEW.upper()}", json={"name": "Hooli XYZ"})
    assert renamed == {**first, "name": "Hooli XYZ", "updated_at": renamed["updated_at"]}
    assert api.registry.list_entities("ORGANIZATION").total_items == 4


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        (NEW_PATH, {"name": "x" * 256}, {("name", "too_long")}),
        (NEW_PATH, {"name": 5}, {("name", "invalid_type")}),
        (NEW_PATH, {"nmae": "typo"}, {("nmae", "unknown_field")}),
        (NEW_PATH, {"uid": NEW}, {("uid", "unknown_field")}),
        (NEW_PATH, {"context_type": "ORGANIZATION"}, {("context_type", "unknown_field")}),
        ("/api/entities/ORGANIZATION/not-a-uuid", {}, {("uid", "invalid_format")}),
        (f"/api/entities/TEAM/{NEW}", {}, {("context_type", "invalid_choice")}),
    ],
)
def test_put_refusals_are_422_and_write_nothing(
    api: Api, path: str, body: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    before = stored(api.registry)

    assert codes(failure(api.request("PUT", path, json=body), 422)) == expected
    assert stored(api.registry) == before


def test_get_returns_the_entity(api: Api) -> None:
    created = register(api, json={"name": "Hooli"})

    response = api.request("GET", f"/api/entities/ORGANIZATION/{NEW.upper()}", token="read")

    assert success(response, "Entity retrieved") == created


@pytest.mark.parametrize(
    "path",
    [
        f"/api/entities/PARTY/{ACME}",  # registered as an organization only
        "/api/entities/ORGANIZATION/11111111-2222-4333-8444-555555555555",
        "/api/entities/ORGANIZATION/not-a-uuid",
    ],
)
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_missing_entity_is_404(api: Api, path: str, method: str) -> None:
    assert codes(failure(api.request(method, path), 404)) == {("uid", "not_found")}


def test_a_bad_context_type_is_422(api: Api) -> None:
    response = api.request("GET", f"/api/entities/organization/{ACME}")

    assert codes(failure(response, 422)) == {("context_type", "invalid_choice")}


def test_delete_answers_the_key_and_the_entity_is_gone(api: Api) -> None:
    register(api)

    response = api.request("DELETE", f"/api/entities/ORGANIZATION/{NEW.upper()}")

    assert success(response, "Entity deleted") == {"context_type": "ORGANIZATION", "uid": NEW}
    failure(api.request("GET", NEW_PATH), 404)


def test_delete_of_an_entity_with_values_is_409_in_use(api: Api) -> None:
    record(api)
    before = stored(api.registry)

    errors = failure(api.request("DELETE", f"/api/entities/ORGANIZATION/{ACME}"), 409)

    assert codes(errors) == {("uid", "in_use")}
    assert stored(api.registry) == before


def listed(api: Api, path: str) -> dict[str, Any]:
    data: dict[str, Any] = success(api.request("GET", path, token="read"), "Entities retrieved")
    assert set(data) == {"items", "_meta"}
    for item in data["items"]:
        check_entity_json(item)
    return data


def test_list_is_a_contexts_entities_by_uid_with_meta(api: Api) -> None:
    data = listed(api, "/api/entities/ORGANIZATION")

    assert [item["uid"] for item in data["items"]] == sorted([ACME, GLOBEX, INITECH])
    assert data["_meta"] == {"page": 1, "per_page": 25, "total_pages": 1, "total_items": 3}
    assert [item["uid"] for item in listed(api, "/api/entities/PARTY")["items"]] == [PARTY]
    assert listed(api, "/api/entities/USER")["items"] == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=glo", [GLOBEX]),
        ("search=GLOBEX", [GLOBEX]),
        (f"search={ACME[:8]}", [ACME]),
        ("per_page=1&page=2", [ACME]),  # uid order: INITECH (0b…), ACME (3c…), GLOBEX (9f…)
        ("search=", sorted([ACME, GLOBEX, INITECH])),
    ],
)
def test_list_by_query(api: Api, query: str, expected: list[str]) -> None:
    data = listed(api, f"/api/entities/ORGANIZATION?{query}")

    assert [item["uid"] for item in data["items"]] == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/entities/ORGANIZATION?per_page=0", {("per_page", "out_of_range")}),
        ("/api/entities/ORGANIZATION?page=x", {("page", "invalid_type")}),
        ("/api/entities/ORGANIZATION?context_type=USER", {("context_type", "unknown_field")}),
        ("/api/entities/ORGANIZATION?sort=-uid", {("sort", "unknown_field")}),
        ("/api/entities/ORGANIZATION?search=" + "x" * 256, {("search", "too_long")}),
        ("/api/entities/TEAM", {("context_type", "invalid_choice")}),
    ],
)
def test_list_refusals_are_422_naming_the_parameter(
    api: Api, path: str, expected: set[tuple[str, str]]
) -> None:
    assert codes(failure(api.request("GET", path, token="read"), 422)) == expected


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", NEW_PATH, "DELETE, GET, HEAD, PUT"),
        ("PATCH", NEW_PATH, "DELETE, GET, HEAD, PUT"),
        ("POST", "/api/entities/ORGANIZATION", "GET, HEAD"),
        ("PUT", "/api/entities/ORGANIZATION", "GET, HEAD"),
    ],
)
def test_a_method_not_allowed_is_405_with_allow(
    api: Api, method: str, path: str, allowed: str
) -> None:
    response = api.request(method, path, json={})

    assert codes(failure(response, 405)) == {("method", "method_not_allowed")}
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize(
    "path", ["/api/entities", "/api/entities/", f"{NEW_PATH}/", f"{NEW_PATH}/x"]
)
def test_other_paths_under_entities_are_404(api: Api, path: str) -> None:
    assert codes(failure(api.request("GET", path), 404)) == {("path", "not_found")}
