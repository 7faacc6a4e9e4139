"""The GraphQL schema: each resolver is a thin call into ``MetricRegistry``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import strawberry
from graphql import GraphQLError
from strawberry.permission import BasePermission
from strawberry.schema.config import StrawberryConfig
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UNSET

import metric_registry as core

from .fields import lighten_resolvers
from .limits import Prepared, document_cache
from .types import (
    ConflictError,
    CreateMetricInput,
    CreateMetricResult,
    DeletedMetric,
    DeleteMetricResult,
    Metric,
    MetricFilter,
    MetricOrder,
    MetricPage,
    NotFoundError,
    UpdateMetricInput,
    UpdateMetricResult,
    ValidationError,
    graphql_name,
)

WRITE_SCOPE: Final = "write"
BAD_USER_INPUT: Final = "BAD_USER_INPUT"
# Where a core listing parameter comes from in Query.metrics.
_LISTING_ARGUMENTS: Final = {
    "page": "page",
    "per_page": "perPage",
    "sort": "orderBy",
    "search": "filter.search",
    "is_active": "filter.isActive",
    "value_type": "filter.valueType",
    "context_type": "filter.contextType",
}


def registry_of(info: strawberry.Info) -> core.MetricRegistry:
    registry: core.MetricRegistry = info.context["registry"]
    return registry


class CanWrite(BasePermission):
    """Only a token with the ``write`` scope may mutate."""

    message = "forbidden: this token may only read; mutations need the write scope"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (a BasePermission class attribute)

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return WRITE_SCOPE in info.context["request"].auth.scopes


def listing_error(error: core.ValidationError) -> GraphQLError:
    """A bad Query.metrics argument: a top-level error naming the argument."""
    field_errors = [
        {
            "field": _LISTING_ARGUMENTS.get(item.field, graphql_name(item.field)),
            "code": item.code,
            "message": item.message,
        }
        for item in error.errors
    ]
    summary = "; ".join(f"{item['field']}: {item['message']}" for item in field_errors)
    return GraphQLError(
        f"invalid argument: {summary}",
        extensions={"code": BAD_USER_INPUT, "fieldErrors": field_errors},
    )


def get_metric(info: strawberry.Info, uid: str) -> Metric | None:
    try:
        return Metric.from_core(registry_of(info).get_metric(uid))
    except core.NotFoundError:
        return None


def list_metrics(
    info: strawberry.Info,
    filter: MetricFilter | None = None,
    order_by: MetricOrder | None = None,
    page: int = 1,
    per_page: int = 25,
) -> MetricPage:
    given = filter or MetricFilter()
    try:
        found = registry_of(info).list_metrics(
            is_active=given.is_active,
            value_type=given.value_type,
            context_type=given.context_type,
            search=given.search,
            sort=(order_by or MetricOrder()).sort,
            page=page,
            per_page=per_page,
        )
    except core.ValidationError as error:
        raise listing_error(error) from error
    return MetricPage(
        items=[Metric.from_core(item) for item in found.items],
        page=found.page,
        per_page=found.per_page,
        total_pages=found.total_pages,
        total_items=found.total_items,
    )


def create_metric(info: strawberry.Info, input: CreateMetricInput) -> CreateMetricResult:
    return Metric.from_core(registry_of(info).create_metric(vars(input)))


def update_metric(info: strawberry.Info, uid: str, input: UpdateMetricInput) -> UpdateMetricResult:
    changes = {name: value for name, value in vars(input).items() if value is not UNSET}
    return Metric.from_core(registry_of(info).update_metric(uid, changes))


def delete_metric(info: strawberry.Info, uid: str) -> DeleteMetricResult:
    registry_of(info).delete_metric(uid)
    return DeletedMetric(uid=uid)


@strawberry.type
class Query:
    metric: Metric | None = strawberry.field(
        resolver=get_metric, description="The metric stored under uid, or null."
    )
    metrics: MetricPage = strawberry.field(
        resolver=list_metrics,
        description="One page of metrics matching every filter. An argument out of range "
        "is a top-level error with extensions.code BAD_USER_INPUT naming it.",
    )


@strawberry.type
class Mutation:
    create_metric: CreateMetricResult = strawberry.mutation(
        resolver=create_metric, permission_classes=[CanWrite]
    )
    update_metric: UpdateMetricResult = strawberry.mutation(
        resolver=update_metric, permission_classes=[CanWrite]
    )
    delete_metric: DeleteMetricResult = strawberry.mutation(
        resolver=delete_metric, permission_classes=[CanWrite]
    )


class ValidationErrorHandler(strawberry.ExceptionHandler[core.ValidationError, ValidationError]):
    def handle(
        self, exception: core.ValidationError, *, field: StrawberryField, info: strawberry.Info
    ) -> ValidationError:
        return ValidationError.from_core(exception)


class NotFoundErrorHandler(strawberry.ExceptionHandler[core.NotFoundError, NotFoundError]):
    def handle(
        self, exception: core.NotFoundError, *, field: StrawberryField, info: strawberry.Info
    ) -> NotFoundError:
        return NotFoundError.from_core(exception)


class ConflictErrorHandler(strawberry.ExceptionHandler[core.ConflictError, ConflictError]):
    def handle(
        self, exception: core.ConflictError, *, field: StrawberryField, info: strawberry.Info
    ) -> ConflictError:
        return ConflictError.from_core(exception)


class RegistrySchema(strawberry.Schema):
    """The catalog's schema, with its cache of prepared documents (``prepare``).

    ``/graphql`` runs operations through graphql-core directly (``_graphql_execute``), which
    applies the limits, logging and masking itself; nothing here runs ``Schema.execute``.
    """

    prepare: Callable[[str], Prepared]


def build_schema() -> RegistrySchema:
    schema = RegistrySchema(
        query=Query,
        mutation=Mutation,
        exception_handlers=[
            ValidationErrorHandler(),
            NotFoundErrorHandler(),
            ConflictErrorHandler(),
        ],
        config=StrawberryConfig(disable_field_suggestions=True),
    )
    lighten_resolvers(schema)
    # The document cache validates against the built GraphQL schema, so it is attached after.
    schema.prepare = document_cache(schema._schema)
    return schema


def sdl() -> str:
    """The printed schema; ``schema.graphql`` holds it followed by a newline."""
    return build_schema().as_str()
