"""The limits on a GraphQL document, checked once per distinct document, and error masking."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Final

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import specified_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.schema import validate_document

from metric_registry import MetricRegistryError

MAX_DEPTH: Final = 10
MAX_ALIASES: Final = 20
MAX_TOKENS: Final = 5_000
CACHED_DOCUMENTS: Final = 256
CACHED_TEXT_CHARS: Final = 64 * 1024
UNEXPECTED_MESSAGE: Final = "Unexpected error."

logger = logging.getLogger("graphql_api")

# GraphQL's own rules, then depth and aliases (strawberry's limiters are validation rules).
RULES: Final = (
    *specified_rules,
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)

Prepared = tuple[DocumentNode, list[GraphQLError]]


def document_cache(schema: GraphQLSchema) -> Callable[[str], Prepared]:
    """Parse (at most MAX_TOKENS tokens) and validate a query text, remembering the last
    CACHED_DOCUMENTS texts: a repeated query costs one dictionary lookup on its text.

    Texts over CACHED_TEXT_CHARS (padded with comments or whitespace, which are not tokens)
    are prepared every time, so the cache holds at most CACHED_DOCUMENTS x that many chars.
    """

    def prepare(query: str) -> Prepared:
        document = parse(query, max_tokens=MAX_TOKENS)
        return document, validate_document(schema, document, RULES)

    cached = functools.lru_cache(maxsize=CACHED_DOCUMENTS)(prepare)

    def prepare_cached(query: str) -> Prepared:
        return cached(query) if len(query) <= CACHED_TEXT_CHARS else prepare(query)

    return prepare_cached


def is_unexpected(error: GraphQLError) -> bool:
    """True for a bug or an outage; GraphQL's own errors and the core's refusals are expected."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | MetricRegistryError)


def log_unexpected(errors: list[GraphQLError]) -> None:
    for error in errors:
        if is_unexpected(error):
            logger.error("unexpected error at %s", error.path, exc_info=error.original_error)


def masked(error: GraphQLError) -> GraphQLError:
    """An unexpected error as the client sees it: a generic message where it happened."""
    if not is_unexpected(error):
        return error
    return GraphQLError(
        UNEXPECTED_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
    )
