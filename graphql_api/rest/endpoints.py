"""The REST face: ``/api/metrics…`` (SPEC §6), a thin translation of ``MetricRegistry``.

Each endpoint is a small ASGI app that dispatches on the method itself, so that every
answer, including 404 and 405, carries the REST envelope. Handlers call the core directly
on the event loop: its calls are short, and a threadpool hop costs more than they do.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from starlette.datastructures import URLPath
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound, Route
from starlette.types import Receive, Scope, Send

from metric_registry import (
    ConflictError,
    FieldError,
    MetricRegistry,
    NotFoundError,
    ValidationError,
)

from ..edge.auth import READ, WRITE, challenge
from ..edge.body_limit import REST_PREFIX, BodyTooLargeError, too_large_envelope
from .envelope import conflict, entry, failure, invalid, not_found, page_data, success
from .input import BadRequestError, check_json_content_type, decode_object, listing_arguments

Handler = Callable[[Request], Awaitable[Response]]
logger = logging.getLogger(__name__)

_READ_METHODS: Final = frozenset({"GET", "HEAD"})


class Endpoint:
    """One path: picks the handler for the method, checks the scope, maps core errors."""

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self._handlers = dict(handlers)
        if "GET" in self._handlers:
            self._handlers["HEAD"] = self._handlers["GET"]
        self._allow = ", ".join(sorted(self._handlers))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        handler = self._handlers.get(request.method)
        if handler is None:
            return self._method_not_allowed(request.method)
        needed = READ if request.method in _READ_METHODS else WRITE
        if needed not in request.auth.scopes:
            return _insufficient_scope(needed)
        try:
            return await handler(request)
        except Exception as exc:  # every answer is enveloped; the unexpected is logged
            return _error_response(request, exc)

    def _method_not_allowed(self, method: str) -> Response:
        message = f"method {method} is not allowed here; allowed: {self._allow}"
        return failure(
            405,
            message,
            [entry("method", "method_not_allowed", message)],
            headers={"Allow": self._allow},
        )


def _bad_request(exc: BadRequestError) -> Response:
    return failure(exc.status_code, exc.message, [entry(exc.field, exc.code, exc.message)])


def _too_large(exc: BodyTooLargeError) -> Response:
    return too_large_envelope(exc.max_body_size)


def _disconnected(exc: ClientDisconnect) -> Response:
    return failure(400, "the client disconnected before sending the whole body")


_EXPECTED: Final[tuple[tuple[type[Exception], Callable[[Any], Response]], ...]] = (
    (ValidationError, invalid),
    (NotFoundError, not_found),
    (ConflictError, conflict),
    (BadRequestError, _bad_request),
    (BodyTooLargeError, _too_large),
    (ClientDisconnect, _disconnected),
)


def _error_response(request: Request, exc: Exception) -> Response:
    for kind, translate in _EXPECTED:
        if isinstance(exc, kind):
            return translate(exc)
    logger.exception("unexpected error in %s %s", request.method, request.url.path)
    return failure(500, "internal error: the request could not be completed")


def _insufficient_scope(needed: str) -> Response:
    message = f"this token lacks the {needed!r} scope"
    return failure(
        403,
        message,
        [entry("token", "insufficient_scope", message)],
        headers={"WWW-Authenticate": challenge("insufficient_scope")},
    )


async def _json_object(request: Request) -> dict[str, object]:
    _no_query(request)
    check_json_content_type(request.headers.get("content-type"))
    return decode_object(await request.body())


class RestFallback(BaseRoute):
    """Every other path under /api/: an enveloped 404 for any method, never a redirect.

    A route, not a ``{path:path}`` pattern: a pattern's ``.`` stops at a newline, and a path
    left unmatched would fall to the router's slash redirect or its plain-text 404.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and scope["path"].startswith(REST_PREFIX):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"no endpoint at {scope['path']}"
        await failure(404, message, [entry("path", "not_found", message)])(scope, receive, send)


def rest_routes(registry: MetricRegistry) -> list[BaseRoute]:
    """The routes of SPEC §6 over ``registry``, plus an enveloped 404 for the rest of /api/."""

    async def create_metric(request: Request) -> Response:
        metric = registry.create_metric(await _json_object(request))
        return success("Metric created", metric)

    async def list_metrics(request: Request) -> Response:
        arguments, refused = listing_arguments(request.query_params)
        try:
            page = registry.list_metrics(**arguments)
        except ValidationError as exc:  # report every bad parameter at once
            raise ValidationError([*refused, *exc.errors]) from None
        if refused:
            raise ValidationError(refused)
        return success("Metrics retrieved", page_data(page))

    async def get_metric(request: Request) -> Response:
        _no_query(request)
        return success("Metric retrieved", registry.get_metric(request.path_params["uid"]))

    async def update_metric(request: Request) -> Response:
        uid: str = request.path_params["uid"]
        metric = registry.update_metric(uid, await _json_object(request))
        return success("Metric updated", metric)

    async def delete_metric(request: Request) -> Response:
        _no_query(request)
        uid: str = request.path_params["uid"]
        registry.delete_metric(uid)
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
