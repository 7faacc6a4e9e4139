"""GraphQL end to end: a real ``metric-registry serve`` process driven by a real GraphQL client."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

from .conftest import LiveServer, start_server

pytestmark = pytest.mark.e2e

QUERY = '{ metrics { totalItems } metric(uid: "total_ar") { uid name } }'
CREATE = """
mutation Create($input: CreateMetricInput!) {
  createMetric(input: $input) {
    __typename
    ... on Metric { uid name valueType createdAt }
    ... on UserError { code message }
    ... on ValidationError { fieldErrors { field code } }
  }
}"""
UPDATE = """
mutation Update($uid: String!, $input: UpdateMetricInput!) {
  updateMetric(uid: $uid, input: $input) {
    __typename
    ... on Metric { uid name isActive }
    ... on UserError { code message }
    ... on ValidationError { fieldErrors { field code } }
  }
}"""
DELETE = """
mutation Delete($uid: String!) {
  deleteMetric(uid: $uid) {
    __typename
    ... on DeletedMetric { uid }
    ... on UserError { code message }
  }
}"""


def execute(
    server: LiveServer, document: str, authorization: str | None = None, **variables: Any
) -> dict[str, Any]:
    """Run one operation through gql over httpx; ``authorization`` defaults to the write token."""
    if authorization is None:
        authorization = f"Bearer {server.write_token}"
    headers = {"Authorization": authorization} if authorization else {}
    transport = HTTPXTransport(url=f"{server.base_url}/graphql", headers=headers, timeout=10)
    with Client(transport=transport) as session:
        result: dict[str, Any] = session.execute(
            GraphQLRequest(document, variable_values=variables or None)
        )
    return result


def create(server: LiveServer, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = execute(server, CREATE, input=fields)["createMetric"]
    return result


def total(server: LiveServer) -> int:
    count: int = execute(server, QUERY)["metrics"]["totalItems"]
    return count


# -- auth -----------------------------------------------------------------------------------


def revoked_token(server: LiveServer) -> str:
    secret = run_cli("token", "create", "doomed", "--scope", "write", "--db", server.db_path)
    run_cli("token", "revoke", "doomed", "--db", server.db_path)
    return f"Bearer {secret}"


def run_cli(*arguments: str) -> str:
    command = [sys.executable, "-m", "metric_registry", *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def assert_unauthenticated(server: LiveServer, document: str, authorization: str) -> None:
    """gql reads the 401's GraphQL-shaped body as the errors of the operation."""
    with pytest.raises(TransportQueryError) as refused:
        execute(server, document, authorization)
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert refused.value.data is None


REFUSED = {
    "none": lambda server: "",
    "malformed": lambda server: f"Token {server.write_token}",
    "unknown": lambda server: "Bearer mr_" + "A" * 43,
    "revoked": revoked_token,
}


def test_the_auth_matrix(live_server: LiveServer) -> None:
    create(live_server, uid="total_ar", name="Total AR")
    mutation = 'mutation { deleteMetric(uid: "total_ar") { __typename } }'
    for name, authorization in REFUSED.items():
        header = authorization(live_server)
        for document in (QUERY, mutation):
            assert_unauthenticated(live_server, document, header)
        response = httpx2.post(
            f"{live_server.base_url}/graphql",
            json={"query": QUERY},
            headers={"Authorization": header} if header else {},
        )
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer "), name

    read = f"Bearer {live_server.read_token}"
    assert execute(live_server, QUERY, read)["metric"] == {"uid": "total_ar", "name": "Total AR"}
    with pytest.raises(TransportQueryError) as forbidden:
        execute(live_server, mutation, read)
    assert forbidden.value.errors is not None
    assert forbidden.value.errors[0]["extensions"] == {"code": "FORBIDDEN"}
    assert total(live_server) == 1

    assert execute(live_server, mutation) == {"deleteMetric": {"__typename": "DeletedMetric"}}
    assert total(live_server) == 0


def test_revoking_a_token_takes_effect_at_once_in_the_running_server(
    live_server: LiveServer,
) -> None:
    read = f"Bearer {live_server.read_token}"
    assert execute(live_server, QUERY, read)["metrics"] == {"totalItems": 0}
    run_cli("token", "revoke", "e2e-read", "--db", live_server.db_path)
    assert_unauthenticated(live_server, QUERY, read)
    assert execute(live_server, QUERY)["metrics"] == {"totalItems": 0}


# -- every union member ---------------------------------------------------------------------


def test_every_union_member(live_server: LiveServer) -> None:
    created = create(live_server, uid="total_ar", name="Total AR", valueType="CURRENCY")
    assert (created["__typename"], created["valueType"]) == ("Metric", "CURRENCY")

    conflict = create(live_server, uid="total_ar", name="Again")
    assert (conflict["__typename"], conflict["code"]) == ("ConflictError", "already_exists")

    invalid = create(live_server, uid="Total AR", name="x")
    assert invalid["__typename"] == "ValidationError"
    assert invalid["fieldErrors"] == [{"field": "uid", "code": "invalid_format"}]

    updated = execute(live_server, UPDATE, uid="total_ar", input={"isActive": False})
    assert updated["updateMetric"] == {
        "__typename": "Metric",
        "uid": "total_ar",
        "name": "Total AR",
        "isActive": False,
    }
    refused = execute(live_server, UPDATE, uid="total_ar", input={"name": None})
    assert refused["updateMetric"]["fieldErrors"] == [{"field": "name", "code": "invalid_type"}]
    missing = execute(live_server, UPDATE, uid="missing", input={"name": "x"})
    assert missing["updateMetric"]["__typename"] == "NotFoundError"

    with sqlite3.connect(live_server.db_path) as connection:
        connection.execute("CREATE TABLE referrer (uid TEXT NOT NULL REFERENCES metric (uid))")
        connection.execute("INSERT INTO referrer VALUES ('total_ar')")
    connection.close()
    in_use = execute(live_server, DELETE, uid="total_ar")["deleteMetric"]
    assert (in_use["__typename"], in_use["code"]) == ("ConflictError", "in_use")
    with sqlite3.connect(live_server.db_path) as connection:
        connection.execute("DELETE FROM referrer")
    connection.close()

    deleted = execute(live_server, DELETE, uid="total_ar")["deleteMetric"]
    assert deleted == {"__typename": "DeletedMetric", "uid": "total_ar"}
    gone = execute(live_server, DELETE, uid="total_ar")["deleteMetric"]
    assert (gone["__typename"], gone["code"]) == ("NotFoundError", "not_found")
    assert execute(live_server, QUERY)["metric"] is None


def test_a_bad_page_size_is_a_top_level_error(live_server: LiveServer) -> None:
    with pytest.raises(TransportQueryError) as refused:
        execute(live_server, "{ metrics(perPage: 1000) { totalItems } }")
    assert refused.value.errors is not None
    [error] = refused.value.errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("invalid argument: perPage: ")


# -- limits ---------------------------------------------------------------------------------


def test_the_limits(live_server: LiveServer) -> None:
    too_deep = "{ metrics { items { " + "f { " * 10 + "}" * 10 + " } } }"
    with pytest.raises(TransportQueryError, match="exceeds maximum operation depth of 10"):
        execute(live_server, too_deep)
    aliases = " ".join(f'a{n}: metric(uid: "x") {{ uid }}' for n in range(21))
    with pytest.raises(TransportQueryError, match=r"21 aliases found\. Allowed: 20"):
        execute(live_server, "{ " + aliases + " }")
    many = " ".join(f'query q{n} {{ metric(uid: "x") {{ uid }} }}' for n in range(400))
    body = {"query": many, "operationName": "q1"}
    answer = post(live_server, body).json()
    assert "more than 5000 tokens" in answer["errors"][0]["message"]
    assert post(live_server, {"query": QUERY + " " * 1024 * 1024}).status_code == 413
    assert post(live_server, [{"query": QUERY}, {"query": QUERY}]).status_code == 400


def post(server: LiveServer, body: object) -> httpx2.Response:
    return httpx2.post(
        f"{server.base_url}/graphql",
        json=body,
        headers={"Authorization": f"Bearer {server.write_token}"},
        timeout=10,
    )


def test_graphiql_opens_in_a_browser(live_server: LiveServer) -> None:
    page = httpx2.get(f"{live_server.base_url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


@pytest.fixture
def two_workers_without_graphiql(tmp_path: Any) -> Iterator[LiveServer]:
    with start_server(str(tmp_path / "metrics.db"), "--workers", "2", "--no-graphiql") as server:
        yield server


def test_two_workers_without_graphiql(two_workers_without_graphiql: LiveServer) -> None:
    server = two_workers_without_graphiql
    page = httpx2.get(f"{server.base_url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    for n in range(6):
        assert create(server, uid=f"metric_{n}", name=f"Metric {n}")["__typename"] == "Metric"
    assert total(server) == 6


# -- fuzzing --------------------------------------------------------------------------------


# Every field of Query (metric, metrics, entity, entities, metricValue, metricValues,
# metricRanking) and of Mutation (three for metrics, two for entities, four for values).
OPERATIONS = 16


def test_schemathesis_finds_no_server_error(live_server: LiveServer) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    from ._scalars import register_graphql_scalars

    register_graphql_scalars()
    headers = {"Authorization": f"Bearer {live_server.write_token}"}
    schema = schemathesis.graphql.from_url(f"{live_server.base_url}/graphql", headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == OPERATIONS

    calls: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def no_server_error(case: Any) -> None:
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
            calls.append(case.operation.label)
            assert "Unexpected error." not in response.text

        no_server_error()
    assert len(set(calls)) == OPERATIONS
    assert len(calls) >= 25
    assert "Traceback" not in live_server.log()
