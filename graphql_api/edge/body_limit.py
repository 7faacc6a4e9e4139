"""A request-body size limit whose 413 speaks the face's format (``answers``).

Starlette's own ``max_body_size`` answers 413 in plain text, and replaces any response with
that text when the declared ``Content-Length`` is too large, so it cannot be given a body.
This middleware does the same job: refuse a declared oversize body before reading it, and
stop a streamed (chunked) body as soon as it crosses the limit (``BodyTooLargeError`` raised
from ``receive``, answered by the outermost ``ErrorMiddleware``).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .answers import answer
from .errors import BodyTooLargeError


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
            await answer(scope, BodyTooLargeError(limit))(scope, receive, send)
            return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        await self.app(scope, receive_within_limit, send)


def _declared_length(scope: Scope) -> int:
    """The ``Content-Length`` header as a number (0 when absent or unreadable)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            digits = value.strip()
            if not digits.isdigit():
                return 0
            return int(digits) if len(digits) <= 18 else 10**18
    return 0
