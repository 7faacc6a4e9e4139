"""The limits on a GraphQL document, checked once per distinct document."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Final

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from graphql.validation import specified_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.schema import validate_document

MAX_DEPTH: Final = 10
MAX_ALIASES: Final = 20
MAX_TOKENS: Final = 5_000
CACHED_DOCUMENTS: Final = 256
CACHED_TEXT_CHARS: Final = 64 * 1024

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
