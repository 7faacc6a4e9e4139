"""GraphQL over HTTP in process: the request shapes the endpoint reads, and the ones it refuses
(each a GraphQL error body with the request error's status, never plain text)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from metric_registry import MetricRegistry
from tests.api._support import GraphQL, graphql_error, serving

COUNT = "{ metrics { totalItems } }"


@pytest.fixture
def graphql(registry: MetricRegistry) -> Iterator[GraphQL]:
    registry.create_metric(uid="total_ar", name="Total AR")
    with serving(registry, raise_server_exceptions=False) as api:
        yield GraphQL(api)


def post(graphql: GraphQL, content: bytes, content_type: str) -> httpx2.Response:
    return graphql.api.request(
        "POST", "/graphql", content=content, headers={"Content-Type": content_type}
    )


def bad_request(response: httpx2.Response) -> str:
    """The reason of a 400 GraphQL error body."""
    error = graphql_error(response, 400)
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    reason: str = error["message"]
    return reason


@pytest.mark.parametrize(
    "content",
    [b'"a string"', b"null", b"5", b"[" * 100_000 + b"]" * 100_000, b'{"query": "\xff"}'],
    ids=["string", "null", "number", "nested too deep", "not utf-8"],
)
def test_a_body_that_is_not_a_json_object_is_a_400(graphql: GraphQL, content: bytes) -> None:
    assert bad_request(post(graphql, content, "application/json"))


def test_the_json_media_type_is_case_insensitive(graphql: GraphQL) -> None:
    response = post(graphql, b'{"query": "' + COUNT.encode() + b'"}', "Application/JSON; x=y")
    assert response.json() == {"data": {"metrics": {"totalItems": 1}}}


def test_another_media_type_is_a_400(graphql: GraphQL) -> None:
    response = post(graphql, b'{"query": "' + COUNT.encode() + b'"}', "text/plain")
    assert bad_request(response) == "Unsupported content type"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"query": 5}, "`query` must be a string or null"),
        ({"query": COUNT, "variables": [1]}, "`variables` must be an object or null"),
        ({"query": COUNT, "operationName": 5}, "`operationName` must be a string or null"),
        ({"query": None}, "No GraphQL query found in the request"),
        ({"query": "query A { metrics { totalItems } }", "operationName": "B"}, "'B'"),
    ],
)
def test_a_malformed_operation_is_a_400(
    graphql: GraphQL, body: dict[str, Any], reason: str
) -> None:
    assert reason in bad_request(graphql.post(body))


def test_without_an_operation_name_the_first_operation_runs(graphql: GraphQL) -> None:
    document = 'query A { metrics { totalItems } } query B { metric(uid: "x") { uid } }'
    assert graphql(document) == {"data": {"metrics": {"totalItems": 1}}}


@pytest.mark.parametrize("method", ["PUT", "HEAD", "DELETE"])
def test_only_get_and_post_are_served(graphql: GraphQL, method: str) -> None:
    response = graphql.api.request(method, "/graphql", json={"query": COUNT})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    if method != "HEAD":  # a HEAD answer has no body
        error = graphql_error(response, 405)
        assert error["extensions"] == {"code": "METHOD_NOT_ALLOWED"}
