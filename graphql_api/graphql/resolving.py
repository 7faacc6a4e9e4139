"""What every resolver shares: the call into the core, the GraphQL names of core fields, and
a bad argument of a query as a top-level error.

A resolver returns its result, or an awaitable of it when the call must wait for SQLite's
write lock (graphql-core awaits that field alone; strawberry's exception handlers still turn
the core's errors into union members, since they await an awaitable result too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Final, TypeVar, cast

import strawberry
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

import metric_registry as core

from ..edge.core_calls import call_core_or_defer

BAD_USER_INPUT: Final = "BAD_USER_INPUT"
# A core field whose GraphQL name is not its camelCase: the wire name of a value's metadata.
_RENAMED: Final = {core.MetricValue.model_fields["metadata"].serialization_alias: "metadata"}
_INDEX: Final = re.compile(r"\[(\d+)\]")
T = TypeVar("T")


def on_core(info: strawberry.Info, call: Callable[[core.MetricRegistry], T]) -> T:
    """``call(registry)`` now, or (when it would wait for SQLite's write lock) an awaitable of
    its result from the threadpool, which graphql-core awaits for this field alone (see
    ``graphql_api.edge.core_calls``). To the schema's types the field's value is a ``T``."""
    registry: core.MetricRegistry = info.context["registry"]
    return cast("T", call_core_or_defer(registry, call, registry))


def graphql_name(core_field: str) -> str:
    """A core field name as GraphQL spells it: ``value_type`` → ``valueType``, a batch's
    ``values[17].metric_uid`` → ``values.17.metricUid``, ``_metadata`` → ``metadata``."""
    parts = _INDEX.sub(r".\1", core_field).split(".")
    return ".".join(_RENAMED.get(part) or to_camel_case(part) for part in parts)


def argument_names(
    parameters: Iterable[str], in_filter: Iterable[str], *, sort: str = "sort"
) -> dict[str, str]:
    """Where each core listing parameter comes from in a query field: a filter from
    ``filter.<name>``, the sort from ``orderBy``, the rest from the argument of its name."""
    filtered = frozenset(in_filter)
    return {
        name: (
            f"filter.{graphql_name(name)}"
            if name in filtered
            else "orderBy"
            if name == sort
            else graphql_name(name)
        )
        for name in parameters
    }


def bad_arguments(
    error: core.ValidationError | core.NotFoundError,
    arguments: Mapping[str, str],
    *,
    not_found: str = "",
) -> GraphQLError:
    """A bad argument of a query: a top-level error (``extensions.code = BAD_USER_INPUT``)
    whose ``fieldErrors`` name the GraphQL arguments. A ``NotFoundError`` (an entity or metric
    the query names that does not exist) is a ``not_found`` error of the argument
    ``not_found``."""
    if isinstance(error, core.NotFoundError):
        items = [core.FieldError(not_found, "not_found", error.message)]
    else:
        items = list(error.errors)
    field_errors = []
    for item in items:
        head, dot, rest = item.field.partition(".")
        named = arguments.get(head, graphql_name(head)) + (dot + graphql_name(rest) if dot else "")
        field_errors.append({"field": named, "code": item.code, "message": item.message})
    summary = "; ".join(f"{item['field']}: {item['message']}" for item in field_errors)
    return GraphQLError(
        f"invalid argument: {summary}",
        extensions={"code": BAD_USER_INPUT, "fieldErrors": field_errors},
    )
