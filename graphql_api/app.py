"""``create_app``: the Starlette application serving GraphQL, REST, its pages and a health check."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from metric_registry import MetricRegistry

from .edge.access_log import AccessLogMiddleware
from .edge.answers import ErrorMiddleware, http_exception_handler
from .edge.auth import BearerAuthMiddleware
from .edge.body_limit import BodyLimitMiddleware
from .graphql.endpoint import graphql_routes
from .pages import landing_endpoint, served_places
from .rest.docs import docs_routes
from .rest.endpoints import rest_routes

MAX_BODY_BYTES: Final = 1024 * 1024


def create_app(
    registry: MetricRegistry, *, graphiql: bool = True, access_log: bool = False
) -> Starlette:
    """Serve ``registry``: ``/graphql``, ``/api/…``, and open ``/``, ``/static/…``, ``/healthz``
    and the REST API's description (``/openapi.json``, ``/docs``). With ``access_log``, one
    line a request on the ``graphql_api.access`` logger (``metric-registry serve`` turns it on;
    an embedding ASGI server has its own)."""

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("graphql_api", "static")]), name="static"),
        *graphql_routes(registry, graphiql=graphiql),
        *rest_routes(registry),
        *docs_routes(),
    ]
    routes.insert(0, Route("/", landing_endpoint(served_places(routes, graphiql=graphiql))))
    middleware = [
        *([Middleware(AccessLogMiddleware)] if access_log else []),  # sees the final status
        Middleware(ErrorMiddleware),  # first: it answers whatever the others raise
        Middleware(BodyLimitMiddleware, max_body_size=MAX_BODY_BYTES),
        Middleware(BearerAuthMiddleware, registry=registry),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        registry.close()  # the event loop thread's connection, which served every request

    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={HTTPException: http_exception_handler},  # the router's 404, 405
        lifespan=lifespan,
    )
