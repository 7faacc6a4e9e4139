"""The GraphiQL page: a small HTML template over the pinned assets in ``graphql_api/static``.

It loads React, ReactDOM and GraphiQL from ``/static`` (this server, never a CDN) and runs
``graphiql.js`` inline, allowed by its hash in the page's Content-Security-Policy.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from .policy import Page


def _read(name: str) -> str:
    return files("graphql_api.pages").joinpath(name).read_text(encoding="utf-8")


@cache
def graphiql_page() -> Page:
    script = _read("graphiql.js")
    html = _read("graphiql.html").replace("{script}", script)
    return Page(html, script)
