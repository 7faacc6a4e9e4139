"""The GraphQL types of metric values (SPEC §9.6) and their converters from the core's models.

Uids of values and entities are ``UUID`` (the core's canonical text, converted both ways),
dates are ``Date``, timestamps the ISO text of ``Metric.createdAt``, the number is ``Number``
(exact at any size) and ``_metadata`` is ``metadata: JSON``. The filters carry the core's
listing parameters under their camelCase names (checked against the core's listing models
at import); a filter left out, or given as null, takes the core's default.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, cast

import strawberry
from strawberry.scalars import JSON

import metric_registry as core
from metric_registry import ContextType, PeriodDefinition, StorageUnit, TimeUnit, ValueType
from metric_registry.models import format_timestamp
from metric_registry.models.values import VALUE_SORTS, MetricValueListing, ValueListing

from .enums import OrderDirection
from .scalars import Number


def _order_fields() -> type[Enum]:
    """``MetricValueOrderField``: one member per core value sort (``METRIC_DATE``…)."""
    members = {name.upper(): name for name in VALUE_SORTS}
    generated = cast("type[Enum]", Enum("MetricValueOrderField", members, module=__name__))
    return strawberry.enum(generated, description="A field values can be ordered by.")


if TYPE_CHECKING:
    MetricValueOrderField = Any
else:
    MetricValueOrderField = _order_fields()


@strawberry.type(description="A value recorded for a metric about one entity, on one date.")
class MetricValue:
    uid: uuid.UUID
    metric_uid: str
    metric_name: str
    period_definition: PeriodDefinition | None
    context_type: ContextType
    entity_uid: uuid.UUID
    time_unit: TimeUnit
    timezone: str | None = strawberry.field(description="The IANA zone of its days; null: UTC.")
    metric_date: date
    storage_unit: StorageUnit
    value_type: ValueType
    value: Number = strawberry.field(description="Cents are exact integers at any size.")
    period_start: date = strawberry.field(description="The first local date it covers.")
    period_end: date = strawberry.field(description="The last local date it covers.")
    period_start_at: str = strawberry.field(description="When the period begins (UTC).")
    period_end_at: str = strawberry.field(description="When the period ends (UTC, exclusive).")
    metadata: JSON | None = strawberry.field(
        description="A JSON object; null when a listing left it out (includeMetadata)."
    )
    created_at: str = strawberry.field(description="UTC, as YYYY-MM-DDTHH:MM:SSZ.")
    updated_at: str = strawberry.field(description="UTC, as YYYY-MM-DDTHH:MM:SSZ.")

    @classmethod
    def from_core(cls, value: core.MetricValue) -> MetricValue:
        return cls(
            uid=uuid.UUID(value.uid),
            metric_uid=value.metric_uid,
            metric_name=value.metric_name,
            period_definition=value.period_definition,
            context_type=value.context_type,
            entity_uid=uuid.UUID(value.entity_uid),
            time_unit=value.time_unit,
            timezone=value.timezone,
            metric_date=value.metric_date,
            storage_unit=value.storage_unit,
            value_type=value.value_type,
            value=Number(value.value),
            period_start=value.period_start,
            period_end=value.period_end,
            period_start_at=format_timestamp(value.period_start_at),
            period_end_at=format_timestamp(value.period_end_at),
            metadata=JSON(value.metadata) if value.metadata is not None else None,
            created_at=format_timestamp(value.created_at),
            updated_at=format_timestamp(value.updated_at),
        )


@strawberry.type(description="One page of values.")
class MetricValuePage:
    items: list[MetricValue]
    page: int
    per_page: int
    total_pages: int
    total_items: int

    @classmethod
    def from_core(cls, page: core.Page[core.MetricValue]) -> MetricValuePage:
        return cls(
            items=[MetricValue.from_core(item) for item in page.items],
            page=page.page,
            per_page=page.per_page,
            total_pages=page.total_pages,
            total_items=page.total_items,
        )


_DEFAULT_SORT: Final[str] = ValueListing.model_fields["sort"].default


@strawberry.input(
    description="An order of values. Left out: newest first for one entity's values "
    "(metricValues, Metric.values), highest value first for a ranking (metricRanking)."
)
class MetricValueOrder:
    field: MetricValueOrderField = MetricValueOrderField(_DEFAULT_SORT[1:])
    direction: OrderDirection = OrderDirection(_DEFAULT_SORT[0])

    @property
    def sort(self) -> str:
        return f"{self.direction.value}{self.field.value}"


def sort_of(order: MetricValueOrder | None) -> str | None:
    """The core's sort for an ``orderBy``; None (the core's default) when it was left out."""
    return None if order is None else order.sort


_DATES = "Dates filter metricDate, inclusive; without them, the 90 days up to today (UTC)."
_LATEST = "The newest value of each metric (dates ignored), on or before asOf if given."


@strawberry.input(
    description="Which of one entity's values; every given filter must match. " + _DATES
)
class MetricValueFilter:
    metric_uids: list[str] | None = strawberry.field(default=None, description="At most 100.")
    time_unit: TimeUnit | None = strawberry.field(default=None, description="Default DAY.")
    start_date: date | None = None
    end_date: date | None = None
    latest: bool | None = strawberry.field(default=None, description=_LATEST)
    as_of: date | None = None
    include_metadata: bool | None = strawberry.field(
        default=None, description="Without it, metadata is null."
    )


@strawberry.input(description=f"Which of a metric's values of one entity. {_DATES}")
class SeriesFilter:
    time_unit: TimeUnit | None = strawberry.field(default=None, description="Default DAY.")
    start_date: date | None = None
    end_date: date | None = None
    latest: bool | None = strawberry.field(
        default=None, description="Only the newest value (on or before asOf, if given)."
    )
    as_of: date | None = None
    include_metadata: bool | None = strawberry.field(
        default=None, description="Without it, metadata is null."
    )


@strawberry.input(
    description="Which entities' values of a metric rank: by default each one's newest. "
    f"With latest false: {_DATES}"
)
class MetricRankingFilter:
    entity_uids: list[uuid.UUID] | None = strawberry.field(
        default=None, description="Only these entities (at most 100); default every entity."
    )
    time_unit: TimeUnit | None = strawberry.field(default=None, description="Default DAY.")
    start_date: date | None = None
    end_date: date | None = None
    latest: bool | None = strawberry.field(
        default=None,
        description="Default true: each entity's newest value (on or before asOf, if given). "
        "False: every value between the dates.",
    )
    as_of: date | None = None
    include_metadata: bool | None = strawberry.field(
        default=None, description="Without it, metadata is null."
    )


def filter_query(given: object | None, names: tuple[str, ...]) -> dict[str, Any]:
    """The core parameters of a filter input (every field; None for those not given)."""
    query = {name: getattr(given, name, None) for name in names}
    for name, value in query.items():
        if isinstance(value, list):
            query[name] = [str(item) if isinstance(item, uuid.UUID) else item for item in value]
    return query


VALUE_FILTERS: Final = tuple(MetricValueFilter.__annotations__)
SERIES_FILTERS: Final = tuple(SeriesFilter.__annotations__)
RANKING_FILTERS: Final = tuple(MetricRankingFilter.__annotations__)
_NOT_FILTERS: Final = {"context_type", "entity_uid", "metric_uid", "sort", "page", "per_page"}

# Checked once, at import: the filters are the core's listing parameters.
if set(VALUE_FILTERS) != set(ValueListing.model_fields) - _NOT_FILTERS:
    raise TypeError("MetricValueFilter's fields are not the core's ValueListing filters")
if set(SERIES_FILTERS) != set(VALUE_FILTERS) - {"metric_uids"}:
    raise TypeError("SeriesFilter's fields are not MetricValueFilter's less metricUids")
if set(RANKING_FILTERS) != set(MetricValueListing.model_fields) - _NOT_FILTERS:
    raise TypeError("MetricRankingFilter's fields are not the core's MetricValueListing filters")
