"""``/api/metrics`` and ``/api/metrics/{uid}`` (SPEC §6): metric definitions."""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from metric_registry import MetricRegistry
from metric_registry.models import MetricListing

from ..edge.core_calls import call_core
from .envelope import page_data, success
from .query import QueryShape
from .routing import Endpoint, json_object, no_query, read_page

METRIC_LISTING: Final = QueryShape(MetricListing)


def metric_routes(registry: MetricRegistry) -> list[BaseRoute]:
    async def create_metric(request: Request) -> Response:
        metric = await call_core(registry, registry.create_metric, await json_object(request))
        return success("Metric created", metric)

    async def list_metrics(request: Request) -> Response:
        page = await read_page(registry, registry.list_metrics, METRIC_LISTING, request)
        return success("Metrics retrieved", page_data(page))

    async def get_metric(request: Request) -> Response:
        no_query(request)
        metric = await call_core(registry, registry.get_metric, request.path_params["uid"])
        return success("Metric retrieved", metric)

    async def update_metric(request: Request) -> Response:
        uid: str = request.path_params["uid"]
        changes = await json_object(request)
        return success(
            "Metric updated", await call_core(registry, registry.update_metric, uid, changes)
        )

    async def delete_metric(request: Request) -> Response:
        no_query(request)
        uid: str = request.path_params["uid"]
        await call_core(registry, registry.delete_metric, uid)
        return success("Metric deleted", {"uid": uid})

    return [
        Route("/api/metrics", Endpoint({"GET": list_metrics, "POST": create_metric})),
        Route(
            "/api/metrics/{uid}",
            Endpoint({"GET": get_metric, "PATCH": update_metric, "DELETE": delete_metric}),
        ),
    ]
