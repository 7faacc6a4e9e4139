"""REST endpoints in-process (SPEC §6): each endpoint, each status, the envelope, auth."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest

from graphql_api.app import MAX_BODY_BYTES
from metric_registry import MetricRegistry

from ._support import (
    PUBLISHED_EXAMPLE,
    Api,
    check_metric_json,
    codes,
    failure,
    graphql_error,
    serving,
    snapshot,
    success,
)


@pytest.fixture
def api(registry: MetricRegistry) -> Iterator[Api]:
    with serving(registry) as served:
        yield served


def is_postgres(registry: MetricRegistry) -> bool:
    return registry.database.startswith(("postgresql://", "postgres://"))


def refer_to(registry: MetricRegistry, uid: str) -> None:
    """Make ``uid`` in use: a row of a table holding a foreign key to it (as values will)."""
    create = (
        "CREATE TABLE metric_reference (id {key}, metric_id BIGINT NOT NULL REFERENCES metric (id))"
    )
    insert = "INSERT INTO metric_reference (metric_id) SELECT id FROM metric WHERE uid = {slot}"
    if is_postgres(registry):
        import psycopg

        with psycopg.connect(registry.database, autocommit=True) as connection:
            connection.execute(create.format(key="BIGSERIAL PRIMARY KEY"))
            connection.execute(insert.format(slot="%s"), (uid,))
    else:
        with closing(sqlite3.connect(registry.database, isolation_level=None)) as connection:
            connection.execute(create.format(key="INTEGER PRIMARY KEY"))
            connection.execute(insert.format(slot="?"), (uid,))


# -- create ---------------------------------------------------------------------------------


def test_create_answers_the_published_example_with_the_stored_metric(api: Api) -> None:
    response = api.request("POST", "/api/metrics", json=PUBLISHED_EXAMPLE)

    data = success(response, "Metric created")
    check_metric_json(data)
    assert data == {
        **PUBLISHED_EXAMPLE,
        "created_at": data["created_at"],
        "updated_at": data["created_at"],
    }
    assert api.registry.get_metric("party_dso").model_dump(mode="json") == data


def test_create_applies_the_defaults_of_spec_section_2(api: Api) -> None:
    data = api.create(uid="dso", name="  Days Sales Outstanding ")

    assert {key: data[key] for key in data if not key.endswith("_at")} == {
        "uid": "dso",
        "name": "Days Sales Outstanding",
        "context_type": "ORGANIZATION",
        "description": None,
        "formula": None,
        "value_type": "count",
        "storage_unit": "raw",
        "is_snapshot": False,
        "period_definition": None,
        "is_active": True,
    }


def test_create_of_a_taken_uid_is_409_already_exists_and_keeps_the_stored_one(api: Api) -> None:
    api.create(uid="dso", name="First")
    before = snapshot(api.registry)

    errors = failure(
        api.request("POST", "/api/metrics", json={"uid": "dso", "name": "Second"}), 409
    )

    assert codes(errors) == {("uid", "already_exists")}
    assert snapshot(api.registry) == before


# -- get ------------------------------------------------------------------------------------


def test_get_returns_one_metric(api: Api) -> None:
    created = api.create(**PUBLISHED_EXAMPLE)

    assert success(api.request("GET", "/api/metrics/party_dso"), "Metric retrieved") == created


def test_get_works_with_a_read_token(api: Api) -> None:
    created = api.create(uid="dso", name="DSO")

    response = api.request("GET", "/api/metrics/dso", token="read")

    assert success(response, "Metric retrieved") == created


def test_head_answers_like_get_without_a_body(api: Api) -> None:
    api.create(uid="dso", name="DSO")

    response = api.request("HEAD", "/api/metrics/dso", token="read")

    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("uid", ["missing", "Not_A_Uid", "x" * 300])
def test_get_of_a_missing_metric_is_404(api: Api, uid: str) -> None:
    errors = failure(api.request("GET", f"/api/metrics/{uid}"), 404)

    assert codes(errors) == {("uid", "not_found")}


# -- update ---------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(api: Api) -> None:
    created = api.create(**PUBLISHED_EXAMPLE)

    response = api.request(
        "PATCH", "/api/metrics/party_dso", json={"name": "Party DSO (days)", "is_active": False}
    )

    data = success(response, "Metric updated")
    check_metric_json(data)
    assert data == {
        **created,
        "name": "Party DSO (days)",
        "is_active": False,
        "updated_at": data["updated_at"],
    }
    stored = api.registry.get_metric("party_dso")
    assert stored.model_dump(mode="json") == data
    assert stored.updated_at > stored.created_at


def test_patch_accepts_the_whole_document_sent_back(api: Api) -> None:
    created = api.create(**PUBLISHED_EXAMPLE)
    before = api.registry.get_metric("party_dso")
    document = {key: value for key, value in created.items() if not key.endswith("_at")}

    data = success(api.request("PATCH", "/api/metrics/party_dso", json=document), "Metric updated")

    assert data == created
    assert api.registry.get_metric("party_dso") == before  # updated_at untouched


def test_patch_of_an_immutable_field_is_422_and_writes_nothing(api: Api) -> None:
    api.create(**PUBLISHED_EXAMPLE)
    before = snapshot(api.registry)

    response = api.request(
        "PATCH", "/api/metrics/party_dso", json={"name": "New", "value_type": "currency"}
    )

    errors = failure(response, 422)
    assert codes(errors) == {("value_type", "immutable_field")}
    assert "'count'" in errors[0]["message"]
    assert "'currency'" in errors[0]["message"]
    assert snapshot(api.registry) == before


def test_patch_of_a_missing_metric_is_404(api: Api) -> None:
    errors = failure(api.request("PATCH", "/api/metrics/missing", json={"name": "x"}), 404)

    assert codes(errors) == {("uid", "not_found")}


# -- delete ---------------------------------------------------------------------------------


def test_delete_answers_the_uid_and_the_metric_is_gone(api: Api) -> None:
    api.create(uid="dso", name="DSO")
    api.create(uid="kept", name="Kept")

    data = success(api.request("DELETE", "/api/metrics/dso"), "Metric deleted")

    assert data == {"uid": "dso"}
    failure(api.request("GET", "/api/metrics/dso"), 404)
    assert [metric["uid"] for metric in snapshot(api.registry)] == ["kept"]


def test_delete_of_a_missing_metric_is_404(api: Api) -> None:
    errors = failure(api.request("DELETE", "/api/metrics/missing"), 404)

    assert codes(errors) == {("uid", "not_found")}


def test_delete_of_a_metric_in_use_is_409_in_use_and_keeps_it(api: Api) -> None:
    api.create(uid="dso", name="DSO")
    refer_to(api.registry, "dso")
    before = snapshot(api.registry)

    errors = failure(api.request("DELETE", "/api/metrics/dso"), 409)

    assert codes(errors) == {("uid", "in_use")}
    assert snapshot(api.registry) == before


# -- auth -----------------------------------------------------------------------------------

WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/api/metrics", {"uid": "new_one", "name": "New"}),
    ("PATCH", "/api/metrics/dso", {"name": "Renamed"}),
    ("DELETE", "/api/metrics/dso", None),
]
READS = [("GET", "/api/metrics"), ("GET", "/api/metrics/dso")]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_read_token_on_a_write_is_403_insufficient_scope_and_writes_nothing(
    api: Api, method: str, path: str, body: dict[str, Any] | None
) -> None:
    api.create(uid="dso", name="DSO")
    before = snapshot(api.registry)

    response = api.request(method, path, token="read", json=body)

    errors = failure(response, 403)
    assert codes(errors) == {("token", "insufficient_scope")}
    assert response.headers["www-authenticate"] == (
        'Bearer realm="metric-registry", error="insufficient_scope"'
    )
    assert snapshot(api.registry) == before


@pytest.mark.parametrize(("method", "path"), [*READS, *[(m, p) for m, p, _ in WRITES]])
@pytest.mark.parametrize(
    ("token", "challenge"),
    [
        (None, 'Bearer realm="metric-registry"'),
        ("mr_not_a_token", 'Bearer realm="metric-registry", error="invalid_token"'),
    ],
)
def test_no_or_a_bad_token_is_401_with_the_envelope(
    api: Api, method: str, path: str, token: str | None, challenge: str
) -> None:
    api.create(uid="dso", name="DSO")
    before = snapshot(api.registry)

    response = api.request(method, path, token=token, json={"name": "x"})

    failure(response, 401)
    assert response.headers["www-authenticate"] == challenge
    assert snapshot(api.registry) == before


def test_a_revoked_token_fails_at_once(api: Api) -> None:
    success(api.request("GET", "/api/metrics", token="read"), "Metrics retrieved")

    api.registry.revoke_token("test-read")

    failure(api.request("GET", "/api/metrics", token="read"), 401)


# -- routing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/metrics/dso", "DELETE, GET, HEAD, PATCH"),
        ("POST", "/api/metrics/dso", "DELETE, GET, HEAD, PATCH"),
        ("DELETE", "/api/metrics", "GET, HEAD, POST"),
        ("PATCH", "/api/metrics", "GET, HEAD, POST"),
        ("OPTIONS", "/api/metrics", "GET, HEAD, POST"),
    ],
)
def test_a_method_not_allowed_is_405_with_allow(
    api: Api, method: str, path: str, allowed: str
) -> None:
    response = api.request(method, path)

    assert codes(failure(response, 405)) == {("method", "method_not_allowed")}
    assert response.headers["allow"] == allowed


@pytest.mark.parametrize(
    "path",
    [
        "/api/nothing",
        "/api/metrics/dso/extra",
        "/api/metrics/",
        "/api/metrics/dso/",  # no redirect to the path without the slash
        "/api/metrics/%0A/",
        "/api/a%0Ab/c",
    ],
)
def test_an_unknown_path_under_api_is_404_with_the_envelope(api: Api, path: str) -> None:
    assert codes(failure(api.request("GET", path), 404)) == {("path", "not_found")}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/metrics/dso"), ("DELETE", "/api/metrics/dso"), ("POST", "/api/metrics")],
)
def test_query_parameters_where_none_are_read_are_422(api: Api, method: str, path: str) -> None:
    api.create(uid="dso", name="DSO")
    before = snapshot(api.registry)

    response = api.request(method, f"{path}?dry_run=1", json={"uid": "x", "name": "X"})

    assert codes(failure(response, 422)) == {("dry_run", "unknown_field")}
    assert snapshot(api.registry) == before


# -- bodies ---------------------------------------------------------------------------------

MALFORMED = {
    "truncated": b'{"uid": "dso", "name": ',
    "empty": b"",
    "blank": b" \n ",
    "single quotes": b"{'uid': 'dso'}",
    "trailing garbage": b'{"uid": "dso", "name": "DSO"} x',
    "NaN": b'{"uid": "dso", "name": "DSO", "is_active": NaN}',
    "Infinity": b'{"uid": "dso", "name": "DSO", "description": -Infinity}',
    "duplicate key": b'{"uid": "dso", "name": "DSO", "uid": "other"}',
    "not UTF-8": b'{"uid": "dso", "name": "\xff\xfe"}',
    "lone surrogate value": b'{"uid": "dso", "name": "\\ud800"}',
    "lone surrogate key": b'{"uid": "dso", "name": "DSO", "\\udfff": 1}',
    "deep nesting": b'{"uid": "dso", "name": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    "huge integer": b'{"uid": "dso", "name": ' + b"9" * 5_000 + b"}",
}


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_json_body_is_400_and_writes_nothing(
    api: Api, method: str, body: bytes
) -> None:
    api.create(uid="dso", name="DSO")
    before = snapshot(api.registry)
    path = "/api/metrics" if method == "POST" else "/api/metrics/dso"

    response = api.request(method, path, content=body, headers={"Content-Type": "application/json"})

    assert codes(failure(response, 400)) == {("body", "malformed_json")}
    assert snapshot(api.registry) == before


@pytest.mark.parametrize(
    ("body", "kind"),
    [(b"[]", "a list"), (b'"dso"', "a string"), (b"1", "a number"), (b"null", "null")],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_body_that_is_not_an_object_is_422_naming_its_type(
    api: Api, method: str, body: bytes, kind: str
) -> None:
    api.create(uid="dso", name="DSO")
    path = "/api/metrics" if method == "POST" else "/api/metrics/dso"

    response = api.request(method, path, content=body, headers={"Content-Type": "application/json"})

    errors = failure(response, 422)
    assert codes(errors) == {("body", "invalid_type")}
    assert kind in errors[0]["message"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_a_body_that_is_not_json_by_its_content_type_is_415(api: Api, content_type: str) -> None:
    response = api.request(
        "POST",
        "/api/metrics",
        content=b'{"uid": "dso", "name": "DSO"}',
        headers={"Content-Type": content_type},
    )

    assert codes(failure(response, 415)) == {("Content-Type", "unsupported_media_type")}
    assert snapshot(api.registry) == ()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Content-Type": "application/json; charset=utf-8"},
        {"Content-Type": "Application/JSON"},
        {"Content-Type": "application/merge-patch+json"},
    ],
    ids=["no content type", "charset", "capitals", "+json"],
)
def test_json_content_types_and_none_at_all_are_accepted(api: Api, headers: dict[str, str]) -> None:
    response = api.request(
        "POST", "/api/metrics", content=b'{"uid": "dso", "name": "DSO"}', headers=headers
    )

    assert success(response, "Metric created")["uid"] == "dso"


def over_limit_body() -> bytes:
    return b'{"uid": "dso", "name": "DSO", "description": "' + b"x" * MAX_BODY_BYTES + b'"}'


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_body_over_one_mebibyte_is_413_and_writes_nothing(api: Api, method: str) -> None:
    api.create(uid="dso", name="DSO")
    before = snapshot(api.registry)
    path = "/api/metrics" if method == "POST" else "/api/metrics/dso"

    response = api.request(method, path, content=over_limit_body())

    assert codes(failure(response, 413)) == {("body", "too_large")}
    assert snapshot(api.registry) == before


def test_a_streamed_body_over_one_mebibyte_is_413(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        body = over_limit_body()
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    response = api.request("POST", "/api/metrics", content=chunks())

    assert "content-length" not in response.request.headers
    assert codes(failure(response, 413)) == {("body", "too_large")}
    assert snapshot(api.registry) == ()


def test_a_body_of_exactly_one_mebibyte_is_read(api: Api) -> None:
    head, tail = b'{"uid": "dso", "name": "DSO", "description": "', b'"}'
    body = head + b"x" * (MAX_BODY_BYTES - len(head) - len(tail)) + tail
    assert len(body) == MAX_BODY_BYTES

    errors = failure(api.request("POST", "/api/metrics", content=body), 422)

    assert codes(errors) == {("description", "too_long")}


def test_the_graphql_endpoint_answers_its_413_as_a_graphql_error(api: Api) -> None:
    response = api.request("POST", "/graphql", content=over_limit_body())

    assert graphql_error(response, 413)["extensions"] == {"code": "PAYLOAD_TOO_LARGE"}


# -- the unexpected -------------------------------------------------------------------------


def test_an_unexpected_failure_is_a_generic_500_logged_with_its_traceback(
    sqlite_path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with MetricRegistry(sqlite_path) as registry, serving(registry) as api:
        api.create(uid="dso", name="DSO")
        with closing(sqlite3.connect(sqlite_path, isolation_level=None)) as connection:
            connection.execute("DROP TABLE metric")

        with caplog.at_level(logging.ERROR, logger="graphql_api"):
            response = api.request("GET", "/api/metrics/dso")

    errors = failure(response, 500)
    assert errors == []
    assert "metric" not in response.json()["message"]
    assert "Traceback" not in response.text
    assert "no such table" in caplog.text
    assert any(record.exc_info for record in caplog.records)
