"""The access log: one line a request, ``GET /api/metrics 200 1.4ms``, on ``graphql_api.access``.

Method, path, status and the time until the answer was sent; never a header, never the query
string (neither reaches the log, so neither can leak a token from there), and a path is
percent-encoded (no control characters, no line breaks), shortened, and anything in it shaped
like a token (``mr_`` and 40 or more token characters) shown as ``mr_***``. The outermost
middleware, so the status is the one the client got, whichever phase answered.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Final
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from metric_registry.tokens import PREFIX

LOGGER_NAME: Final = "graphql_api.access"
PATH_LIMIT: Final = 300
_SAFE: Final = "/:@!$&'()*+,;=-._~%"
_TOKEN_SHAPED: Final = re.compile(re.escape(PREFIX) + r"[A-Za-z0-9_-]{40,}")

logger = logging.getLogger(LOGGER_NAME)


def shown_path(path: str) -> str:
    """``path`` fit for one log line."""
    shown = _TOKEN_SHAPED.sub(PREFIX + "***", quote(path, safe=_SAFE))
    return shown if len(shown) <= PATH_LIMIT else shown[:PATH_LIMIT] + "…"


class AccessLogMiddleware:
    """Logs each HTTP request once it has been answered (or has failed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app fails before its answer

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if logger.isEnabledFor(logging.INFO):
                elapsed_ms = (time.perf_counter() - started) * 1000
                method, path = scope["method"], shown_path(scope["path"])
                logger.info("%s %s %d %.1fms", method, path, status, elapsed_ms)


class AccessLogFormatter(logging.Formatter):
    """``2026-11-01T10:15:00Z GET /graphql 200 3.1ms``: UTC, to the second."""

    @staticmethod
    def converter(seconds: float | None) -> time.struct_time:
        return time.gmtime(seconds)

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%SZ")
