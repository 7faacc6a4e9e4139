"""The GraphQL types of the catalog, and converters from the core's models and errors."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.utils.str_converters import to_camel_case

import metric_registry as core
from metric_registry import ContextType, PeriodDefinition, StorageUnit, ValueType
from metric_registry.models import MetricCreate, format_timestamp

# The core's enums, exposed under their upper-case member names (CURRENCY, AS_OF_DATE…).
strawberry.enum(ContextType, description="Whose figure a metric is.")
strawberry.enum(ValueType, description="What kind of number a metric holds.")
strawberry.enum(StorageUnit, description="How values are stored: as given, or in cents.")
strawberry.enum(PeriodDefinition, description="How a value's metric date is read.")


@strawberry.enum(description="A field metrics can be ordered by.")
class MetricOrderField(Enum):
    UID = "uid"
    NAME = "name"
    CONTEXT_TYPE = "context_type"
    VALUE_TYPE = "value_type"
    CREATED_AT = "created_at"
    UPDATED_AT = "updated_at"


@strawberry.enum
class OrderDirection(Enum):
    ASC = "+"
    DESC = "-"


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

    @classmethod
    def from_core(cls, metric: core.Metric) -> Metric:
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


@strawberry.input(description="The mutable fields of a metric; omitted fields are left alone.")
class UpdateMetricInput:
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    formula: str | None = strawberry.UNSET
    is_active: bool | None = strawberry.UNSET


@strawberry.input(description="Every given filter must match.")
class MetricFilter:
    is_active: bool | None = None
    value_type: ValueType | None = None
    context_type: ContextType | None = None
    search: str | None = strawberry.field(
        default=None, description="Matches uid and name, case-insensitively."
    )


@strawberry.input
class MetricOrder:
    field: MetricOrderField = MetricOrderField.UID
    direction: OrderDirection = OrderDirection.ASC

    @property
    def sort(self) -> str:
        return f"{self.direction.value}{self.field.value}"


def graphql_name(core_field: str) -> str:
    """A core field name (``value_type``, ``items.0.uid``) as GraphQL spells it."""
    return ".".join(to_camel_case(part) for part in core_field.split("."))
