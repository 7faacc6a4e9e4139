"""The REST API's description: ``/openapi.json`` is valid OpenAPI 3.1, built from the core's
models, and covers every path served; ``/docs`` and its assets are open and local."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate
from starlette.routing import Route

from graphql_api import create_app
from graphql_api.pages import api_docs_page
from graphql_api.rest.openapi import EVERY_OPERATION, FAILURES, openapi_document
from graphql_api.rest.operations import OPERATIONS
from graphql_api.rest.routing import Endpoint
from metric_registry import MetricRegistry
from metric_registry.models import MetricCreate
from tests.spec import ENTITY_FIELDS, METRIC_FIELDS, VALUE_FIELDS

from ._support import Api, failure, serving

DOCUMENT = openapi_document()
SCHEMAS = DOCUMENT["components"]["schemas"]


@pytest.fixture
def api(sqlite_path: str) -> Iterator[Api]:
    with MetricRegistry(sqlite_path) as registry, serving(registry) as served:
        yield served


def test_the_document_is_valid_openapi_3_1() -> None:
    assert DOCUMENT["openapi"] == "3.1.0"
    validate(DOCUMENT)


def served_operations(registry: MetricRegistry) -> set[tuple[str, str]]:
    """(method, path) of every REST route the app serves (HEAD aside: it is GET's)."""
    found = set()
    for route in create_app(registry).routes:
        if isinstance(route, Route) and isinstance(route.app, Endpoint):
            found |= {(method, route.path) for method in route.app.methods - {"HEAD"}}
    return found


def test_the_document_covers_exactly_the_operations_served(sqlite_path: str) -> None:
    with MetricRegistry(sqlite_path) as registry:
        served = served_operations(registry)

    documented = {
        (method.upper(), path)
        for path, operations in DOCUMENT["paths"].items()
        for method in operations
    }
    assert documented == served
    assert len(served) == len(OPERATIONS) == 16
    assert len({operation["operationId"] for operation in operations_of(DOCUMENT)}) == 16


def operations_of(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for operations in document["paths"].values():
        yield from operations.values()


def test_every_path_parameter_is_declared() -> None:
    for path, operations in DOCUMENT["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        for operation in operations.values():
            declared = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            assert declared == names, path


def test_every_failure_status_is_answered_with_the_failure_envelope() -> None:
    responses = DOCUMENT["components"]["responses"]
    assert set(responses) == {name for name, _, _ in FAILURES.values()}
    for response in responses.values():
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Failure"}
    assert set(SCHEMAS["Failure"]["required"]) == {"status", "status_code", "message", "errors"}
    assert responses["Unauthorized"]["headers"]["WWW-Authenticate"]["required"] is True


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.name)
def test_each_operation_lists_the_statuses_it_can_answer(operation: Any) -> None:
    described = DOCUMENT["paths"][operation.path][operation.method.lower()]
    statuses = {int(status) for status in described["responses"]}

    assert statuses >= {200, *EVERY_OPERATION, *operation.refusals}
    assert (403 in statuses) is operation.writes
    assert {400, 413, 415} <= statuses if operation.body else not {400, 413, 415} & statuses
    success = described["responses"]["200"]["content"]["application/json"]["schema"]
    assert success["properties"]["data"] == {"$ref": f"#/components/schemas/{operation.data}"}
    assert success["properties"]["status"] == {"const": "success"}


def test_the_schemas_are_the_cores_models() -> None:
    assert set(SCHEMAS["Metric"]["properties"]) == set(METRIC_FIELDS)
    assert set(SCHEMAS["MetricValue"]["properties"]) == set(VALUE_FIELDS)
    assert set(SCHEMAS["Entity"]["properties"]) == set(ENTITY_FIELDS)
    create = MetricCreate.model_json_schema(ref_template="#/components/schemas/{model}")
    del create["$defs"]
    assert SCHEMAS["MetricCreate"] == create
    assert SCHEMAS["ValueRow"]["properties"]["value"] == {
        "anyOf": [{"type": "integer"}, {"type": "number"}],
        "description": SCHEMAS["ValueRow"]["properties"]["value"]["description"],
        "title": "Value",
    }


def test_query_parameters_are_the_listings_fields_as_the_face_names_them() -> None:
    for operation in OPERATIONS:
        if operation.query is None:
            continue
        described = DOCUMENT["paths"][operation.path][operation.method.lower()]
        query = {p["name"]: p for p in described["parameters"] if p["in"] == "query"}
        assert list(query) == list(operation.query.names()), operation.name
    values = DOCUMENT["paths"]["/api/metrics/values/{context_type}/{entity_uid}"]["get"]
    metric_uid = next(p for p in values["parameters"] if p["name"] == "metric_uid")
    assert (metric_uid["style"], metric_uid["explode"]) == ("form", False)  # a,b
    assert metric_uid["schema"]["type"] == "array"
    latest = next(p for p in values["parameters"] if p["name"] == "latest")
    assert latest["schema"] == {"default": False, "type": "boolean"}


def test_the_bearer_scheme_is_declared_for_every_operation() -> None:
    assert DOCUMENT["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert DOCUMENT["security"] == [{"bearer": []}]


# -- served ---------------------------------------------------------------------------------


def test_openapi_json_is_served_without_a_token(api: Api) -> None:
    response = api.request("GET", "/openapi.json", token=None)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == DOCUMENT


def test_the_docs_page_is_served_without_a_token_and_loads_only_local_assets(api: Api) -> None:
    response = api.request("GET", "/docs", token=None)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert policy == api_docs_page().headers["Content-Security-Policy"]
    assert "connect-src 'self'" in policy
    assert "default-src 'none'" in policy
    assert "validatorUrl: null" in response.text
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources == ["data:,", "/static/swagger-ui.css", "/static/swagger-ui-bundle.js"]
    assert "http" not in response.text.lower().replace("http-equiv", "")


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/swagger-ui-bundle.js", "text/javascript"),
        ("/static/swagger-ui.css", "text/css"),
    ],
)
def test_the_assets_are_served_without_a_token(api: Api, path: str, media_type: str) -> None:
    response = api.request("GET", path, token=None)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert len(response.content) > 100_000


@pytest.mark.parametrize("path", ["/static/missing.js", "/static/%2E%2E/app.py", "/static/"])
def test_a_missing_asset_is_a_404_envelope(api: Api, path: str) -> None:
    failure(api.request("GET", path, token=None), 404)


def test_the_api_still_needs_a_token(api: Api) -> None:
    failure(api.request("GET", "/api/metrics", token=None), 401)
    failure(api.request("GET", "/openapi.json/x", token=None), 401)
