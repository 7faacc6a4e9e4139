"""The headers of every page: a Content-Security-Policy that lets a page load from its own
origin only, so that nothing can be fetched from another host, even by accident."""

from __future__ import annotations

import base64
import hashlib
from typing import Final

from starlette.responses import HTMLResponse

# Styles: GraphiQL and CodeMirror set inline styles. Fonts: the GraphiQL CSS embeds its own.
_BASE_POLICY: Final = (
    "default-src 'none'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
)


def script_hash(script: str) -> str:
    """The CSP source that allows exactly this inline ``<script>``."""
    digest = hashlib.sha256(script.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def content_security_policy(*inline_scripts: str) -> str:
    scripts = " ".join(["'self'", *(script_hash(script) for script in inline_scripts)])
    return "; ".join([*_BASE_POLICY, f"script-src {scripts}"])


def page_headers(*inline_scripts: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(*inline_scripts),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


class Page:
    """A page built once: its HTML and its headers, answered as often as asked."""

    def __init__(self, html: str, *inline_scripts: str) -> None:
        self.html = html
        self.headers = page_headers(*inline_scripts)

    def response(self) -> HTMLResponse:
        return HTMLResponse(self.html, headers=self.headers)
