"""What every REST endpoint shares: dispatch by method with the scope check, the enveloped 404
for the rest of /api/, reading a JSON body or a listing's query string.

Each endpoint is a small ASGI app that dispatches on the method itself; whatever it raises
(a core error, a malformed body, a 405) is answered with the envelope by
``graphql_api.edge.answers``. Every core call goes through ``call_core``: on the event loop,
or in a thread when it would wait for SQLite's write lock.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any, Final, TypeVar

from pydantic import BaseModel
from starlette.datastructures import URLPath
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

from metric_registry import FieldError, MetricRegistry, TokenScope, ValidationError

from ..edge.answers import answer
from ..edge.auth import allows
from ..edge.core_calls import call_core
from ..edge.errors import InsufficientScopeError
from .input import check_json_content_type, decode_object
from .query import QueryShape

Handler = Callable[[Request], Awaitable[Response]]
REST_PREFIX: Final = "/api/"
_READ_METHODS: Final = frozenset({"GET", "HEAD"})
T = TypeVar("T")


class Endpoint:
    """One path: picks the handler for the method and checks the token's scope."""

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self._handlers = dict(handlers)
        if "GET" in self._handlers:
            self._handlers["HEAD"] = self._handlers["GET"]
        self.methods = frozenset(self._handlers)
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


async def json_object(
    request: Request, *, from_path: Collection[str] = (), optional: bool = False
) -> dict[str, Any]:
    """The request's JSON object body (no query string). Fields named in ``from_path`` are
    the path's to give; ``optional``: an empty body reads as ``{}``."""
    no_query(request)
    body = await request.body()
    if optional and not body.strip():
        return {}
    check_json_content_type(request.headers.get("content-type"))
    fields = decode_object(body)
    refused = [
        FieldError(name, "unknown_field", "is given by the path")
        for name in fields
        if name in from_path
    ]
    if refused:
        raise ValidationError(refused)
    return fields


def body_fields(fields: Mapping[str, Any], model: type[BaseModel]) -> None:
    """Refuse a body whose names are not those of the documented body ``model`` (a required
    one missing, an unknown one given); what the values may be is for the core to say."""
    known = {info.alias or name: info for name, info in model.model_fields.items()}
    errors = [
        FieldError(
            name, "unknown_field", f"is not a known field (known fields: {', '.join(known)})"
        )
        for name in fields
        if name not in known
    ]
    errors += [
        FieldError(name, "required", "is required")
        for name, info in known.items()
        if info.is_required() and name not in fields
    ]
    if errors:
        raise ValidationError(errors)


async def read_page(
    registry: MetricRegistry,
    function: Callable[..., T],
    shape: QueryShape,
    request: Request,
    *path_arguments: object,
) -> T:
    """``function(*path_arguments, query)`` with the query string read by ``shape``; every
    bad parameter is reported at once, named as the client wrote it."""
    arguments, refused = shape.arguments(request.query_params)
    try:
        page = await call_core(registry, function, *path_arguments, arguments)
    except ValidationError as exc:
        raise ValidationError([*refused, *shape.shown(exc.errors)]) from None
    if refused:
        raise ValidationError(refused)
    return page


def no_query(request: Request) -> None:
    """Refuse query parameters where the endpoint reads none (a typo must not pass silently)."""
    if request.scope["query_string"] and request.query_params:
        message = "is not a known query parameter (this endpoint takes none)"
        raise ValidationError(
            [FieldError(name, "unknown_field", message) for name in request.query_params]
        )
