"""GraphQL in process: the auth matrix, the document limits and the masking of unexpected errors."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from graphql_api.edge.auth import CREDENTIALS
from metric_registry import MetricRegistry, TokenScope
from tests.api._support import GraphQL, graphql_error, serving

QUERY = '{ metrics { totalItems } metric(uid: "total_ar") { uid } }'
MUTATION = 'mutation { createMetric(input: {uid: "new_one", name: "New"}) { __typename } }'


def metric_count(server: GraphQL) -> int:
    return server.api.registry.list_metrics().total_items


@contextmanager
def serve(registry: MetricRegistry, *, graphiql: bool = True) -> Iterator[GraphQL]:
    registry.create_metric(uid="total_ar", name="Total AR")
    with serving(registry, graphiql=graphiql) as api:
        yield GraphQL(api)


@pytest.fixture
def server(registry: MetricRegistry) -> Iterator[GraphQL]:
    with serve(registry) as served:
        yield served


# -- authentication and scopes --------------------------------------------------------------

BAD_CREDENTIALS = {
    "none": None,
    "malformed scheme": "Basic dXNlcjpwYXNz",
    "malformed empty": "Bearer ",
    "unknown": "Bearer mr_" + "x" * 43,
    "revoked": "revoked",
}


@pytest.mark.parametrize("document", [QUERY, MUTATION], ids=["query", "mutation"])
@pytest.mark.parametrize("credential", BAD_CREDENTIALS)
def test_without_a_live_token_the_answer_is_401(
    server: GraphQL, credential: str, document: str
) -> None:
    header = BAD_CREDENTIALS[credential]
    if header == "revoked":
        secret = server.api.registry.issue_token("short_lived", TokenScope.WRITE).secret
        server.api.registry.revoke_token("short_lived")
        header = f"Bearer {secret}"
    headers = {} if header is None else {"Authorization": header}
    response = server.api.client.post("/graphql", json={"query": document}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer ")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert metric_count(server) == 1


@pytest.mark.parametrize("scope", ["read", "write"])
def test_read_and_write_tokens_may_query(server: GraphQL, scope: str) -> None:
    body = server(QUERY, token=scope)
    assert body == {"data": {"metrics": {"totalItems": 1}, "metric": {"uid": "total_ar"}}}


def test_a_read_token_may_not_mutate_and_nothing_is_written(server: GraphQL) -> None:
    for mutation in (
        MUTATION,
        'mutation { updateMetric(uid: "total_ar", input: {name: "x"}) { __typename } }',
        'mutation { deleteMetric(uid: "total_ar") { __typename } }',
    ):
        body = server(mutation, token="read")
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"] == {"code": "FORBIDDEN"}
        assert "write scope" in error["message"]
    assert server.api.registry.get_metric("total_ar").name == "Total AR"
    assert metric_count(server) == 1


def test_a_write_token_may_mutate(server: GraphQL) -> None:
    assert server(MUTATION) == {"data": {"createMetric": {"__typename": "Metric"}}}
    assert metric_count(server) == 2


def test_the_graphiql_page_opens_in_a_browser_without_a_token(server: GraphQL) -> None:
    response = server.api.client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_a_get_query_needs_a_token(server: GraphQL) -> None:
    response = server.api.client.get("/graphql", params={"query": QUERY})
    assert response.status_code == 401


def test_a_get_query_runs_with_a_token(server: GraphQL) -> None:
    response = server.api.request("GET", "/graphql", token="read", params={"query": QUERY})
    assert response.json()["data"]["metrics"] == {"totalItems": 1}


def test_a_get_request_cannot_mutate(server: GraphQL) -> None:
    response = server.api.request("GET", "/graphql", params={"query": MUTATION})
    error = graphql_error(response, 400)
    assert error["message"] == "mutations are not allowed when using GET"
    assert metric_count(server) == 1


def test_without_graphiql_the_page_is_not_found(sqlite_path: str) -> None:
    with MetricRegistry(sqlite_path) as registry, serve(registry, graphiql=False) as server:
        response = server.api.client.get("/graphql", headers={"Accept": "text/html"})
        assert graphql_error(response, 404)["extensions"] == {"code": "NOT_FOUND"}
        assert "graphiql" not in response.text.lower()


# -- limits ---------------------------------------------------------------------------------


def nested(depth: int) -> str:
    """A document ``depth`` levels deep: ``{ a { b } }`` is 1 (the counting of graphql-depth-limit).

    Past the schema's own depth the fields do not exist; the depth rule still counts them.
    """
    names = ["metrics", "items", *(f"f{level}" for level in range(depth - 1))]
    return "{ " + " { ".join(names) + " }" * depth + " }"


def messages(body: dict[str, Any]) -> list[str]:
    return [error["message"] for error in body.get("errors", [])]


def test_a_document_deeper_than_10_is_refused(server: GraphQL) -> None:
    assert "'anonymous' exceeds maximum operation depth of 10" in messages(server(nested(11)))
    assert not any("depth" in m for m in messages(server(nested(10))))


def aliased(count: int) -> str:
    return "{ " + " ".join(f'a{n}: metric(uid: "total_ar") {{ uid }}' for n in range(count)) + " }"


def test_more_than_20_aliases_are_refused_every_time(server: GraphQL) -> None:
    allowed = server(aliased(20))
    assert "errors" not in allowed
    assert len(allowed["data"]) == 20
    for _ in range(2):  # the second answer comes from the validation cache
        assert messages(server(aliased(21))) == ["21 aliases found. Allowed: 20"]


def operations(count: int) -> str:
    """``count`` operations of 13 tokens each."""
    return " ".join(f'query q{n} {{ metric(uid: "total_ar") {{ uid }} }}' for n in range(count))


def test_more_than_5000_tokens_are_refused(server: GraphQL) -> None:
    allowed = server.post({"query": operations(384), "operationName": "q383"}).json()
    assert allowed == {"data": {"metric": {"uid": "total_ar"}}}
    refused = server.post({"query": operations(385), "operationName": "q384"}).json()
    assert messages(refused) == [
        "Syntax Error: Document contains more than 5000 tokens. Parsing aborted."
    ]


def test_a_body_over_1_mib_is_refused_with_413(server: GraphQL) -> None:
    padding = " " * (1024 * 1024)
    response = server.post({"query": "{ metrics { totalItems } }" + padding})
    error = graphql_error(response, 413)
    assert error["extensions"] == {"code": "PAYLOAD_TOO_LARGE"}
    assert "1048576 bytes" in error["message"]


def test_batching_is_off(server: GraphQL) -> None:
    response = server.post([{"query": QUERY}, {"query": QUERY}])
    error = graphql_error(response, 400)
    assert error == {"message": "Batching is not enabled", "extensions": {"code": "BAD_REQUEST"}}


def test_malformed_json_is_a_400(server: GraphQL) -> None:
    response = server.api.request(
        "POST", "/graphql", content=b'{"query": ', headers={"Content-Type": "application/json"}
    )
    error = graphql_error(response, 400)
    assert error == {
        "message": "Unable to parse request body as JSON",
        "extensions": {"code": "BAD_REQUEST"},
    }


def test_field_suggestions_are_off(server: GraphQL) -> None:
    [message] = messages(server("{ metrcs { totalItems } }"))
    assert message == "Cannot query field 'metrcs' on type 'Query'."


# -- unexpected errors ----------------------------------------------------------------------


def test_an_unexpected_error_is_logged_and_shown_as_a_generic_message(
    sqlite_path: str, caplog: pytest.LogCaptureFixture
) -> None:
    with MetricRegistry(sqlite_path) as registry, serve(registry) as server:
        with sqlite3.connect(sqlite_path) as connection:
            connection.execute("DROP TABLE metric")
        connection.close()
        with caplog.at_level(logging.ERROR, logger="graphql_api"):
            body = server('{ metric(uid: "total_ar") { uid } }')
            mutation = server(MUTATION)
    assert body == {
        "data": {"metric": None},
        "errors": [
            {
                "message": "Unexpected error.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["metric"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ],
    }
    assert messages(mutation) == ["Unexpected error."]
    assert "metric" not in json.dumps(mutation["errors"][0].get("extensions", {}))
    logged = [record for record in caplog.records if record.name == "graphql_api"]
    assert len(logged) == 2
    assert all(record.exc_info is not None for record in logged)
    assert "no such table" in caplog.text


# -- scopes, as the core says them ----------------------------------------------------------


def test_the_credentials_of_each_scope_are_what_the_core_allows() -> None:
    for scope in TokenScope:
        granted = CREDENTIALS[scope].scopes
        assert granted == [needed.value for needed in TokenScope if scope.allows(needed)]
    assert CREDENTIALS[TokenScope.WRITE].scopes == ["read", "write"]
    assert CREDENTIALS[TokenScope.READ].scopes == ["read"]
