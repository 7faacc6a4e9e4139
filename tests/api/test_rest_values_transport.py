"""The values and entities paths at the edge: tokens and scopes, malformed and oversized
bodies, content types; each refusal in the envelope, with nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from graphql_api.app import MAX_BODY_BYTES
from metric_registry import MetricRegistry

from ._support import Api, codes, failure, serving, success
from ._value_support import ACME, PUBLISHED_VALUE, record, seed_catalog, stored

VALUE = "11111111-2222-4333-8444-555555555555"  # replaced by a recorded value's uid
ENTITY = f"/api/entities/ORGANIZATION/{ACME}"
ROW = {"context_type": "ORGANIZATION", "entity_uid": ACME, **PUBLISHED_VALUE}
# Every write of the values and entities paths, with a body it would accept.
WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    (
        "POST",
        f"/api/metrics/values/ORGANIZATION/{ACME}",
        {**PUBLISHED_VALUE, "metric_date": "2026-03-17"},
    ),
    ("POST", "/api/metrics/values", {"values": [{**ROW, "metric_date": "2026-03-16"}]}),
    ("PATCH", f"/api/metrics/values/{VALUE}", {"value": 9}),
    ("DELETE", f"/api/metrics/values/{VALUE}", None),
    ("PUT", f"/api/entities/ORGANIZATION/{VALUE}", {"name": "New"}),
    ("PUT", ENTITY, {"name": "Renamed"}),
    ("DELETE", "/api/entities/USER/7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f", None),
]
READS = [
    ("GET", f"/api/metrics/values/ORGANIZATION/{ACME}", "Metric values retrieved"),
    ("GET", f"/api/metrics/values/{VALUE}", "Metric value retrieved"),
    ("GET", "/api/metrics/total_ar/values", "Metric values retrieved"),
    ("GET", ENTITY, "Entity retrieved"),
    ("GET", "/api/entities/ORGANIZATION", "Entities retrieved"),
]
BODIES = [(method, path) for method, path, body in WRITES if body is not None]


@pytest.fixture
def api(registry: MetricRegistry) -> Iterator[Api]:
    seed_catalog(registry)
    registry.register_entity("USER", "7d8e9f00-1a2b-4c3d-8e4f-5a6b7c8d9e0f")
    with serving(registry) as served:
        yield served


@pytest.fixture
def value_uid(api: Api) -> str:
    uid: str = record(api, **PUBLISHED_VALUE)["uid"]
    return uid


def at(path: str, value_uid: str) -> str:
    return path.replace(VALUE, value_uid)


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_each_write_succeeds_with_a_write_token(
    api: Api, value_uid: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = api.request(method, at(path, value_uid), json=body)

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_read_token_on_a_write_is_403_and_writes_nothing(
    api: Api, value_uid: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    before = stored(api.registry)

    response = api.request(method, at(path, value_uid), token="read", json=body)

    assert codes(failure(response, 403)) == {("token", "insufficient_scope")}
    assert response.headers["www-authenticate"] == (
        'Bearer realm="metric-registry", error="insufficient_scope"'
    )
    assert stored(api.registry) == before


@pytest.mark.parametrize(("method", "path", "message"), READS)
def test_each_read_works_with_a_read_token_and_head(
    api: Api, value_uid: str, method: str, path: str, message: str
) -> None:
    success(api.request(method, at(path, value_uid), token="read"), message)

    head = api.request("HEAD", at(path, value_uid), token="read")
    assert (head.status_code, head.content) == (200, b"")


@pytest.mark.parametrize(
    ("method", "path"), [*[(m, p) for m, p, _ in READS], *[(m, p) for m, p, _ in WRITES]]
)
@pytest.mark.parametrize(
    ("token", "challenge"),
    [
        (None, 'Bearer realm="metric-registry"'),
        ("mr_not_a_token", 'Bearer realm="metric-registry", error="invalid_token"'),
    ],
)
def test_no_or_a_bad_token_is_401_and_writes_nothing(
    api: Api, value_uid: str, method: str, path: str, token: str | None, challenge: str
) -> None:
    before = stored(api.registry)

    response = api.request(method, at(path, value_uid), token=token, json={"value": 1})

    failure(response, 401)
    assert response.headers["www-authenticate"] == challenge
    assert stored(api.registry) == before


MALFORMED = {
    "truncated": b'{"metric_uid": "total_ar", "value": ',
    "single quotes": b"{'value': 1}",
    "NaN": b'{"metric_uid": "total_ar", "metric_date": "2026-03-15", "value": NaN}',
    "duplicate key": b'{"value": 1, "value": 2}',
    "not UTF-8": b'{"metric_uid": "\xff"}',
    "lone surrogate": b'{"metric_uid": "\\ud800"}',
    "trailing garbage": b'{"value": 1} x',
    "deep nesting": b'{"_metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
}


@pytest.mark.parametrize(("method", "path"), BODIES)
@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_json_body_is_400_and_writes_nothing(
    api: Api, value_uid: str, method: str, path: str, body: bytes
) -> None:
    before = stored(api.registry)

    response = api.request(
        method, at(path, value_uid), content=body, headers={"Content-Type": "application/json"}
    )

    assert codes(failure(response, 400)) == {("body", "malformed_json")}
    assert stored(api.registry) == before


@pytest.mark.parametrize(("method", "path"), BODIES)
@pytest.mark.parametrize("body", [b"[]", b'"x"', b"1", b"null"])
def test_a_body_that_is_not_an_object_is_422(
    api: Api, value_uid: str, method: str, path: str, body: bytes
) -> None:
    response = api.request(method, at(path, value_uid), content=body)

    assert codes(failure(response, 422)) == {("body", "invalid_type")}


@pytest.mark.parametrize(("method", "path"), BODIES)
def test_a_body_that_is_not_json_by_its_content_type_is_415(
    api: Api, value_uid: str, method: str, path: str
) -> None:
    before = stored(api.registry)

    response = api.request(
        method, at(path, value_uid), content=b"{}", headers={"Content-Type": "text/plain"}
    )

    assert codes(failure(response, 415)) == {("Content-Type", "unsupported_media_type")}
    assert stored(api.registry) == before


@pytest.mark.parametrize(("method", "path"), BODIES)
def test_a_body_over_one_mebibyte_is_413_and_writes_nothing(
    api: Api, value_uid: str, method: str, path: str
) -> None:
    before = stored(api.registry)
    body = b'{"_metadata": {"x": "' + b"x" * MAX_BODY_BYTES + b'"}}'

    response = api.request(method, at(path, value_uid), content=body)

    assert codes(failure(response, 413)) == {("body", "too_large")}
    assert stored(api.registry) == before


def test_an_empty_put_needs_no_content_type(api: Api) -> None:
    response = api.request("PUT", ENTITY, content=b"", headers={"Content-Type": "text/plain"})

    assert success(response, "Entity registered")["uid"] == ACME
