"""GraphQL values end to end: a real ``metric-registry serve`` and a real GraphQL client (gql
over httpx). Cents beyond 32 and 53 bits go in as variables and literals and come back as the
same JSON integers, in the client's result and in the raw HTTP body."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport

from .conftest import LiveServer

pytestmark = pytest.mark.e2e

ACME = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
BIG_CENTS = [2**40 + 7, 2**62 + 7]
SETUP = """
mutation Setup($entity: RegisterEntityInput!) {
  createMetric(input: {uid: "total_ar", name: "Total AR", valueType: CURRENCY,
                       storageUnit: CENTS}) { __typename }
  registerEntity(input: $entity) { __typename ... on Entity { uid } }
}"""
RECORD = """
mutation Record($input: RecordMetricValueInput!) {
  recordMetricValue(input: $input) {
    __typename
    ... on MetricValue { uid value metricDate entityUid }
    ... on ValidationError { fieldErrors { field code } }
  }
}"""
LITERAL = (
    f'mutation {{ recordMetricValue(input: {{contextType: ORGANIZATION, entityUid: "{ACME}", '
    f'metricUid: "total_ar", metricDate: "2026-03-09", value: {2**62 + 9}}}) '
    "{ ... on MetricValue { value } } }"
)
GET = "query Get($uid: UUID!) { metricValue(uid: $uid) { uid value } }"
LATEST = """
query Latest($entity: UUID!) {
  metrics { items { uid latestValue(contextType: ORGANIZATION, entityUid: $entity) { value } } }
  metricValues(contextType: ORGANIZATION, entityUid: $entity,
               orderBy: {field: VALUE, direction: ASC},
               filter: {startDate: "2026-03-01", endDate: "2026-03-31"}) {
    items { value }
  }
}"""


def execute(
    server: LiveServer, document: str, token: str | None = None, **variables: Any
) -> dict[str, Any]:
    """One operation through gql over httpx, with the write token unless told otherwise."""
    headers = {"Authorization": f"Bearer {token or server.write_token}"}
    transport = HTTPXTransport(url=f"{server.base_url}/graphql", headers=headers, timeout=10)
    with Client(transport=transport) as session:
        result: dict[str, Any] = session.execute(
            GraphQLRequest(document, variable_values=variables or None)
        )
    return result


def raw(server: LiveServer, document: str, **variables: Any) -> str:
    """The HTTP body of one operation, as text."""
    response = httpx2.post(
        f"{server.base_url}/graphql",
        json={"query": document, "variables": variables},
        headers={"Authorization": f"Bearer {server.write_token}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.text


def record_input(day: int, cents: int) -> dict[str, Any]:
    return {
        "contextType": "ORGANIZATION",
        "entityUid": ACME,
        "metricUid": "total_ar",
        "metricDate": f"2026-03-{day:02d}",
        "value": cents,
    }


def test_big_cents_round_trip_through_a_real_client(live_server: LiveServer) -> None:
    setup = execute(live_server, SETUP, entity={"contextType": "ORGANIZATION", "uid": ACME})
    assert setup == {
        "createMetric": {"__typename": "Metric"},
        "registerEntity": {"__typename": "Entity", "uid": ACME},
    }
    for day, cents in enumerate(BIG_CENTS, start=1):
        recorded = execute(live_server, RECORD, input=record_input(day, cents))
        value = recorded["recordMetricValue"]
        assert value["__typename"] == "MetricValue", value
        assert value["value"] == cents
        assert type(value["value"]) is int
        fetched = execute(live_server, GET, uid=value["uid"])["metricValue"]
        assert fetched == {"uid": value["uid"], "value": cents}
        body = raw(live_server, GET, uid=value["uid"])
        assert f'"value":{cents}}}' in body, body
        assert json.loads(body)["data"]["metricValue"]["value"] == cents
    # a literal in the document, past what a double holds exactly
    assert execute(live_server, LITERAL)["recordMetricValue"]["value"] == 2**62 + 9
    latest = execute(live_server, LATEST, entity=ACME)
    assert latest["metrics"]["items"] == [{"uid": "total_ar", "latestValue": {"value": 2**62 + 9}}]
    assert [item["value"] for item in latest["metricValues"]["items"]] == [
        *BIG_CENTS,
        2**62 + 9,
    ]
    assert f'"value":{2**62 + 9}}}' in raw(live_server, LATEST, entity=ACME)


def test_a_read_token_records_nothing(live_server: LiveServer) -> None:
    execute(live_server, SETUP, entity={"contextType": "ORGANIZATION", "uid": ACME})
    with pytest.raises(TransportQueryError) as refused:
        execute(live_server, RECORD, live_server.read_token, input=record_input(1, 2**62 + 7))
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"] == {"code": "FORBIDDEN"}
    listing = execute(live_server, LATEST, live_server.read_token, entity=ACME)
    assert listing["metricValues"] == {"items": []}
