"""Every answer in the face's own format, in every phase: errors raised outside a handler (the
auth middleware's token lookup, the router), request errors, a busy database, and echoed input
kept short. Faults are injected by replacing one registry method on the instance."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, NoReturn

import httpx2
import pytest

from metric_registry import DatabaseBusyError, MetricRegistry
from tests.api._support import (
    Api,
    GraphQL,
    codes,
    failure,
    graphql_error,
    serving,
    snapshot,
)

COUNT = "{ metrics { totalItems } }"
LONG = 64 * 1024
LONG_IN_URL = 64_000  # 64 kB: httpx refuses URLs over 64 KiB
SHORT_ANSWER_BYTES = 2048
SECRET_DETAIL = "disk on fire in SELECT secret_hash FROM api_token"


@pytest.fixture
def api(sqlite_path: str) -> Iterator[Api]:
    with (
        MetricRegistry(sqlite_path) as registry,
        serving(registry, raise_server_exceptions=False) as served,
    ):
        yield served


def fail_with(error: Exception) -> Any:
    def fail(*args: object, **kwargs: object) -> NoReturn:
        raise error

    return fail


def rest_get(api: Api) -> httpx2.Response:
    return api.request("GET", "/api/metrics")


def graphql_query(api: Api) -> httpx2.Response:
    return GraphQL(api).post({"query": COUNT})


FACES = {"rest": rest_get, "graphql": graphql_query}


def check_no_detail(response: httpx2.Response) -> None:
    assert "Traceback" not in response.text
    assert "fire" not in response.text
    assert "SELECT" not in response.text


# -- the unexpected, outside any handler ----------------------------------------------------


@pytest.mark.parametrize("face", FACES)
def test_a_failing_token_lookup_is_a_500_in_the_faces_format_logged_with_its_traceback(
    api: Api, face: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(api.registry, "verify_token", fail_with(RuntimeError(SECRET_DETAIL)))

    with caplog.at_level(logging.ERROR, logger="graphql_api"):
        response = FACES[face](api)

    if face == "rest":
        assert failure(response, 500) == []
    else:
        error = graphql_error(response, 500)
        assert error == {
            "message": "Unexpected error.",
            "extensions": {"code": "INTERNAL_SERVER_ERROR"},
        }
    check_no_detail(response)
    [record] = [record for record in caplog.records if record.exc_info is not None]
    assert record.name == "graphql_api"
    assert SECRET_DETAIL in caplog.text
    assert "Traceback" in caplog.text
    assert "verify_token" in caplog.text or "fail" in caplog.text


@pytest.mark.parametrize("face", FACES)
def test_a_busy_database_at_the_token_lookup_is_a_503_with_retry_after(
    api: Api, face: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy = DatabaseBusyError("the database is busy: another writer holds its lock; try again")
    monkeypatch.setattr(api.registry, "verify_token", fail_with(busy))

    response = FACES[face](api)

    assert response.headers["retry-after"] == "1"
    if face == "rest":
        assert codes(failure(response, 503)) == {("database", "database_busy")}
    else:
        assert graphql_error(response, 503)["extensions"] == {"code": "DATABASE_BUSY"}


def test_a_write_still_busy_after_waiting_is_a_rest_503(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy = DatabaseBusyError("the database is busy: another writer holds its lock; try again")
    monkeypatch.setattr(api.registry, "create_metric", fail_with(busy))

    response = api.request("POST", "/api/metrics", json={"uid": "dso", "name": "DSO"})

    assert codes(failure(response, 503)) == {("database", "database_busy")}
    assert response.headers["retry-after"] == "1"
    assert snapshot(api.registry) == ()


def test_a_write_still_busy_after_waiting_is_a_graphql_database_busy_error(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy = DatabaseBusyError("the database is busy: another writer holds its lock; try again")
    monkeypatch.setattr(api.registry, "create_metric", fail_with(busy))

    body = GraphQL(api)(
        'mutation { createMetric(input: {uid: "dso", name: "DSO"}) { __typename } }'
    )

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "DATABASE_BUSY"}
    assert error["path"] == ["createMetric"]
    assert "busy" in error["message"]


# -- the router, outside /api and /graphql --------------------------------------------------


def test_an_unknown_path_is_an_envelope_404(api: Api) -> None:
    response = api.request("GET", "/nowhere")

    assert codes(failure(response, 404)) == {("path", "not_found")}
    assert "'/nowhere'" in response.json()["message"]


def test_a_method_the_path_does_not_serve_is_an_envelope_405(api: Api) -> None:
    response = api.request("POST", "/healthz")

    assert codes(failure(response, 405)) == {("method", "method_not_allowed")}
    assert response.headers["allow"] == "GET, HEAD"


def test_the_health_check_answers_json(api: Api) -> None:
    response = api.request("GET", "/healthz", token=None)

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


# -- echoed input stays short ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "DELETE", "PATCH"])
def test_a_64_kb_uid_is_answered_in_under_2_kb(api: Api, method: str) -> None:
    kwargs: dict[str, Any] = {"json": {"name": "x"}} if method == "PATCH" else {}
    response = api.request(method, "/api/metrics/" + "a" * LONG_IN_URL, **kwargs)

    assert codes(failure(response, 404)) == {("uid", "not_found")}
    assert len(response.content) < SHORT_ANSWER_BYTES


@pytest.mark.parametrize("prefix", ["/api/", "/"])
def test_a_64_kb_unknown_path_is_answered_in_under_2_kb(api: Api, prefix: str) -> None:
    response = api.request("GET", prefix + "x" * LONG_IN_URL)

    assert codes(failure(response, 404)) == {("path", "not_found")}
    assert len(response.content) < SHORT_ANSWER_BYTES


def test_a_64_kb_unknown_query_parameter_is_answered_in_under_2_kb(api: Api) -> None:
    response = api.request("GET", "/api/metrics", params={"p" * LONG_IN_URL: "1"})

    [error] = failure(response, 422)
    assert error["code"] == "unknown_field"
    assert len(response.content) < SHORT_ANSWER_BYTES


def test_a_64_kb_sort_is_answered_in_under_2_kb(api: Api) -> None:
    response = api.request("GET", "/api/metrics", params={"sort": "x" * LONG_IN_URL})

    assert codes(failure(response, 422)) == {("sort", "invalid_choice")}
    assert len(response.content) < SHORT_ANSWER_BYTES


def test_a_64_kb_content_type_is_answered_in_under_2_kb(api: Api) -> None:
    response = api.request(
        "POST", "/api/metrics", content=b"{}", headers={"Content-Type": "text/" + "x" * LONG}
    )

    assert codes(failure(response, 415)) == {("Content-Type", "unsupported_media_type")}
    assert len(response.content) < SHORT_ANSWER_BYTES


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ " + "f" * LONG + " }"},
        {"query": "{ metrics { totalItems } } }" + "z" * LONG},
        {"query": '{ metric(uid: "' + "a" * LONG + '") { uid } }'},
        {
            "query": 'mutation { deleteMetric(uid: "' + "a" * LONG + '") { __typename '
            "... on UserError { message } } }"
        },
    ],
    ids=["unknown field", "syntax error", "metric", "deleteMetric"],
)
def test_graphql_messages_echoing_64_kb_stay_short(api: Api, body: dict[str, Any]) -> None:
    response = GraphQL(api).post(body)

    assert response.status_code == 200
    assert len(response.content) < SHORT_ANSWER_BYTES


def test_a_64_kb_unknown_operation_name_is_answered_in_under_2_kb(api: Api) -> None:
    response = GraphQL(api).post(
        {"query": "query A { metrics { totalItems } }", "operationName": "B" * LONG}
    )

    assert graphql_error(response, 400)["extensions"] == {"code": "BAD_REQUEST"}
    assert len(response.content) < SHORT_ANSWER_BYTES
