"""The REST API's page: Swagger UI over ``/openapi.json``, from the pinned assets of
``graphql_api/static``.

It loads Swagger UI from ``/static`` (this server, never a CDN), runs ``api_docs.js`` inline
(allowed by its hash in the page's Content-Security-Policy), and contacts no other host: the
validator badge, which would send the document to a public validator, is off
(``validatorUrl: null``).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from .policy import Page


def _read(name: str) -> str:
    return files("graphql_api.pages").joinpath(name).read_text(encoding="utf-8")


@cache
def api_docs_page() -> Page:
    script = _read("api_docs.js")
    html = _read("api_docs.html").replace("{script}", script)
    return Page(html, script)
