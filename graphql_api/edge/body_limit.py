"""A request-body size limit whose 413 answer speaks the REST envelope under /api/.

Starlette's own ``max_body_size`` answers 413 in plain text, and replaces any response with
that text when the declared ``Content-Length`` is too large, so it cannot be given a body.
This middleware does the same job: refuse a declared oversize body before reading it, and
stop a streamed (chunked) body as soon as it crosses the limit.
"""

from __future__ import annotations

from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..rest.envelope import entry, failure

REST_PREFIX = "/api/"


class BodyTooLargeError(Exception):
    """Raised from ``receive`` once a streamed body crosses the limit."""

    def __init__(self, max_body_size: int) -> None:
        super().__init__(f"request body over {max_body_size} bytes")
        self.max_body_size = max_body_size


def too_large_envelope(max_body_size: int) -> Response:
    message = f"the request body is larger than {max_body_size} bytes"
    return failure(413, message, [entry("body", "too_large", message)])


def too_large_response(scope: Scope, max_body_size: int) -> Response:
    """The 413 answer: the REST envelope under /api/, Starlette's plain text elsewhere."""
    if str(scope.get("path", "")).startswith(REST_PREFIX):
        return too_large_envelope(max_body_size)
    return PlainTextResponse("Content Too Large", status_code=413)


class BodyLimitMiddleware:
    """Refuse HTTP request bodies over ``max_body_size`` bytes with 413."""

    def __init__(self, app: ASGIApp, max_body_size: int) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_size
        if _declared_length(scope) > limit:
            await too_large_response(scope, limit)(scope, receive, send)
            return
        received = 0
        response_started = False

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def send_tracking_start(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive_within_limit, send_tracking_start)
        except BodyTooLargeError:
            if response_started:
                raise
            await too_large_response(scope, limit)(scope, receive, send)


def _declared_length(scope: Scope) -> int:
    """The ``Content-Length`` header as a number (0 when absent or unreadable)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            digits = value.strip()
            if not digits.isdigit():
                return 0
            return int(digits) if len(digits) <= 18 else 10**18
    return 0
