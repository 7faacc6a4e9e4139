"""The registry's data: enums, read models returned to callers, and validated inputs."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Final, Generic, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictBool,
    StringConstraints,
    field_serializer,
)
from pydantic_core import PydanticCustomError

UID_PATTERN: Final = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
UID_MAX_LENGTH: Final = 64
NAME_MAX_LENGTH: Final = 255
DESCRIPTION_MAX_LENGTH: Final = 10_000
FORMULA_MAX_LENGTH: Final = 4_000


class ContextType(StrEnum):
    ORGANIZATION = "ORGANIZATION"
    PARTY = "PARTY"
    USER = "USER"


class ValueType(StrEnum):
    CURRENCY = "currency"
    PERCENTAGE = "percentage"
    DAYS = "days"
    COUNT = "count"
    RATIO = "ratio"


class StorageUnit(StrEnum):
    RAW = "raw"
    CENTS = "cents"


class PeriodDefinition(StrEnum):
    AS_OF_DATE = "as_of_date"
    TRAILING_30_DAYS = "trailing_30_days"
    CALENDAR_MONTH = "calendar_month"
    MONTH_TO_DATE = "month_to_date"


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"


def format_timestamp(moment: datetime) -> str:
    """The JSON form of every timestamp: UTC, whole seconds, a trailing ``Z``."""
    return moment.astimezone(UTC).isoformat()[:19] + "Z"  # strftime costs twice as much


class _ReadModel(BaseModel):
    model_config = ConfigDict(frozen=True)

    @classmethod
    def trusted(cls, values: dict[str, Any]) -> Self:
        """An instance from values already valid (read back from the database, or validated).

        ``model_construct`` does the same with a loop over aliases and defaults that costs
        more than the database read it follows; ``values`` must hold every field.
        """
        instance = cls.__new__(cls)
        object.__setattr__(instance, "__dict__", values)
        object.__setattr__(instance, "__pydantic_fields_set__", set(values))
        object.__setattr__(instance, "__pydantic_extra__", None)
        object.__setattr__(instance, "__pydantic_private__", None)
        return instance


class Metric(_ReadModel):
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


ItemT = TypeVar("ItemT")


class Page(_ReadModel, Generic[ItemT]):
    """One page of a listing, with what a client needs to ask for the next one."""

    items: tuple[ItemT, ...]
    page: int
    per_page: int
    total_pages: int
    total_items: int


class Token(_ReadModel):
    """A bearer token as listed: never its secret."""

    name: str
    scope: TokenScope
    created_at: datetime

    @field_serializer("created_at", when_used="json")
    def _timestamp_json(self, moment: datetime) -> str:
        return format_timestamp(moment)

    def allows(self, scope: TokenScope) -> bool:
        return self.scope is TokenScope.WRITE or scope is TokenScope.READ


class IssuedToken(_ReadModel):
    """A token just issued: the only time its secret is available."""

    token: Token
    secret: str


# Inputs. Validation errors are translated into field codes by ``_validation``.

Uid = Annotated[
    str,
    StringConstraints(strict=True, min_length=1, max_length=UID_MAX_LENGTH, pattern=UID_PATTERN),
]
UNSTORABLE_TEXT: Final = "unstorable_text"


def storable(text: str) -> bool:
    """Text both engines can store: valid UTF-8 (no lone surrogate) without NUL characters."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


UNSTORABLE_MESSAGE: Final = "must be Unicode text without NUL characters or lone surrogates"


def _storable_text(text: str) -> str:
    if not storable(text):
        raise PydanticCustomError(UNSTORABLE_TEXT, UNSTORABLE_MESSAGE)
    return text


StorableText = AfterValidator(_storable_text)
Name = Annotated[
    str,
    StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=NAME_MAX_LENGTH),
    StorableText,
]
Description = Annotated[
    str, StringConstraints(strict=True, max_length=DESCRIPTION_MAX_LENGTH), StorableText
]
Formula = Annotated[
    str, StringConstraints(strict=True, max_length=FORMULA_MAX_LENGTH), StorableText
]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MetricCreate(_Input):
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


class MetricUpdate(_Input):
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
IMMUTABLE_FIELDS: Final = (
    "uid",
    "context_type",
    "value_type",
    "storage_unit",
    "is_snapshot",
    "period_definition",
)
