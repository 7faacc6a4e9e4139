"""``/api/metrics/values…`` and ``/api/metrics/{uid}/values`` (SPEC §6, §9): metric values.

A value's JSON is every field of the core's ``MetricValue`` in JSON mode, cents as JSON
integers. A list read without ``include_metadata=true`` shows ``"_metadata": null`` (the core
left it out): every value has the same keys, and null cannot be mistaken for stored metadata,
which is always an object.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from metric_registry import MetricRegistry, ValidationError
from metric_registry.models.entities import canonical_uuid
from metric_registry.models.values import MetricValueListing, ValueListing

from ..edge.core_calls import call_core
from .bodies import ValueBatch
from .envelope import page_data, success
from .query import QueryShape
from .routing import Endpoint, body_fields, json_object, no_query, read_page

ENTITY_PATH: Final = frozenset({"context_type", "entity_uid"})
ENTITY_VALUES: Final = QueryShape(
    ValueListing, renamed={"metric_uid": "metric_uids"}, from_path=ENTITY_PATH
)
"""``GET /api/metrics/values/{context_type}/{entity_uid}``: ``metric_uid=a,b``…"""
METRIC_VALUES: Final = QueryShape(
    MetricValueListing, renamed={"entity_uid": "entity_uids"}, from_path=frozenset({"metric_uid"})
)
"""``GET /api/metrics/{uid}/values``: ``entity_uid=a,b``…"""


def value_routes(registry: MetricRegistry) -> list[BaseRoute]:
    """The values paths; they come before ``/api/metrics/{uid}``, which would take them (the
    metric uid ``values`` is reserved for them)."""

    async def record_value(request: Request) -> Response:
        context_type, entity_uid = _entity(request)
        fields = await json_object(request, from_path=ENTITY_PATH)
        value = await call_core(registry, registry.record_value, context_type, entity_uid, fields)
        return success("Metric value recorded", value)

    async def list_values(request: Request) -> Response:
        context_type, entity_uid = _entity(request)
        read = registry.list_values
        page = await read_page(registry, read, ENTITY_VALUES, request, context_type, entity_uid)
        return success("Metric values retrieved", page_data(page))

    async def record_values(request: Request) -> Response:
        batch = await json_object(request)
        body_fields(batch, ValueBatch)
        rows = batch.pop("values")
        if not isinstance(rows, list):
            raise ValidationError.single("values", "invalid_type", "must be a list of values")
        summary = await call_core(registry, registry.record_values, rows, **batch)
        return success("Metric values recorded", summary)

    async def get_value(request: Request) -> Response:
        no_query(request)
        value = await call_core(registry, registry.get_value, request.path_params["value_uid"])
        return success("Metric value retrieved", value)

    async def update_value(request: Request) -> Response:
        uid: str = request.path_params["value_uid"]
        changes = await json_object(request)
        value = await call_core(registry, registry.update_value, uid, changes)
        return success("Metric value updated", value)

    async def delete_value(request: Request) -> Response:
        no_query(request)
        uid: str = request.path_params["value_uid"]
        await call_core(registry, registry.delete_value, uid)
        return success("Metric value deleted", {"uid": canonical_uuid(uid) or uid})

    async def list_metric_values(request: Request) -> Response:
        uid: str = request.path_params["uid"]
        page = await read_page(registry, registry.list_metric_values, METRIC_VALUES, request, uid)
        return success("Metric values retrieved", page_data(page))

    return [
        Route("/api/metrics/values", Endpoint({"POST": record_values})),
        Route(
            "/api/metrics/values/{context_type}/{entity_uid}",
            Endpoint({"GET": list_values, "POST": record_value}),
        ),
        Route(
            "/api/metrics/values/{value_uid}",
            Endpoint({"GET": get_value, "PATCH": update_value, "DELETE": delete_value}),
        ),
        Route("/api/metrics/{uid}/values", Endpoint({"GET": list_metric_values})),
    ]


def _entity(request: Request) -> tuple[str, str]:
    return request.path_params["context_type"], request.path_params["entity_uid"]
