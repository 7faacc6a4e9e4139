"""The metric definition: the read model, its inputs, and the listing's parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Final, get_args

from pydantic import AfterValidator, StrictBool, StringConstraints, field_serializer
from pydantic_core import PydanticCustomError

from ..errors import shown
from .common import (
    DEFAULT_PER_PAGE,
    Input,
    PageNumber,
    PerPage,
    ReadModel,
    StorableText,
    VisibleText,
    format_timestamp,
)
from .enums import ContextType, PeriodDefinition, StorageUnit, ValueType

UID_PATTERN: Final = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
UID_MAX_LENGTH: Final = 64
NAME_MAX_LENGTH: Final = 255
DESCRIPTION_MAX_LENGTH: Final = 10_000
FORMULA_MAX_LENGTH: Final = 4_000
MAX_SEARCH_LENGTH: Final = 255
RESERVED_UIDS: Final = frozenset({"values"})
"""Uids that name paths of their own (``/api/metrics/values/…``)."""


class Metric(ReadModel):
    """A stored metric definition, exactly the JSON shape of SPEC §2 when dumped in JSON mode."""

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
    created_at: datetime
    updated_at: datetime

    @field_serializer("created_at", "updated_at", when_used="json")
    def _timestamp_json(self, moment: datetime) -> str:
        return format_timestamp(moment)


def _not_reserved(uid: str) -> str:
    if uid in RESERVED_UIDS:
        raise PydanticCustomError("invalid_choice", f"{uid!r} is reserved: it names a path")
    return uid


Uid = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=UID_MAX_LENGTH, pattern=UID_PATTERN),
    AfterValidator(_not_reserved),
]
Name = Annotated[
    str,
    StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=NAME_MAX_LENGTH),
    StorableText,
    VisibleText,
]
Description = Annotated[
    str, StringConstraints(strict=True, max_length=DESCRIPTION_MAX_LENGTH), StorableText
]
Formula = Annotated[
    str, StringConstraints(strict=True, max_length=FORMULA_MAX_LENGTH), StorableText
]
SearchText = Annotated[
    str, StringConstraints(strict=True, max_length=MAX_SEARCH_LENGTH), StorableText
]


class MetricCreate(Input):
    uid: Uid
    name: Name
    context_type: ContextType = ContextType.ORGANIZATION
    description: Description | None = None
    formula: Formula | None = None
    value_type: ValueType = ValueType.COUNT
    storage_unit: StorageUnit = StorageUnit.RAW
    is_snapshot: StrictBool = False
    period_definition: PeriodDefinition | None = None
    is_active: StrictBool = True


class MetricUpdate(Input):
    """Any §2 input field; the registry decides which may change."""

    uid: Uid | None = None
    name: Name | None = None
    context_type: ContextType | None = None
    description: Description | None = None
    formula: Formula | None = None
    value_type: ValueType | None = None
    storage_unit: StorageUnit | None = None
    is_snapshot: StrictBool | None = None
    period_definition: PeriodDefinition | None = None
    is_active: StrictBool | None = None


MUTABLE_FIELDS: Final = ("name", "description", "formula", "is_active")
"""The fields an update may change; every other input field is fixed at creation."""
IMMUTABLE_FIELDS: Final = tuple(
    name for name in MetricCreate.model_fields if name not in MUTABLE_FIELDS
)
NOT_NULL_FIELDS: Final = frozenset(
    name
    for name in MetricCreate.model_fields
    if type(None) not in get_args(Metric.model_fields[name].annotation)
)
SORTABLE_FIELDS: Final = ("uid", "name", "context_type", "value_type", "created_at", "updated_at")
SORTS: Final = frozenset(f"{sign}{field}" for field in SORTABLE_FIELDS for sign in ("+", "-"))
SORT_RULE: Final = f"must be +field or -field over {', '.join(SORTABLE_FIELDS)}"


def _sort(value: str) -> str:
    if value in SORTABLE_FIELDS:
        return f"+{value}"
    if value not in SORTS:
        raise PydanticCustomError("invalid_choice", f"{SORT_RULE}; got {shown(value)}")
    return value


class MetricListing(Input):
    """The parameters of ``list_metrics``: filters (each optional), a sort and a page."""

    is_active: StrictBool | None = None
    value_type: ValueType | None = None
    context_type: ContextType | None = None
    search: SearchText | None = None
    sort: Annotated[str, StringConstraints(strict=True), AfterValidator(_sort)] = "+uid"
    page: PageNumber = 1
    per_page: PerPage = DEFAULT_PER_PAGE


PAGING_FIELDS: Final = ("sort", "page", "per_page")
LISTING_FILTERS: Final = tuple(
    name for name in MetricListing.model_fields if name not in PAGING_FIELDS
)
