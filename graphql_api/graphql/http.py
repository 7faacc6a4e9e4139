"""Reading a GraphQL-over-HTTP request: a JSON body (POST) or query parameters (GET).

The refusals keep the statuses and wording of strawberry's HTTP view, which served
``/graphql`` before: a malformed request is a 400 in plain text, never a GraphQL error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..edge.strict_json import strict_loads

JSON_MEDIA_TYPE: Final = "application/json"


class RequestError(Exception):
    """A request that is not a GraphQL operation: answered with ``status`` and ``reason``."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class OperationRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    extensions: dict[str, Any] | None


def decode_json(text: str | bytes) -> Any:
    try:
        return strict_loads(text)
    except (ValueError, RecursionError) as error:  # also bad UTF-8, and nesting too deep
        raise RequestError(400, "Unable to parse request body as JSON") from error


def is_json(content_type: str | None) -> bool:
    """True for a JSON body; media types are case-insensitive (RFC 9110, 8.3.1)."""
    if content_type is None:
        return False
    return JSON_MEDIA_TYPE in content_type.partition(";")[0].strip().lower()


def from_body(content_type: str | None, body: bytes) -> OperationRequest:
    """The operation of a POST: a JSON object; a JSON list (a batch) is refused."""
    if not is_json(content_type):
        raise RequestError(400, "Unsupported content type")
    data = decode_json(body)
    if isinstance(data, list):
        raise RequestError(400, "Batching is not enabled")
    if not isinstance(data, dict):
        raise RequestError(400, "The request body must be a JSON object")
    return _operation(data)


def from_query_params(params: Mapping[str, str]) -> OperationRequest:
    """The operation of a GET: ``query``, ``variables`` and ``extensions`` as JSON text."""
    data: dict[str, Any] = dict(params)
    for name in ("variables", "extensions"):
        if data.get(name):
            data[name] = decode_json(data[name])
    return _operation(data)


def _operation(data: dict[str, Any]) -> OperationRequest:
    query = data.get("query")
    if not isinstance(query, str | None):
        raise RequestError(
            400, "The GraphQL operation's `query` must be a string or null, if provided."
        )
    variables = data.get("variables")
    if not isinstance(variables, dict | None):
        raise RequestError(
            400, "The GraphQL operation's `variables` must be an object or null, if provided."
        )
    extensions = data.get("extensions")
    if not isinstance(extensions, dict | None):
        raise RequestError(
            400, "The GraphQL operation's `extensions` must be an object or null, if provided."
        )
    if not query:
        raise RequestError(400, "No GraphQL query found in the request")
    operation_name = data.get("operationName")
    if not isinstance(operation_name, str | None):
        raise RequestError(
            400, "The GraphQL operation's `operationName` must be a string or null, if provided."
        )
    return OperationRequest(query, variables, operation_name, extensions)
