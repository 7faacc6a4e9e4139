"""``/graphql``: a lean Starlette endpoint over graphql-core, with the registry in its context.

Queries over GET or POST, mutations over POST only; no batching, no uploads, no websockets.
GraphiQL (``graphql_api.pages``, over local assets only) is served to a browser's GET when
enabled. A malformed request raises ``BadRequestError``, answered with a GraphQL error body by
``graphql_api.edge.answers``.
"""

from __future__ import annotations

import json
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from metric_registry import MetricRegistry

from ..pages import graphiql_page
from .execute import OperationRunner, ResponseBody
from .http import from_body, from_query_params
from .schema import build_schema

JSON_TYPE: Final = "application/json"


def wants_graphiql(request: Request) -> bool:
    """A GET without a query from something that takes HTML (strawberry's rule)."""
    accept = request.headers.get("accept", "")
    return "query" not in request.query_params and ("text/html" in accept or "*/*" in accept)


def encode(body: ResponseBody) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


class GraphQLEndpoint:
    """The ASGI app behind ``/graphql`` (and ``/graphql/``)."""

    def __init__(self, registry: MetricRegistry, *, graphiql: bool) -> None:
        self.registry = registry
        self.runner = OperationRunner(build_schema())
        self.graphiql = graphiql_page() if graphiql else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.respond(request)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        method = request.method
        if method == "POST":
            operation = from_body(request.headers.get("content-type"), await request.body())
        elif method == "GET":
            if wants_graphiql(request):
                return self.graphiql_page()
            operation = from_query_params(request.query_params)
        else:
            raise HTTPException(405)
        context = {"request": request, "registry": self.registry}
        body = await self.runner.run(operation, context, method=method)
        return Response(encode(body), media_type=JSON_TYPE)

    def graphiql_page(self) -> Response:
        if self.graphiql is None:
            raise HTTPException(404)
        return self.graphiql.response()


def graphql_routes(registry: MetricRegistry, *, graphiql: bool) -> list[BaseRoute]:
    endpoint = GraphQLEndpoint(registry, graphiql=graphiql)
    return [
        Route("/graphql", endpoint, methods=["GET", "POST"]),
        Route("/graphql/", endpoint, methods=["GET", "POST"]),
    ]
