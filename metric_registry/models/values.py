"""Metric values (SPEC §9.2): the read model, the editable fields, and the reads' parameters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Final

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_serializer,
)
from pydantic_core import PydanticCustomError

from .common import (
    DEFAULT_PER_PAGE,
    Input,
    LocalDate,
    PageNumber,
    PerPage,
    ReadModel,
    format_timestamp,
)
from .enums import ContextType, PeriodDefinition, StorageUnit, TimeUnit, ValueType

MAX_METADATA_BYTES: Final = 64 * 1024
VALUE_SORTS: Final = ("metric_date", "value", "created_at")
ON_CONFLICT: Final = ("error", "skip", "update")
"""What ``record_values`` does with a row whose key is stored: refuse, keep, or update."""
EDITABLE_FIELDS: Final = ("value", "metadata", "timezone")
KEY_FIELDS: Final = ("metric_uid", "context_type", "entity_uid", "time_unit", "metric_date")
"""What identifies a value: immutable once recorded (re-sending the same is a no-op)."""
INPUT_FIELDS: Final = (*KEY_FIELDS, *EDITABLE_FIELDS)


class MetricValue(ReadModel):
    """A recorded value with its period bounds and what its metric says about it."""

    model_config = ConfigDict(frozen=True, serialize_by_alias=True)

    uid: str
    metric_uid: str
    metric_name: str
    period_definition: PeriodDefinition | None
    context_type: ContextType
    entity_uid: str
    time_unit: TimeUnit
    timezone: str | None
    metric_date: date
    storage_unit: StorageUnit
    value_type: ValueType
    value: int | float
    period_start: date
    period_end: date
    period_start_at: datetime
    period_end_at: datetime
    metadata: dict[str, Any] | None = Field(serialization_alias="_metadata")
    created_at: datetime
    updated_at: datetime

    @field_serializer(
        "created_at", "updated_at", "period_start_at", "period_end_at", when_used="json"
    )
    def _timestamp_json(self, moment: datetime) -> str:
        return format_timestamp(moment)


class RecordSummary(ReadModel):
    """What a batch did: every row is counted once."""

    inserted: int
    updated: int
    unchanged: int
    skipped: int


def _sort(value: str) -> str:
    field = value.removeprefix("+").removeprefix("-")
    if field not in VALUE_SORTS:
        allowed = ", ".join(VALUE_SORTS)
        raise PydanticCustomError(
            "invalid_choice", f"must be +field or -field over {allowed}; got {value!r}"
        )
    return value if value[0] in "+-" else f"+{value}"


ValueSort = Annotated[str, StringConstraints(strict=True), AfterValidator(_sort)]
MetricUids = Annotated[list[Annotated[str, StringConstraints(strict=True)]], Field(max_length=100)]
EntityUids = Annotated[list[Annotated[str, StringConstraints(strict=True)]], Field(max_length=100)]


class _ValueReads(Input):
    time_unit: TimeUnit = TimeUnit.DAY
    start_date: LocalDate | None = None
    end_date: LocalDate | None = None
    as_of: LocalDate | None = None
    include_metadata: StrictBool = False
    page: PageNumber = 1
    per_page: PerPage = DEFAULT_PER_PAGE


class ValueListing(_ValueReads):
    """``list_values``: one entity's values."""

    context_type: ContextType
    entity_uid: Annotated[str, StringConstraints(strict=True)]
    metric_uids: MetricUids | None = None
    latest: StrictBool = False
    sort: ValueSort = "-metric_date"


class MetricValueListing(_ValueReads):
    """``list_metric_values``: one metric across entities."""

    metric_uid: Annotated[str, StringConstraints(strict=True)]
    entity_uids: EntityUids | None = None
    latest: StrictBool = True
    sort: ValueSort = "-value"
