"""``sdl``: the printed GraphQL schema (kept here for ``metric-registry schema``)."""

from .graphql.schema import sdl

__all__ = ["sdl"]
