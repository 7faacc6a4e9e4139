"""``/graphql``: strawberry's ASGI view over the schema, with the registry in its context."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from metric_registry import MetricRegistry

from .schema import build_schema


class RegistryGraphQL(GraphQL[dict[str, Any], None]):
    """Queries over GET or POST, mutations over POST only; no batching, no uploads."""

    def __init__(self, registry: MetricRegistry, *, graphiql: bool) -> None:
        super().__init__(
            build_schema(),
            graphql_ide="graphiql" if graphiql else None,
            multipart_uploads_enabled=False,
        )
        self.registry = registry

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> dict[str, Any]:
        return {"request": request, "response": response, "registry": self.registry}


def graphql_routes(registry: MetricRegistry, *, graphiql: bool) -> list[BaseRoute]:
    view = RegistryGraphQL(registry, graphiql=graphiql)
    return [
        Route("/graphql", view, methods=["GET", "POST"]),
        Route("/graphql/", view, methods=["GET", "POST"]),
    ]
