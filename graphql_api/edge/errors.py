"""The transport's own refusals, raised (or answered) in any phase of a request.

Like the core's errors they carry data, never a body: ``answers`` turns each into the
face's own format. The core's errors (``metric_registry.errors``) are answered there too.
"""

from __future__ import annotations

from metric_registry import TokenScope


class BadRequestError(Exception):
    """The request is not what the endpoint reads (400, 415…); ``field`` and ``code`` say why."""

    def __init__(
        self, status_code: int, message: str, *, field: str = "body", code: str = "bad_request"
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.field = field
        self.code = code


class BodyTooLargeError(Exception):
    """A declared or streamed request body over the limit."""

    def __init__(self, max_body_size: int) -> None:
        self.max_body_size = max_body_size
        self.message = f"the request body is larger than {max_body_size} bytes"
        super().__init__(self.message)


class UnauthenticatedError(Exception):
    """No token, a malformed ``Authorization`` header, or a token that is unknown or revoked."""

    def __init__(self, message: str, *, token_given: bool) -> None:
        super().__init__(message)
        self.message = message
        self.token_given = token_given


class InsufficientScopeError(Exception):
    """A live token without the scope the request needs."""

    def __init__(self, needed: TokenScope) -> None:
        self.needed = needed
        self.message = f"this token lacks the {needed.value!r} scope"
        super().__init__(self.message)
