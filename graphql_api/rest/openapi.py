"""The REST face described as OpenAPI 3.1, from the pydantic models the core validates with.

Schemas are ``model_json_schema`` of the core's models (``MetricCreate``, ``Metric``,
``MetricValue``, ``Entity``…) and of the documented bodies of ``bodies``; query parameters are
the listing models' fields as each endpoint's ``QueryShape`` names them; the operations are the
table of ``operations``. Every operation answers the success envelope, and the failure envelope
with each status it can give.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from metric_registry import Entity, Metric, MetricValue, RecordSummary
from metric_registry.models import MetricCreate, MetricUpdate
from metric_registry.models.entities import UUID_RULE

from .bodies import EntityBody, RecordValueBody, UpdateValueBody, ValueBatch
from .entities import ENTITY_LISTING
from .metrics import METRIC_LISTING
from .operations import OPERATIONS, Operation
from .query import QueryShape
from .values import ENTITY_VALUES, METRIC_VALUES

OPENAPI_VERSION: Final = "3.1.0"
SCHEMAS: Final = "#/components/schemas/"
_PATH_NAMES: Final = re.compile(r"{(\w+)}")


PATH_PARAMETERS: Final[Mapping[str, dict[str, Any]]] = {
    "uid": {"type": "string", "description": "A metric's uid."},
    "value_uid": {"type": "string", "format": "uuid", "description": "A value's uid."},
    "context_type": {"$ref": f"{SCHEMAS}ContextType"},
    "entity_uid": {
        "type": "string",
        "format": "uuid",
        "description": f"An entity's uid: {UUID_RULE}.",
    },
}
# Every failure status: its name in components.responses, what it means, headers it carries.
FAILURES: Final[Mapping[int, tuple[str, str, tuple[str, ...]]]] = {
    400: ("BadRequest", "The body is not JSON (malformed, NaN, a duplicate key, not UTF-8).", ()),
    401: (
        "Unauthorized",
        "No token, a malformed Authorization header, or a revoked token.",
        ("WWW-Authenticate",),
    ),
    403: (
        "Forbidden",
        "The token lacks the write scope; nothing was written.",
        ("WWW-Authenticate",),
    ),
    404: ("NotFound", "No such metric, value or entity (or no such path).", ()),
    405: ("MethodNotAllowed", "The path does not take this method.", ("Allow",)),
    409: (
        "Conflict",
        "A key that is taken (`already_exists`) or a delete of something in use (`in_use`).",
        (),
    ),
    413: ("PayloadTooLarge", "The body is over 1 MiB.", ()),
    415: ("UnsupportedMediaType", "The body's Content-Type is not JSON.", ()),
    422: (
        "Invalid",
        "A field, a query parameter or the body broke a rule; `errors` names each.",
        (),
    ),
    500: ("InternalError", "Unexpected: logged on the server, never detailed here.", ()),
    503: (
        "Busy",
        "The database stayed locked for the whole busy timeout; nothing was written.",
        ("Retry-After",),
    ),
}
EVERY_OPERATION: Final = (401, 422, 500, 503)
WRITES: Final = (403,)
BODIES: Final = (400, 413, 415)
HEADER_SCHEMAS: Final = {"WWW-Authenticate": "string", "Allow": "string", "Retry-After": "integer"}

DESCRIPTION: Final = """\
The REST face of metric-registry (SPEC §6, §9). Every `/api/` request needs
`Authorization: Bearer <token>`: a `read` token may GET, only a `write` token may change
anything (else 403). Every success is HTTP 200 with `{"status": "success", "status_code": 200,
"message", "data"}`; every failure, `{"status": "error", "status_code", "message", "errors":
[{"field", "code", "message"}]}`. A path that does not take a method answers 405 with `Allow`;
any other path under `/api/` answers 404. Query parameters that an operation does not list are
refused (422, `unknown_field`); a list parameter is comma-separated (`metric_uid=dso,total_ar`).
Cents are JSON integers, exact to 64 bits; timestamps are UTC, `YYYY-MM-DDTHH:MM:SSZ`. List
reads leave each value's `_metadata` out (`null`) unless `include_metadata=true`.
"""


@cache
def openapi_document() -> dict[str, Any]:
    """The whole document (built once; callers get it as JSON, never to change)."""
    schemas = _component_schemas()
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
            operation, schemas
        )
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "metric-registry REST API",
            "version": _version(),
            "description": DESCRIPTION,
        },
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                name: _failure(status, text, headers)
                for status, (name, text, headers) in FAILURES.items()
            },
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token issued by `metric-registry token create` (`mr_…`).",
                }
            },
        },
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("metric-registry")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0"


_MODELS: Final[tuple[tuple[type[BaseModel], JsonSchemaMode], ...]] = (
    (MetricCreate, "validation"),
    (MetricUpdate, "validation"),
    (Metric, "serialization"),
    (MetricValue, "serialization"),
    (Entity, "serialization"),
    (RecordSummary, "serialization"),
    (RecordValueBody, "validation"),
    (ValueBatch, "validation"),
    (UpdateValueBody, "validation"),
    (EntityBody, "validation"),
)


def _component_schemas() -> dict[str, Any]:
    """The models' schemas (and the enums they share), the pages, and what deletes answer."""
    listings = {
        shape.model for shape in (METRIC_LISTING, ENTITY_VALUES, METRIC_VALUES, ENTITY_LISTING)
    }
    models = [*_MODELS, *((model, "validation") for model in listings)]
    _, found = models_json_schema(models, ref_template=SCHEMAS + "{model}")
    schemas: dict[str, Any] = found["$defs"]
    for name, item in (
        ("MetricPage", "Metric"),
        ("MetricValuePage", "MetricValue"),
        ("EntityPage", "Entity"),
    ):
        schemas[name] = _page(item)
    schemas["PageMeta"] = _object(
        {name: {"type": "integer"} for name in ("page", "per_page", "total_pages", "total_items")}
    )
    schemas["DeletedMetric"] = _object({"uid": {"type": "string"}})
    schemas["DeletedValue"] = _object({"uid": {"type": "string", "format": "uuid"}})
    schemas["DeletedEntity"] = _object(
        {
            "context_type": {"$ref": f"{SCHEMAS}ContextType"},
            "uid": {"type": "string", "format": "uuid"},
        }
    )
    schemas["FieldError"] = _object(
        {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}
    )
    schemas["Failure"] = _object(
        {
            "status": {"const": "error"},
            "status_code": {"type": "integer"},
            "message": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": f"{SCHEMAS}FieldError"}},
        }
    )
    return dict(sorted(schemas.items()))


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _page(item: str) -> dict[str, Any]:
    return _object(
        {
            "items": {"type": "array", "items": {"$ref": SCHEMAS + item}},
            "_meta": {"$ref": f"{SCHEMAS}PageMeta"},
        }
    )


def _operation(operation: Operation, schemas: Mapping[str, Any]) -> dict[str, Any]:
    statuses = {*EVERY_OPERATION, *operation.refusals}
    if operation.writes:
        statuses.update(WRITES)
    if operation.body is not None:
        statuses.update(BODIES)
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]}
        for name in _PATH_NAMES.findall(operation.path)
    ]
    if operation.query is not None:
        parameters += _query_parameters(operation.query, schemas)
    described: dict[str, Any] = {
        "summary": operation.summary,
        "operationId": operation.name,
        "description": "Needs a write token." if operation.writes else "A read token will do.",
        "responses": {
            "200": _success(operation.data),
            **{
                str(status): {"$ref": f"#/components/responses/{FAILURES[status][0]}"}
                for status in sorted(statuses)
            },
        },
    }
    if parameters:
        described["parameters"] = parameters
    if operation.body is not None:
        described["requestBody"] = {
            "required": operation.body_required,
            "content": {
                "application/json": {"schema": {"$ref": SCHEMAS + operation.body.__name__}}
            },
        }
    return described


def _query_parameters(shape: QueryShape, schemas: Mapping[str, Any]) -> list[dict[str, Any]]:
    properties = schemas[shape.model.__name__]["properties"]
    parameters = []
    for name, field in shape.names().items():
        schema = _without_null(copy.deepcopy(properties[field]))
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": False,
            "schema": schema,
        }
        if schema.get("type") == "array":
            parameter.update(style="form", explode=False)  # metric_uid=a,b
        parameters.append(parameter)
    return parameters


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: a query holds no null, and a title repeats the name."""
    schema.pop("title", None)
    if schema.get("default", ...) is None:
        del schema["default"]
    variants = [variant for variant in schema.pop("anyOf", []) if variant.get("type") != "null"]
    if len(variants) == 1:
        schema.update(variants[0])
    elif variants:
        schema["anyOf"] = variants
    return schema


def _success(data: str) -> dict[str, Any]:
    envelope = _object(
        {
            "status": {"const": "success"},
            "status_code": {"const": 200},
            "message": {"type": "string"},
            "data": {"$ref": SCHEMAS + data},
        }
    )
    return {"description": "Done.", "content": {"application/json": {"schema": envelope}}}


def _failure(status: int, text: str, headers: tuple[str, ...]) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": f"{SCHEMAS}Failure"}}},
    }
    if headers:
        answer["headers"] = {
            name: {"required": True, "schema": {"type": HEADER_SCHEMAS[name]}} for name in headers
        }
    return answer
