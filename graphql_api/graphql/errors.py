"""Errors inside an operation as the client sees them, by the GraphQL table of
``graphql_api.edge.answers``: a core refusal keeps its message with its code
(``DATABASE_BUSY``…), the unexpected is logged with its traceback and shown as
``"Unexpected error."`` (``INTERNAL_SERVER_ERROR``), GraphQL's own errors pass as they are.

Every message is cut (``edge.answers.shortened``): graphql-core's messages repeat names from
the document (a field, an operation, a syntax error's token), which may be long client text.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.schema.base import BaseSchema

from ..edge.answers import graphql_failure, logger, shortened


def presented(error: GraphQLError) -> dict[str, Any]:
    """One entry of a response's ``errors``; field suggestions ("Did you mean …") are cut."""
    BaseSchema.remove_field_suggestion(error)
    formatted: dict[str, Any] = dict(error.formatted)
    original = error.original_error
    if original is not None and not isinstance(original, GraphQLError):
        unexpected, failure = graphql_failure(original, {})
        if unexpected:
            logger.error("unexpected error at %s", error.path, exc_info=original)
        formatted["message"] = failure.message
        formatted["extensions"] = {**formatted.get("extensions", {}), "code": failure.code}
    formatted["message"] = shortened(formatted["message"])
    return formatted
