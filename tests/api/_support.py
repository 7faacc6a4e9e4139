"""Helpers for the tests of the faces: the real app in-process (TestClient) with its tokens,
checks of the REST envelope and of GraphQL error bodies, and the one in-process GraphQL client."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx2
from hypothesis import HealthCheck, settings
from starlette.testclient import TestClient

from graphql_api import create_app
from metric_registry import MetricRegistry, TokenScope
from tests.spec import METRIC_FIELDS

TIMESTAMP_JSON = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
SUCCESS_KEYS = {"status", "status_code", "message", "data"}
ERROR_KEYS = {"status", "status_code", "message", "errors"}
METRIC_KEYS = set(METRIC_FIELDS)
GRAPHQL_METRIC_FIELDS = (
    "uid name contextType description formula valueType storageUnit isSnapshot "
    "periodDefinition isActive createdAt updatedAt"
)
CREATE = f"""
mutation Create($input: CreateMetricInput!) {{
  createMetric(input: $input) {{
    __typename
    ... on Metric {{ {GRAPHQL_METRIC_FIELDS} }}
    ... on UserError {{ code message }}
    ... on ValidationError {{ fieldErrors {{ field code message }} }}
  }}
}}"""
# The body of the published example request (SPEC §6).
PUBLISHED_EXAMPLE: dict[str, Any] = {
    "uid": "party_dso",
    "name": "Party DSO",
    "context_type": "ORGANIZATION",
    "description": "<string>",
    "formula": "<string>",
    "value_type": "count",
    "storage_unit": "raw",
    "is_snapshot": False,
    "period_definition": "as_of_date",
    "is_active": True,
}
# Property tests: modest example counts, no deadline (the database does real fsyncs).
PROPERTIES = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Api:
    """The real app in-process; requests carry the write token unless told otherwise."""

    client: TestClient
    registry: MetricRegistry
    write_token: str
    read_token: str

    def request(
        self, method: str, path: str, *, token: str | None = "write", **kwargs: Any
    ) -> httpx2.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            secret = {"write": self.write_token, "read": self.read_token}.get(token, token)
            headers["Authorization"] = f"Bearer {secret}"
        return self.client.request(method, path, headers=headers, **kwargs)

    def create(self, **fields: Any) -> dict[str, Any]:
        data: dict[str, Any] = success(
            self.request("POST", "/api/metrics", json=fields), "Metric created"
        )
        return data


class GraphQL:
    """Posts GraphQL documents to the app of ``api``, with its write token unless told otherwise."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def post(self, body: object, *, token: str | None = "write", **kwargs: Any) -> httpx2.Response:
        """POST ``body`` as JSON to /graphql; the response as it is."""
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        content = json.dumps(body).encode()
        return self.api.request(
            "POST", "/graphql", token=token, content=content, headers=headers, **kwargs
        )

    def __call__(self, query: str, *, token: str | None = "write", **variables: Any) -> Any:
        """The JSON body of the 200 answer to ``query``."""
        response = self.post({"query": query, "variables": variables}, token=token)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        return response.json()

    def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = self(query, **variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def create(self, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.data(CREATE, input=fields)["createMetric"]
        return result


def graphql_error(response: httpx2.Response, status_code: int) -> dict[str, Any]:
    """The one error of a GraphQL error body with this status (a request refused before
    execution: ``{"errors": [{"message", "extensions": {"code"}}]}``), after checking it."""
    assert response.status_code == status_code, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"errors"}, body
    [error] = body["errors"]
    assert set(error) == {"message", "extensions"}
    assert isinstance(error["message"], str)
    assert error["message"]
    assert set(error["extensions"]) == {"code"}
    result: dict[str, Any] = error
    return result


@contextmanager
def serving(
    registry: MetricRegistry, *, graphiql: bool = True, raise_server_exceptions: bool = True
) -> Iterator[Api]:
    write = registry.issue_token("test-write", TokenScope.WRITE).secret
    read = registry.issue_token("test-read", TokenScope.READ).secret
    app = create_app(registry, graphiql=graphiql)
    with TestClient(app, raise_server_exceptions=raise_server_exceptions) as client:
        portal = client.portal
        assert portal is not None
        try:
            yield Api(client, registry, write, read)
        finally:  # the app ran on the portal's thread: close the connection it opened there
            portal.call(registry.close)


def success(response: httpx2.Response, message: str) -> Any:
    """The ``data`` of a success envelope, after checking the envelope itself."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == SUCCESS_KEYS
    assert body["status"] == "success"
    assert body["status_code"] == 200
    assert body["message"] == message
    return body["data"]


def failure(response: httpx2.Response, status_code: int) -> list[dict[str, str]]:
    """The ``errors`` of an error envelope with this status, after checking the envelope."""
    assert response.status_code == status_code, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == "error"
    assert body["status_code"] == status_code
    assert isinstance(body["message"], str)
    assert body["message"]
    for error in body["errors"]:
        assert set(error) == {"field", "code", "message"}
        assert all(isinstance(value, str) and value for value in error.values())
    errors: list[dict[str, str]] = body["errors"]
    return errors


def codes(errors: list[dict[str, str]]) -> set[tuple[str, str]]:
    """``{(field, code)}`` of an error envelope's entries."""
    return {(error["field"], error["code"]) for error in errors}


def check_metric_json(data: Any) -> None:
    assert set(data) == METRIC_KEYS
    assert TIMESTAMP_JSON.fullmatch(data["created_at"])
    assert TIMESTAMP_JSON.fullmatch(data["updated_at"])


def snapshot(registry: MetricRegistry) -> tuple[dict[str, Any], ...]:
    """Every stored metric, read page by page (to prove that nothing was written)."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        listing = registry.list_metrics(page=page, per_page=100)
        items.extend(metric.model_dump() for metric in listing.items)
        if page >= listing.total_pages:
            return tuple(items)
        page += 1
