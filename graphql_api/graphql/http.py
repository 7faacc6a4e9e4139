"""Reading a GraphQL-over-HTTP request: a JSON body (POST) or query parameters (GET).

The refusals keep the statuses and wording of strawberry's HTTP view, which served
``/graphql`` before; each is a ``BadRequestError``, answered as a GraphQL error body with
``extensions.code = "BAD_REQUEST"`` (``graphql_api.edge.answers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from ..edge.errors import BadRequestError
from ..edge.strict_json import strict_loads

JSON_MEDIA_TYPE: Final = "application/json"


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
        raise BadRequestError(400, "Unable to parse request body as JSON") from error


def is_json(content_type: str | None) -> bool:
    """True for a JSON body; media types are case-insensitive (RFC 9110, 8.3.1)."""
    if content_type is None:
        return False
    return JSON_MEDIA_TYPE in content_type.partition(";")[0].strip().lower()


def from_body(content_type: str | None, body: bytes) -> OperationRequest:
    """The operation of a POST: a JSON object; a JSON list (a batch) is refused."""
    if not is_json(content_type):
        raise BadRequestError(400, "Unsupported content type")
    data = decode_json(body)
    if isinstance(data, list):
        raise BadRequestError(400, "Batching is not enabled")
    if not isinstance(data, dict):
        raise BadRequestError(400, "The request body must be a JSON object")
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
        raise BadRequestError(
            400, "The GraphQL operation's `query` must be a string or null, if provided."
        )
    variables = data.get("variables")
    if not isinstance(variables, dict | None):
        raise BadRequestError(
            400, "The GraphQL operation's `variables` must be an object or null, if provided."
        )
    extensions = data.get("extensions")
    if not isinstance(extensions, dict | None):
        raise BadRequestError(
            400, "The GraphQL operation's `extensions` must be an object or null, if provided."
        )
    if not query:
        raise BadRequestError(400, "No GraphQL query found in the request")
    operation_name = data.get("operationName")
    if not isinstance(operation_name, str | None):
        raise BadRequestError(
            400, "The GraphQL operation's `operationName` must be a string or null, if provided."
        )
    return OperationRequest(query, variables, operation_name, extensions)
