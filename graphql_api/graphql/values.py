"""Values over GraphQL (SPEC §9.4, §9.5, §9.6): inputs, results, and one core call per resolver.

``metricRanking`` is a query of its own rather than a ``Metric`` field: a ranking is one
metric across entities (``list_metric_values``), asked for one metric at a time; as a field
of every metric of a page it would be one read per metric.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Final, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types.unset import UNSET

import metric_registry as core
from metric_registry import ContextType, TimeUnit
from metric_registry.models.values import (
    EDITABLE_FIELDS,
    ON_CONFLICT,
    MetricValueListing,
    ValueListing,
)

from .resolving import argument_names, bad_arguments, on_core
from .scalars import Number
from .types import ConflictError, NotFoundError, ValidationError
from .value_types import (
    RANKING_FILTERS,
    VALUE_FILTERS,
    MetricRankingFilter,
    MetricValue,
    MetricValueFilter,
    MetricValueOrder,
    MetricValuePage,
    filter_query,
    sort_of,
)


def _on_conflict() -> type[Enum]:
    """``OnConflict``: one member per core choice (``SKIP = "skip"``)."""
    members = {name.upper(): name for name in ON_CONFLICT}
    generated = cast("type[Enum]", Enum("OnConflict", members, module=__name__))
    return strawberry.enum(
        generated,
        description="A row whose key is stored: ERROR refuses the batch (a ConflictError "
        "naming the row), SKIP keeps the stored value, UPDATE takes the row's.",
    )


if TYPE_CHECKING:
    OnConflict = Any
else:
    OnConflict = _on_conflict()


@strawberry.input(description="A value to record about a registered entity.")
class RecordMetricValueInput:
    context_type: ContextType
    entity_uid: uuid.UUID
    metric_uid: str
    metric_date: date = strawberry.field(
        description="With MONTH the first of its month, with YEAR January 1."
    )
    value: Number = strawberry.field(description="Cents: an integer within signed 64 bits.")
    time_unit: TimeUnit = TimeUnit.DAY
    timezone: str | None = strawberry.field(
        default=None, description="An IANA zone (America/Los_Angeles); null reads as UTC."
    )
    metadata: JSON | None = strawberry.field(
        default=UNSET, description="A JSON object of at most 64 KiB; default {}."
    )

    def row(self) -> dict[str, Any]:
        """The core's input row (``metadata`` only when given)."""
        fields = {
            "context_type": self.context_type,
            "entity_uid": str(self.entity_uid),
            "metric_uid": self.metric_uid,
            "metric_date": self.metric_date,
            "value": self.value,
            "time_unit": self.time_unit,
            "timezone": self.timezone,
        }
        if self.metadata is not UNSET:
            fields["metadata"] = self.metadata
        return fields


@strawberry.input(description="Values recorded atomically: all of them, or none.")
class RecordMetricValuesInput:
    values: list[RecordMetricValueInput]
    on_conflict: OnConflict = OnConflict("error")
    register_entities: bool = strawberry.field(
        default=False, description="Register the entities that are not yet registered."
    )


@strawberry.input(description="The editable fields of a value; omitted fields are left alone.")
class UpdateMetricValueInput:
    value: Number | None = UNSET
    metadata: JSON | None = UNSET
    timezone: str | None = UNSET


if tuple(UpdateMetricValueInput.__annotations__) != EDITABLE_FIELDS:  # checked once, at import
    raise TypeError(f"UpdateMetricValueInput's fields are not the core's {EDITABLE_FIELDS}")


@strawberry.type(description="What a batch did: every row is counted once.")
class RecordSummary:
    inserted: int
    updated: int
    unchanged: int
    skipped: int


@strawberry.type(description="The uid of a value just deleted.")
class DeletedMetricValue:
    uid: uuid.UUID


RecordMetricValueResult = Annotated[
    MetricValue | ValidationError | ConflictError, strawberry.union("RecordMetricValueResult")
]
RecordMetricValuesResult = Annotated[
    RecordSummary | ValidationError | ConflictError, strawberry.union("RecordMetricValuesResult")
]
UpdateMetricValueResult = Annotated[
    MetricValue | ValidationError | NotFoundError, strawberry.union("UpdateMetricValueResult")
]
DeleteMetricValueResult = Annotated[
    DeletedMetricValue | NotFoundError, strawberry.union("DeleteMetricValueResult")
]

VALUE_ARGUMENTS: Final = argument_names(ValueListing.model_fields, VALUE_FILTERS)
RANKING_ARGUMENTS: Final = argument_names(MetricValueListing.model_fields, RANKING_FILTERS)


# -- queries ---------------------------------------------------------------------------------


def get_value(info: strawberry.Info, uid: uuid.UUID) -> MetricValue | None:
    def get(registry: core.MetricRegistry) -> MetricValue | None:
        try:
            return MetricValue.from_core(registry.get_value(str(uid)))
        except core.NotFoundError:
            return None

    return on_core(info, get)


def list_values(
    info: strawberry.Info,
    *,
    context_type: ContextType,
    entity_uid: uuid.UUID,
    filter: MetricValueFilter | None = None,
    order_by: MetricValueOrder | None = None,
    page: int = 1,
    per_page: int = 25,
) -> MetricValuePage:
    query = filter_query(filter, VALUE_FILTERS)
    query.update(sort=sort_of(order_by), page=page, per_page=per_page)
    return _listing(
        info,
        lambda registry: registry.list_values(context_type, str(entity_uid), **query),
        VALUE_ARGUMENTS,
        "entityUid",
    )


def rank_values(
    info: strawberry.Info,
    *,
    metric_uid: str,
    filter: MetricRankingFilter | None = None,
    order_by: MetricValueOrder | None = None,
    page: int = 1,
    per_page: int = 25,
) -> MetricValuePage:
    query = filter_query(filter, RANKING_FILTERS)
    query.update(sort=sort_of(order_by), page=page, per_page=per_page)
    return _listing(
        info,
        lambda registry: registry.list_metric_values(metric_uid, **query),
        RANKING_ARGUMENTS,
        "metricUid",
    )


def _listing(
    info: strawberry.Info,
    read: Callable[[core.MetricRegistry], core.Page[core.MetricValue]],
    arguments: dict[str, str],
    not_found: str,
) -> MetricValuePage:
    def list_page(registry: core.MetricRegistry) -> MetricValuePage:
        try:
            return MetricValuePage.from_core(read(registry))
        except (core.ValidationError, core.NotFoundError) as error:
            raise bad_arguments(error, arguments, not_found=not_found) from error

    return on_core(info, list_page)


# -- mutations -------------------------------------------------------------------------------


def record_value(info: strawberry.Info, input: RecordMetricValueInput) -> MetricValue:
    row = input.row()
    context_type, entity_uid = row.pop("context_type"), row.pop("entity_uid")
    return on_core(
        info,
        lambda registry: MetricValue.from_core(
            registry.record_value(context_type, entity_uid, row)
        ),
    )


def record_values(info: strawberry.Info, input: RecordMetricValuesInput) -> RecordSummary:
    rows = [given.row() for given in input.values]

    def record(registry: core.MetricRegistry) -> RecordSummary:
        summary = registry.record_values(
            rows, on_conflict=input.on_conflict.value, register_entities=input.register_entities
        )
        return RecordSummary(
            inserted=summary.inserted,
            updated=summary.updated,
            unchanged=summary.unchanged,
            skipped=summary.skipped,
        )

    return on_core(info, record)


def update_value(
    info: strawberry.Info, uid: uuid.UUID, input: UpdateMetricValueInput
) -> MetricValue:
    changes = {name: value for name, value in vars(input).items() if value is not UNSET}
    return on_core(
        info, lambda registry: MetricValue.from_core(registry.update_value(str(uid), changes))
    )


def delete_value(info: strawberry.Info, uid: uuid.UUID) -> DeletedMetricValue:
    def delete(registry: core.MetricRegistry) -> DeletedMetricValue:
        registry.delete_value(str(uid))
        return DeletedMetricValue(uid=uid)

    return on_core(info, delete)
