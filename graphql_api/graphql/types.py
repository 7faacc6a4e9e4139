"""The GraphQL types of the catalog, and converters from the core's models and errors."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Final, cast

import strawberry

import metric_registry as core
from metric_registry import ContextType, PeriodDefinition, StorageUnit, ValueType
from metric_registry.models import (
    LISTING_FILTERS,
    MUTABLE_FIELDS,
    SORTABLE_FIELDS,
    MetricCreate,
    MetricListing,
    format_timestamp,
)

from .enums import OrderDirection
from .resolving import graphql_name
from .value_fields import latest_value, metric_values
from .value_types import MetricValue, MetricValuePage


def _order_fields() -> type[Enum]:
    """``MetricOrderField``: one member per core sortable field (``CREATED_AT = "created_at"``)."""
    members = {name.upper(): name for name in SORTABLE_FIELDS}
    generated = cast("type[Enum]", Enum("MetricOrderField", members, module=__name__))
    return strawberry.enum(generated, description="A field metrics can be ordered by.")


if TYPE_CHECKING:
    MetricOrderField = Any
else:
    MetricOrderField = _order_fields()


@strawberry.type(description="A metric definition.")
class Metric:
    uid: str
    name: str
    context_type: ContextType
    description: str | None
    formula: str | None
    value_type: ValueType
    storage_unit: StorageUnit
    is_snapshot: bool
    period_definition: PeriodDefinition | None
    is_active: bool
    created_at: str = strawberry.field(description="UTC, as YYYY-MM-DDTHH:MM:SSZ.")
    updated_at: str = strawberry.field(description="UTC, as YYYY-MM-DDTHH:MM:SSZ.")
    values: MetricValuePage = strawberry.field(
        resolver=metric_values,
        description="One page of this metric's values for an entity. On a page of metrics, "
        "every metric's page is read at once (no N+1).",
    )
    latest_value: MetricValue | None = strawberry.field(
        resolver=latest_value,
        description="This metric's newest value for an entity (on or before asOf), or null. "
        "On a page of metrics, read for all of them at once.",
    )
    page_uids: strawberry.Private[tuple[str, ...]] = ()
    """The uids of the page this metric was listed in: what ``values`` reads at once."""

    @classmethod
    def from_core(cls, metric: core.Metric, page_uids: tuple[str, ...] = ()) -> Metric:
        return cls(
            uid=metric.uid,
            name=metric.name,
            context_type=metric.context_type,
            description=metric.description,
            formula=metric.formula,
            value_type=metric.value_type,
            storage_unit=metric.storage_unit,
            is_snapshot=metric.is_snapshot,
            period_definition=metric.period_definition,
            is_active=metric.is_active,
            created_at=format_timestamp(metric.created_at),
            updated_at=format_timestamp(metric.updated_at),
            page_uids=page_uids,
        )


@strawberry.type(description="One page of metrics.")
class MetricPage:
    items: list[Metric]
    page: int
    per_page: int
    total_pages: int
    total_items: int


@strawberry.type(description="The uid of a metric just deleted.")
class DeletedMetric:
    uid: str


@strawberry.interface(description="An expected failure: a stable code and a sentence.")
class UserError:
    code: str
    message: str


@strawberry.type(description="One rejected input field, named as in the GraphQL input.")
class FieldError:
    field: str
    code: str
    message: str


@strawberry.type(description="The input broke one or more rules; nothing was written.")
class ValidationError(UserError):
    field_errors: list[FieldError]

    @classmethod
    def from_core(cls, error: core.ValidationError) -> ValidationError:
        field_errors = [
            FieldError(field=graphql_name(item.field), code=item.code, message=item.message)
            for item in error.errors
        ]
        summary = "; ".join(f"{item.field}: {item.message}" for item in field_errors)
        return cls(code=error.code, message=f"invalid input: {summary}", field_errors=field_errors)


@strawberry.type(description="Nothing is stored under the given uid.")
class NotFoundError(UserError):
    @classmethod
    def from_core(cls, error: core.NotFoundError) -> NotFoundError:
        return cls(code=error.code, message=error.message)


@strawberry.type(description="A taken uid (already_exists) or a metric in use (in_use).")
class ConflictError(UserError):
    @classmethod
    def from_core(cls, error: core.ConflictError) -> ConflictError:
        return cls(code=error.code, message=error.message)


CreateMetricResult = Annotated[
    Metric | ValidationError | ConflictError, strawberry.union("CreateMetricResult")
]
UpdateMetricResult = Annotated[
    Metric | ValidationError | NotFoundError, strawberry.union("UpdateMetricResult")
]
DeleteMetricResult = Annotated[
    DeletedMetric | NotFoundError | ConflictError, strawberry.union("DeleteMetricResult")
]


def _create_default(name: str) -> Any:
    return MetricCreate.model_fields[name].default


@strawberry.input(description="A new metric; omitted fields take the catalog's defaults.")
class CreateMetricInput:
    uid: str
    name: str
    context_type: ContextType = _create_default("context_type")
    description: str | None = _create_default("description")
    formula: str | None = _create_default("formula")
    value_type: ValueType = _create_default("value_type")
    storage_unit: StorageUnit = _create_default("storage_unit")
    is_snapshot: bool = _create_default("is_snapshot")
    period_definition: PeriodDefinition | None = _create_default("period_definition")
    is_active: bool = _create_default("is_active")


def _update_input() -> type:
    """``UpdateMetricInput``: each core mutable field, typed as the core's read model types it,
    and optional (``UNSET`` when omitted)."""
    read_model: dict[str, Any] = {
        name: info.annotation for name, info in core.Metric.model_fields.items()
    }
    annotations = {name: read_model[name] | None for name in MUTABLE_FIELDS}
    namespace = {"__annotations__": annotations, "__module__": __name__}
    namespace.update(dict.fromkeys(MUTABLE_FIELDS, strawberry.UNSET))
    description = "The mutable fields of a metric; omitted fields are left alone."
    return strawberry.input(type("UpdateMetricInput", (), namespace), description=description)


if TYPE_CHECKING:
    UpdateMetricInput = Any
else:
    UpdateMetricInput = _update_input()


@strawberry.input(description="Every given filter must match.")
class MetricFilter:
    is_active: bool | None = None
    value_type: ValueType | None = None
    context_type: ContextType | None = None
    search: str | None = strawberry.field(
        default=None, description="Matches uid and name, case-insensitively."
    )


_DEFAULT_SORT: Final[str] = MetricListing.model_fields["sort"].default


@strawberry.input
class MetricOrder:
    field: MetricOrderField = MetricOrderField(_DEFAULT_SORT[1:])
    direction: OrderDirection = OrderDirection(_DEFAULT_SORT[0])

    @property
    def sort(self) -> str:
        return f"{self.direction.value}{self.field.value}"


if tuple(MetricFilter.__annotations__) != LISTING_FILTERS:  # checked once, at import
    raise TypeError(f"MetricFilter's fields are not the core's listing filters {LISTING_FILTERS}")
