"""``/api/entities/{context_type}[/{entity_uid}]`` (SPEC §6, §9.1): the entities values are
measured about. PUT registers idempotently (the body ``{"name": …}`` is optional)."""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from metric_registry import MetricRegistry
from metric_registry.models.entities import EntityListing, canonical_uuid

from ..edge.core_calls import call_core
from .bodies import EntityBody
from .envelope import page_data, success
from .query import QueryShape
from .routing import Endpoint, body_fields, json_object, no_query, read_page

ENTITY_LISTING: Final = QueryShape(EntityListing, from_path=frozenset({"context_type"}))


def entity_routes(registry: MetricRegistry) -> list[BaseRoute]:
    async def register_entity(request: Request) -> Response:
        context_type, uid = _key(request)
        body = await json_object(request, optional=True)
        body_fields(body, EntityBody)
        entity = await call_core(
            registry, registry.register_entity, context_type, uid, body.get("name")
        )
        return success("Entity registered", entity)

    async def get_entity(request: Request) -> Response:
        no_query(request)
        entity = await call_core(registry, registry.get_entity, *_key(request))
        return success("Entity retrieved", entity)

    async def delete_entity(request: Request) -> Response:
        no_query(request)
        context_type, uid = _key(request)
        await call_core(registry, registry.delete_entity, context_type, uid)
        return success(
            "Entity deleted", {"context_type": context_type, "uid": canonical_uuid(uid) or uid}
        )

    async def list_entities(request: Request) -> Response:
        context_type: str = request.path_params["context_type"]
        page = await read_page(
            registry, registry.list_entities, ENTITY_LISTING, request, context_type
        )
        return success("Entities retrieved", page_data(page))

    return [
        Route("/api/entities/{context_type}", Endpoint({"GET": list_entities})),
        Route(
            "/api/entities/{context_type}/{entity_uid}",
            Endpoint({"PUT": register_entity, "GET": get_entity, "DELETE": delete_entity}),
        ),
    ]


def _key(request: Request) -> tuple[str, str]:
    return request.path_params["context_type"], request.path_params["entity_uid"]
