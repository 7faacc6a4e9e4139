"""Every error of every phase, answered in the face's own format: one table per face.

``/graphql`` answers GraphQL error bodies, ``{"errors": [{"message", "extensions": {"code"}}]}``
(GraphQL-over-HTTP allows a JSON body with a request error's status); every other path, the
REST envelope ``{"status": "error", "status_code", "message", "errors": [{"field", "code",
"message"}]}``. An error type is looked up along its MRO, as Starlette's ``exception_handlers``
are; ``Exception`` is the unexpected, logged with its traceback and answered 500 without detail.

``ErrorMiddleware`` is the outermost middleware: whatever a middleware, the router or a handler
raises before the response started is answered here, so nothing answers ``text/plain``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import pydantic_core
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from metric_registry import (
    ConflictError,
    DatabaseBusyError,
    FieldError,
    MetricRegistryError,
    NotFoundError,
    ValidationError,
)
from metric_registry.errors import ECHO_LIMIT, shown

from .errors import BadRequestError, BodyTooLargeError, InsufficientScopeError, UnauthenticatedError

MAX_MESSAGE_CHARS: Final = 300
GRAPHQL_PATHS: Final = frozenset({"/graphql", "/graphql/"})
JSON_MEDIA_TYPE: Final = "application/json"
REALM: Final = 'Bearer realm="metric-registry"'
RETRY_AFTER: Final = {"Retry-After": "1"}
UNEXPECTED_MESSAGE: Final = "Unexpected error."
REST_UNEXPECTED_MESSAGE: Final = "internal error: the request could not be completed"
DISCONNECTED_MESSAGE: Final = "the client disconnected before sending the whole body"
GRAPHQL_METHODS_MESSAGE: Final = "GraphQL only supports GET and POST requests."
GRAPHQL_ALLOW: Final = {"Allow": "GET, POST"}

logger = logging.getLogger("graphql_api")


class JSONBytesResponse(Response):
    """A response whose body is already JSON bytes."""

    media_type = JSON_MEDIA_TYPE


def is_graphql(scope: Scope) -> bool:
    return scope.get("path") in GRAPHQL_PATHS


def brief(text: str) -> str:
    """Client text shown as a name (a field, a parameter): at most about ECHO_LIMIT characters."""
    return text if len(text) <= ECHO_LIMIT else f"{text[: ECHO_LIMIT - 1]}…"


def shortened(message: str) -> str:
    """A message cut to MAX_MESSAGE_CHARS: the last guard against a message that repeats long
    client text (graphql-core's name a field or token of the document in full)."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"{message[: MAX_MESSAGE_CHARS - 1]}… ({len(message)} characters)"


def challenge(error: str | None = None) -> str:
    """A ``WWW-Authenticate`` value (RFC 6750)."""
    return f'{REALM}, error="{error}"' if error else REALM


# -- the REST envelope ----------------------------------------------------------------------


def entry(field: str, code: str, message: str) -> FieldError:
    """An error entry outside the core's field codes (``malformed_json``, ``not_found``…)."""
    return FieldError(field, code, message)  # type: ignore[arg-type]


def failure(
    status_code: int,
    message: str,
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error envelope; each entry names a field, a stable code and a reason (both cut)."""
    body = {
        "status": "error",
        "status_code": status_code,
        "message": message,
        "errors": [
            {"field": brief(error.field), "code": error.code, "message": shortened(error.message)}
            for error in errors
        ],
    }
    return JSONBytesResponse(pydantic_core.to_json(body), status_code, headers=headers)


def _invalid(exc: ValidationError, scope: Scope) -> Response:
    # The core's summary repeats each field name and reason, which may hold client text.
    summary = "; ".join(f"{brief(error.field)}: {shortened(error.message)}" for error in exc.errors)
    return failure(422, f"invalid input: {summary}", exc.errors)


def _uid_entry(exc: NotFoundError | ConflictError) -> FieldError:
    return entry("uid", exc.code, exc.message)


def _http_error(exc: HTTPException, scope: Scope) -> Response:
    """The router's (and the endpoints') 404 and 405."""
    if exc.status_code == 404:
        message = f"no endpoint at {shown(scope['path'])}"
        return failure(404, message, [entry("path", "not_found", message)], exc.headers)
    if exc.status_code == 405:
        allowed = ", ".join(sorted((exc.headers or {}).get("Allow", "").split(", ")))
        message = f"method {shown(scope['method'])} is not allowed here; allowed: {allowed}"
        entries = [entry("method", "method_not_allowed", message)]
        return failure(405, message, entries, {"Allow": allowed})
    return failure(exc.status_code, exc.detail, headers=exc.headers)


def _unauthenticated(exc: UnauthenticatedError, scope: Scope) -> Response:
    return failure(401, exc.message, headers=_authenticate_header(exc))


def _authenticate_header(exc: UnauthenticatedError) -> dict[str, str]:
    return {"WWW-Authenticate": challenge("invalid_token" if exc.token_given else None)}


def _insufficient_scope(exc: InsufficientScopeError, scope: Scope) -> Response:
    return failure(
        403,
        exc.message,
        [entry("token", "insufficient_scope", exc.message)],
        headers={"WWW-Authenticate": challenge("insufficient_scope")},
    )


RestAnswer = Callable[[Any, Scope], Response]
REST_ANSWERS: Final[Mapping[type[BaseException], RestAnswer]] = {
    ValidationError: _invalid,
    NotFoundError: lambda exc, scope: failure(
        404, exc.message, [entry("uid", exc.code, exc.message)]
    ),
    ConflictError: lambda exc, scope: failure(
        409, exc.message, [entry("uid", exc.code, exc.message)]
    ),
    DatabaseBusyError: lambda exc, scope: failure(
        503, exc.message, [entry("database", exc.code, exc.message)], RETRY_AFTER
    ),
    BadRequestError: lambda exc, scope: failure(
        exc.status_code, exc.message, [entry(exc.field, exc.code, exc.message)]
    ),
    BodyTooLargeError: lambda exc, scope: failure(
        413, exc.message, [entry("body", "too_large", exc.message)]
    ),
    ClientDisconnect: lambda exc, scope: failure(400, DISCONNECTED_MESSAGE),
    UnauthenticatedError: _unauthenticated,
    InsufficientScopeError: _insufficient_scope,
    HTTPException: _http_error,
    Exception: lambda exc, scope: failure(500, REST_UNEXPECTED_MESSAGE),
}


# -- GraphQL error bodies -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphQLFailure:
    """A GraphQL error outside execution: its HTTP status, message and ``extensions.code``."""

    status_code: int
    message: str
    code: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        error = {"message": self.message, "extensions": {"code": self.code}}
        body = pydantic_core.to_json({"errors": [error]})
        return JSONBytesResponse(body, self.status_code, headers=self.headers)


def _graphql_http_error(exc: HTTPException, scope: Scope) -> GraphQLFailure:
    if exc.status_code == 405:
        return GraphQLFailure(405, GRAPHQL_METHODS_MESSAGE, "METHOD_NOT_ALLOWED", GRAPHQL_ALLOW)
    if exc.status_code == 404:
        return GraphQLFailure(404, f"no endpoint at {shown(scope.get('path'))}", "NOT_FOUND")
    return GraphQLFailure(exc.status_code, exc.detail, "BAD_REQUEST", exc.headers or {})


GraphQLAnswer = Callable[[Any, Scope], GraphQLFailure]
GRAPHQL_ANSWERS: Final[Mapping[type[BaseException], GraphQLAnswer]] = {
    BadRequestError: lambda exc, scope: GraphQLFailure(exc.status_code, exc.message, "BAD_REQUEST"),
    BodyTooLargeError: lambda exc, scope: GraphQLFailure(413, exc.message, "PAYLOAD_TOO_LARGE"),
    ClientDisconnect: lambda exc, scope: GraphQLFailure(400, DISCONNECTED_MESSAGE, "BAD_REQUEST"),
    UnauthenticatedError: lambda exc, scope: GraphQLFailure(
        401, exc.message, "UNAUTHENTICATED", _authenticate_header(exc)
    ),
    DatabaseBusyError: lambda exc, scope: GraphQLFailure(
        503, exc.message, "DATABASE_BUSY", RETRY_AFTER
    ),
    # Another refusal of the core that a resolver did not turn into a union member or null.
    MetricRegistryError: lambda exc, scope: GraphQLFailure(500, exc.message, exc.code.upper()),
    HTTPException: _graphql_http_error,
    Exception: lambda exc, scope: GraphQLFailure(500, UNEXPECTED_MESSAGE, "INTERNAL_SERVER_ERROR"),
}


def _lookup(table: Mapping[type[BaseException], Any], exc: BaseException) -> tuple[type, Any]:
    for kind in type(exc).__mro__:
        found = table.get(kind)
        if found is not None:
            return kind, found
    return Exception, table[Exception]


def log_unexpected(scope: Scope, exc: BaseException) -> None:
    method, path = scope.get("method", "-"), shown(scope.get("path", ""))
    logger.error("unexpected error in %s %s", method, path, exc_info=exc)


def graphql_failure(exc: BaseException, scope: Scope) -> tuple[bool, GraphQLFailure]:
    """Whether ``exc`` is unexpected, and how GraphQL shows it (also as a field's error)."""
    kind, respond = _lookup(GRAPHQL_ANSWERS, exc)
    return kind is Exception, respond(exc, scope)


def answer(scope: Scope, exc: BaseException) -> Response:
    """The answer to ``exc`` in the format of the face ``scope`` asked for."""
    if is_graphql(scope):
        unexpected, failed = graphql_failure(exc, scope)
        response = failed.response()
    else:
        kind, respond = _lookup(REST_ANSWERS, exc)
        unexpected, response = kind is Exception, respond(exc, scope)
    if unexpected:
        log_unexpected(scope, exc)
    return response


async def http_exception_handler(request: Any, exc: Exception) -> Response:
    """For Starlette's ``exception_handlers``: the router's 404 and 405, answered by the table."""
    return answer(request.scope, exc)


class ErrorMiddleware:
    """The outermost middleware: an exception raised before the response started is answered
    in the face's format (after that, there is nothing left to answer: it propagates)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_start)
        except Exception as exc:
            if started:
                raise
            await answer(scope, exc)(scope, receive, send)
