"""``create_app``: the Starlette application serving GraphQL, REST and a health check."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Final

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from metric_registry import MetricRegistry

from .edge.answers import ErrorMiddleware, http_exception_handler
from .edge.auth import BearerAuthMiddleware
from .edge.body_limit import BodyLimitMiddleware
from .graphql.endpoint import graphql_routes
from .rest.docs import docs_routes
from .rest.endpoints import rest_routes

MAX_BODY_BYTES: Final = 1024 * 1024
STATIC_DIRECTORY: Final = Path(__file__).resolve().parent / "static"


def create_app(registry: MetricRegistry, *, graphiql: bool = True) -> Starlette:
    """Serve ``registry``: ``/graphql``, ``/api/…``, and open: ``/healthz``, the REST API's
    description (``/openapi.json``, ``/docs``) and the browser assets (``/static/…``)."""

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        *graphql_routes(registry, graphiql=graphiql),
        *rest_routes(registry),
        *docs_routes(),
        Mount("/static", StaticFiles(directory=STATIC_DIRECTORY), name="static"),  # pinned assets
    ]
    middleware = [
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
