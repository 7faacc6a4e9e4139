"""The REST face: ``/api/metrics…`` (SPEC §6), a thin translation of ``MetricRegistry``.

Each endpoint is a small ASGI app that dispatches on the method itself; whatever it raises
(a core error, a malformed body, a 405) is answered with the envelope by
``graphql_api.edge.answers``. Every core call goes through ``call_core``: on the event loop,
or in a thread when it would wait for SQLite's write lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

from metric_registry import FieldError, MetricRegistry, TokenScope, ValidationError
from metric_registry.models import MetricListing

from ..edge.answers import answer
from ..edge.auth import allows
from ..edge.core_calls import call_core
from ..edge.errors import InsufficientScopeError
from .envelope import page_data, success
from .input import check_json_content_type, decode_object
from .query import query_arguments

Handler = Callable[[Request], Awaitable[Response]]
REST_PREFIX: Final = "/api/"
_READ_METHODS: Final = frozenset({"GET", "HEAD"})


class Endpoint:
    """One path: picks the handler for the method and checks the token's scope."""

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self._handlers = dict(handlers)
        if "GET" in self._handlers:
            self._handlers["HEAD"] = self._handlers["GET"]
        self._allow = {"Allow": ", ".join(sorted(self._handlers))}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self._handlers.get(scope["method"])
        if handler is None:
            raise HTTPException(405, headers=self._allow)
        needed = TokenScope.READ if scope["method"] in _READ_METHODS else TokenScope.WRITE
        if not allows(scope, needed):
            raise InsufficientScopeError(needed)
        response = await handler(Request(scope, receive))
        await response(scope, receive, send)


async def _json_object(request: Request) -> dict[str, object]:
    _no_query(request)
    check_json_content_type(request.headers.get("content-type"))
    return decode_object(await request.body())


class RestFallback(BaseRoute):
    """Every other path under /api/: an enveloped 404 for any method, never a redirect.

    A route, not a ``{path:path}`` pattern: a pattern's ``.`` stops at a newline, and a path
    left unmatched would fall to the router's slash redirect.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["path"].startswith(REST_PREFIX):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await answer(scope, HTTPException(404))(scope, receive, send)


def rest_routes(registry: MetricRegistry) -> list[BaseRoute]:
    """The routes of SPEC §6 over ``registry``, plus an enveloped 404 for the rest of /api/."""

    async def create_metric(request: Request) -> Response:
        metric = await call_core(registry, registry.create_metric, await _json_object(request))
        return success("Metric created", metric)

    async def list_metrics(request: Request) -> Response:
        arguments, refused = query_arguments(MetricListing, request.query_params)
        try:
            page = await call_core(registry, registry.list_metrics, arguments)
        except ValidationError as exc:  # report every bad parameter at once
            raise ValidationError([*refused, *exc.errors]) from None
        if refused:
            raise ValidationError(refused)
        return success("Metrics retrieved", page_data(page))

    async def get_metric(request: Request) -> Response:
        _no_query(request)
        metric = await call_core(registry, registry.get_metric, request.path_params["uid"])
        return success("Metric retrieved", metric)

    async def update_metric(request: Request) -> Response:
        uid: str = request.path_params["uid"]
        changes = await _json_object(request)
        return success(
            "Metric updated", await call_core(registry, registry.update_metric, uid, changes)
        )

    async def delete_metric(request: Request) -> Response:
        _no_query(request)
        uid: str = request.path_params["uid"]
        await call_core(registry, registry.delete_metric, uid)
        return success("Metric deleted", {"uid": uid})

    return [
        Route("/api/metrics", Endpoint({"GET": list_metrics, "POST": create_metric})),
        Route(
            "/api/metrics/{uid}",
            Endpoint({"GET": get_metric, "PATCH": update_metric, "DELETE": delete_metric}),
        ),
        RestFallback(),
    ]


def _no_query(request: Request) -> None:
    """Refuse query parameters where the endpoint reads none (a typo must not pass silently)."""
    if request.scope["query_string"] and request.query_params:
        message = "is not a known query parameter (this endpoint takes none)"
        raise ValidationError(
            [FieldError(name, "unknown_field", message) for name in request.query_params]
        )
