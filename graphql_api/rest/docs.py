"""The REST face's description: ``GET /openapi.json`` (OpenAPI 3.1) and ``GET /docs`` (Swagger UI,
``graphql_api.pages.api_docs``). Both are open, like ``/healthz``: they hold no data."""

from __future__ import annotations

from typing import Final

import pydantic_core
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..edge.answers import JSONBytesResponse
from ..pages.api_docs import api_docs_page
from .openapi import openapi_document

OPENAPI_PATH: Final = "/openapi.json"
DOCS_PATH: Final = "/docs"


def docs_routes() -> list[BaseRoute]:
    """``/openapi.json`` and ``/docs`` (its assets are the app's ``/static/`` mount)."""
    document = pydantic_core.to_json(openapi_document())
    page = api_docs_page()

    async def openapi_json(request: Request) -> Response:
        return JSONBytesResponse(document)

    async def docs(request: Request) -> Response:
        return page.response()

    return [
        Route(OPENAPI_PATH, openapi_json, methods=["GET"]),
        Route(DOCS_PATH, docs, methods=["GET"]),
    ]
