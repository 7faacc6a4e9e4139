"""GraphQL over HTTP in process: the request shapes the endpoint reads, and the ones it refuses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLObjectType
from starlette.testclient import TestClient

from graphql_api import create_app
from graphql_api.graphql.schema import build_schema
from metric_registry import MetricRegistry, TokenScope

COUNT = "{ metrics { totalItems } }"


@pytest.fixture
def client(registry: MetricRegistry) -> Iterator[tuple[TestClient, str]]:
    token = registry.issue_token("tests", TokenScope.WRITE).secret
    registry.create_metric(uid="total_ar", name="Total AR")
    with TestClient(create_app(registry), raise_server_exceptions=False) as opened:
        yield opened, token


def post(client: tuple[TestClient, str], content: bytes, content_type: str) -> Any:
    test_client, token = client
    headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
    return test_client.post("/graphql", content=content, headers=headers)


@pytest.mark.parametrize(
    "content",
    [b'"a string"', b"null", b"5", b"[" * 100_000 + b"]" * 100_000, b'{"query": "\xff"}'],
    ids=["string", "null", "number", "nested too deep", "not utf-8"],
)
def test_a_body_that_is_not_a_json_object_is_a_400(
    client: tuple[TestClient, str], content: bytes
) -> None:
    response = post(client, content, "application/json")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")


def test_the_json_media_type_is_case_insensitive(client: tuple[TestClient, str]) -> None:
    response = post(client, b'{"query": "' + COUNT.encode() + b'"}', "Application/JSON; x=y")
    assert response.json() == {"data": {"metrics": {"totalItems": 1}}}


def test_another_media_type_is_a_400(client: tuple[TestClient, str]) -> None:
    response = post(client, b'{"query": "' + COUNT.encode() + b'"}', "text/plain")
    assert (response.status_code, response.text) == (400, "Unsupported content type")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"query": 5}, "`query` must be a string or null"),
        ({"query": COUNT, "variables": [1]}, "`variables` must be an object or null"),
        ({"query": COUNT, "operationName": 5}, "`operationName` must be a string or null"),
        ({"query": None}, "No GraphQL query found in the request"),
        ({"query": "query A { metrics { totalItems } }", "operationName": "B"}, '"B"'),
    ],
)
def test_a_malformed_operation_is_a_400(
    client: tuple[TestClient, str], body: dict[str, Any], reason: str
) -> None:
    test_client, token = client
    response = test_client.post("/graphql", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert reason in response.text


def test_without_an_operation_name_the_first_operation_runs(client: tuple[TestClient, str]) -> None:
    test_client, token = client
    document = 'query A { metrics { totalItems } } query B { metric(uid: "x") { uid } }'
    response = test_client.post(
        "/graphql", json={"query": document}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.json() == {"data": {"metrics": {"totalItems": 1}}}


def test_only_get_and_post_are_served(client: tuple[TestClient, str]) -> None:
    test_client, token = client
    headers = {"Authorization": f"Bearer {token}"}
    assert test_client.put("/graphql", json={"query": COUNT}, headers=headers).status_code == 405
    assert test_client.head("/graphql", headers=headers).status_code == 405


def test_strawberrys_resolver_stays_where_it_does_real_work() -> None:
    schema = build_schema()._schema

    def resolver_name(type_name: str, field_name: str) -> str:
        graphql_type = schema.type_map[type_name]
        assert isinstance(graphql_type, GraphQLObjectType)
        resolve = graphql_type.fields[field_name].resolve
        assert resolve is not None
        return str(resolve.__name__)

    # permission classes and exception handlers; input objects to convert
    for field_name in ("createMetric", "updateMetric", "deleteMetric"):
        assert resolver_name("Mutation", field_name) == "_resolver"
    assert resolver_name("Query", "metrics") == "_resolver"
    # a built-in scalar argument; plain data
    assert resolver_name("Query", "metric") == "resolve"
    assert resolver_name("Metric", "createdAt") == "resolve"
