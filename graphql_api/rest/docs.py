"""The REST face's description: ``GET /openapi.json`` (OpenAPI 3.1) and ``GET /docs`` (Swagger UI).

Both are open, like ``/healthz``: they hold no data. The page loads only the server's own
assets (``/static/``, vendored in ``graphql_api/static``) and contacts no other host: Swagger
UI's validator badge is off (``validatorUrl: null``), and the page's Content-Security-Policy
lets the browser fetch from this origin alone.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Final

import pydantic_core
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from ..edge.answers import JSONBytesResponse
from .openapi import openapi_document

STATIC_PREFIX: Final = "/static/"
OPENAPI_PATH: Final = "/openapi.json"
DOCS_PATH: Final = "/docs"
_INIT: Final = (
    'SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null, '
    "deepLinking: true});"
)
DOCS_HTML: Final = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>metric-registry REST API</title>
<link rel="stylesheet" href="{STATIC_PREFIX}swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{STATIC_PREFIX}swagger-ui-bundle.js"></script>
<script>{_INIT}</script>
</body>
</html>
"""
_INIT_HASH: Final = base64.b64encode(hashlib.sha256(_INIT.encode()).digest()).decode()
DOCS_POLICY: Final = (
    "default-src 'none'; "
    f"script-src 'self' 'sha256-{_INIT_HASH}'; "
    "style-src 'self' 'unsafe-inline'; "  # Swagger UI (React) sets style attributes
    "img-src 'self' data:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def docs_routes() -> list[BaseRoute]:
    """``/openapi.json`` and ``/docs`` (its assets are the app's ``/static/`` mount)."""
    document = pydantic_core.to_json(openapi_document())

    async def openapi_json(request: Request) -> Response:
        return JSONBytesResponse(document)

    async def docs(request: Request) -> Response:
        return HTMLResponse(DOCS_HTML, headers={"Content-Security-Policy": DOCS_POLICY})

    return [
        Route(OPENAPI_PATH, openapi_json, methods=["GET"]),
        Route(DOCS_PATH, docs, methods=["GET"]),
    ]
