"""The GraphQL schema: each resolver is one call into ``MetricRegistry`` (``on_core``).

Metrics are resolved here; entities and values in ``entities`` and ``values`` (their types
in ``value_types``, ``Metric.values`` and ``Metric.latestValue`` in ``value_fields``).
"""

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
from metric_registry import TokenScope
from metric_registry.models import LISTING_FILTERS, MetricListing

from ..edge.auth import allows
from .entities import (
    DeleteEntityResult,
    Entity,
    EntityPage,
    RegisterEntityResult,
    delete_entity,
    get_entity,
    list_entities,
    register_entity,
)
from .fields import lighten_resolvers
from .limits import Prepared, document_cache
from .resolving import BAD_USER_INPUT, argument_names, bad_arguments, on_core
from .scalars import SCALARS
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
)
from .value_types import MetricValue, MetricValuePage
from .values import (
    DeleteMetricValueResult,
    RecordMetricValueResult,
    RecordMetricValuesResult,
    UpdateMetricValueResult,
    delete_value,
    get_value,
    list_values,
    rank_values,
    record_value,
    record_values,
    update_value,
)

__all__ = ["BAD_USER_INPUT", "LISTING_ARGUMENTS", "RegistrySchema", "build_schema", "sdl"]


def listing_arguments() -> dict[str, str]:
    """Where each core listing parameter comes from in ``Query.metrics``: a filter from
    ``filter.<name>``, the sort from ``orderBy``, the rest from the argument of its name."""
    return argument_names(MetricListing.model_fields, LISTING_FILTERS)


LISTING_ARGUMENTS: Final = listing_arguments()


class CanWrite(BasePermission):
    """Only a token whose scope allows writing may mutate."""

    message = "forbidden: this token may only read; mutations need the write scope"
    error_extensions = {"code": "FORBIDDEN"}  # noqa: RUF012 (a BasePermission class attribute)

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return allows(info.context["request"].scope, TokenScope.WRITE)


def listing_error(error: core.ValidationError) -> GraphQLError:
    """A bad Query.metrics argument: a top-level error naming the argument."""
    return bad_arguments(error, LISTING_ARGUMENTS)


def get_metric(info: strawberry.Info, uid: str) -> Metric | None:
    def get(registry: core.MetricRegistry) -> Metric | None:
        try:
            return Metric.from_core(registry.get_metric(uid))
        except core.NotFoundError:
            return None

    return on_core(info, get)


def list_metrics(
    info: strawberry.Info,
    filter: MetricFilter | None = None,
    order_by: MetricOrder | None = None,
    page: int = 1,
    per_page: int = 25,
) -> MetricPage:
    given = filter or MetricFilter()
    query = {name: getattr(given, name) for name in LISTING_FILTERS}
    query.update(sort=(order_by or MetricOrder()).sort, page=page, per_page=per_page)

    def list_page(registry: core.MetricRegistry) -> MetricPage:
        try:
            found = registry.list_metrics(query)
        except core.ValidationError as error:
            raise listing_error(error) from error
        page_uids = tuple(item.uid for item in found.items)
        return MetricPage(
            items=[Metric.from_core(item, page_uids) for item in found.items],
            page=found.page,
            per_page=found.per_page,
            total_pages=found.total_pages,
            total_items=found.total_items,
        )

    return on_core(info, list_page)


def create_metric(info: strawberry.Info, input: CreateMetricInput) -> Metric:
    return on_core(info, lambda registry: Metric.from_core(registry.create_metric(vars(input))))


def update_metric(info: strawberry.Info, uid: str, input: UpdateMetricInput) -> Metric:
    changes = {name: value for name, value in vars(input).items() if value is not UNSET}
    return on_core(info, lambda registry: Metric.from_core(registry.update_metric(uid, changes)))


def delete_metric(info: strawberry.Info, uid: str) -> DeletedMetric:
    def delete(registry: core.MetricRegistry) -> DeletedMetric:
        registry.delete_metric(uid)
        return DeletedMetric(uid=uid)

    return on_core(info, delete)


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
    entity: Entity | None = strawberry.field(
        resolver=get_entity, description="The registered entity, or null."
    )
    entities: EntityPage = strawberry.field(
        resolver=list_entities,
        description="One page of a context's entities in uid order; search matches uid and "
        "name. A bad argument is a BAD_USER_INPUT error naming it.",
    )
    metric_value: MetricValue | None = strawberry.field(
        resolver=get_value, description="The value stored under uid, or null."
    )
    metric_values: MetricValuePage = strawberry.field(
        resolver=list_values,
        description="One page of one entity's values. A bad argument (an unregistered entity "
        "or an unknown metric uid included) is a BAD_USER_INPUT error naming it.",
    )
    metric_ranking: MetricValuePage = strawberry.field(
        resolver=rank_values,
        description="One metric across entities: by default each entity's newest value, "
        "highest first. A bad argument (an unknown metric included) is a BAD_USER_INPUT error.",
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
    register_entity: RegisterEntityResult = strawberry.mutation(
        resolver=register_entity, permission_classes=[CanWrite]
    )
    delete_entity: DeleteEntityResult = strawberry.mutation(
        resolver=delete_entity, permission_classes=[CanWrite]
    )
    record_metric_value: RecordMetricValueResult = strawberry.mutation(
        resolver=record_value, permission_classes=[CanWrite]
    )
    record_metric_values: RecordMetricValuesResult = strawberry.mutation(
        resolver=record_values, permission_classes=[CanWrite]
    )
    update_metric_value: UpdateMetricValueResult = strawberry.mutation(
        resolver=update_value, permission_classes=[CanWrite]
    )
    delete_metric_value: DeleteMetricValueResult = strawberry.mutation(
        resolver=delete_value, permission_classes=[CanWrite]
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
        config=StrawberryConfig(disable_field_suggestions=True, scalar_map=SCALARS),
    )
    lighten_resolvers(schema)
    # The document cache validates against the built GraphQL schema, so it is attached after.
    schema.prepare = document_cache(schema._schema)
    return schema


def sdl() -> str:
    """The printed schema; ``schema.graphql`` holds it followed by a newline."""
    return build_schema().as_str()
