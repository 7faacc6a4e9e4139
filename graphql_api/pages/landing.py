"""``/``: what is where on this server, as HTML for a browser and JSON for everyone else.

It needs no token and holds no data: the places the app serves, and how to authenticate.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from html import escape
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .policy import Page
from .site import Place

AUTHORIZATION: Final = "Authorization: Bearer <token>"
ISSUE_COMMAND: Final = "metric-registry token create NAME --scope write"
_STYLE: Final = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; line-height: 1.5; color: #222; }
table { border-collapse: collapse; } td, th { padding: .25rem 1rem .25rem 0; text-align: left; }
code, pre { background: #f4f4f4; padding: .1rem .3rem; border-radius: 3px; }
pre { padding: .6rem; overflow-x: auto; }
"""


@cache
def version() -> str:
    try:
        return importlib.metadata.version("metric-registry")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def landing_json(places: Sequence[Place]) -> dict[str, Any]:
    return {
        "service": "metric-registry",
        "version": version(),
        "places": {
            place.key: {"path": place.path, "what": place.what, "needs_token": place.needs_token}
            for place in places
        },
        "authentication": f"{AUTHORIZATION} on /graphql and /api/*",
        "new_token": ISSUE_COMMAND,
    }


def landing_html(places: Sequence[Place], base_url: str) -> str:
    """The page; ``base_url`` (``http://host:port``) makes its examples runnable as shown."""
    rows = "\n".join(
        f'<tr><th>{escape(place.label)}</th><td><a href="{escape(place.path)}">'
        f"<code>{escape(place.path)}</code></a></td><td>{escape(place.what)}</td></tr>"
        for place in places
    )
    graphiql = any(place.key == "graphiql" for place in places)
    graphiql_hint = (
        "<p>In GraphiQL, the token goes in the <b>Headers</b> tab, after "
        '<code>"Bearer "</code>: <code>{"Authorization": "Bearer mr_…"}</code>.</p>'
        if graphiql
        else ""
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>metric-registry</title>
<link rel="icon" href="data:,">
<style>{_STYLE}</style>
</head>
<body>
<h1>metric-registry <small>{escape(version())}</small></h1>
<p>A catalog of metric definitions, served over GraphQL and REST.</p>
<table>
{rows}
</table>
<h2>Tokens</h2>
<p>Every request to <code>/graphql</code> and <code>/api/*</code> carries
<code>{escape(AUTHORIZATION)}</code>. On its first start, <code>metric-registry serve</code>
issues a write token and prints it once; <code>{escape(ISSUE_COMMAND)}</code> issues another:</p>
<pre>export TOKEN=$({escape(ISSUE_COMMAND)} --db DB)
curl -H "Authorization: Bearer $TOKEN" {escape(base_url)}/api/metrics</pre>
{graphiql_hint}
</body>
</html>
"""


def landing_endpoint(places: Sequence[Place]) -> Callable[[Request], Awaitable[Response]]:
    """The endpoint of ``/``: HTML when the client takes it, else JSON."""
    document = landing_json(places)

    async def landing(request: Request) -> Response:
        if "text/html" in request.headers.get("accept", ""):
            base_url = str(request.base_url).rstrip("/")
            return Page(landing_html(places, base_url)).response()
        return JSONResponse(document)

    return landing
