"""What every kind of record shares: the read-model base, pages, timestamps, storable text."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Annotated, Any, Final, Generic, Self, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

UNSTORABLE_TEXT: Final = "unstorable_text"
UNSTORABLE_MESSAGE: Final = "must be Unicode text without NUL characters or lone surrogates"
INVISIBLE_TEXT: Final = "invisible_text"
INVISIBLE_MESSAGE: Final = "must contain a visible character"
DEFAULT_PER_PAGE: Final = 25
MAX_PER_PAGE: Final = 100
MAX_PAGE: Final = 2**31 - 1
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn"})


def format_timestamp(moment: datetime) -> str:
    """The JSON form of every timestamp: UTC, whole seconds, a trailing ``Z``."""
    return moment.astimezone(UTC).isoformat()[:19] + "Z"  # strftime costs twice as much


class ReadModel(BaseModel):
    """A record as the registry returns it: immutable."""

    model_config = ConfigDict(frozen=True)

    @classmethod
    def trusted(cls, values: dict[str, Any]) -> Self:
        """An instance from values already valid (read back from the database, or validated).

        ``model_construct`` does the same with a loop over aliases and defaults that costs
        more than the database read it follows; ``values`` must hold every field.
        """
        instance = _new_instance(cls)
        _set_attribute(instance, "__dict__", values)
        _set_fields_set(instance, set(values))
        _set_extra(instance, None)
        _set_private(instance, None)
        return instance


# The slots of a pydantic model, set directly: a frozen model refuses ``setattr``.
_new_instance: Final = object.__new__
_set_attribute: Final = object.__setattr__
_set_fields_set: Final = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra: Final = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private: Final = BaseModel.__dict__["__pydantic_private__"].__set__

ItemT = TypeVar("ItemT")


class Page(ReadModel, Generic[ItemT]):
    """One page of a listing, with what a client needs to ask for the next one."""

    items: tuple[ItemT, ...]
    page: int
    per_page: int
    total_pages: int
    total_items: int


class Input(BaseModel):
    """Caller input: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def storable(text: str) -> bool:
    """Text both engines can store: valid UTF-8 (no lone surrogate) without NUL characters."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def visible(text: str) -> bool:
    """True when ``text`` has a character that shows (not only spaces, marks or format
    characters such as U+200B and U+FEFF)."""
    category = unicodedata.category
    return any(category(char) not in _INVISIBLE_CATEGORIES for char in text)


def _storable_text(text: str) -> str:
    if not storable(text):
        raise PydanticCustomError(UNSTORABLE_TEXT, UNSTORABLE_MESSAGE)
    return text


def _visible_text(text: str) -> str:
    if text and not visible(text):
        raise PydanticCustomError(INVISIBLE_TEXT, INVISIBLE_MESSAGE)
    return text


StorableText = AfterValidator(_storable_text)
VisibleText = AfterValidator(_visible_text)
PageNumber = Annotated[int, Field(strict=True, ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Field(strict=True, ge=1, le=MAX_PER_PAGE)]

_ISO_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_RULE: Final = "must be a date written YYYY-MM-DD"


def parse_date(value: object) -> date | None:
    """A ``date`` from a date (not a datetime) or ``YYYY-MM-DD`` text; None for anything else."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10 and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _local_date(value: object) -> object:
    if value is None:
        return value
    parsed = parse_date(value)
    if parsed is None:
        raise PydanticCustomError("invalid_format", f"{DATE_RULE}, got {value!r:.40}")
    return parsed


LocalDate = Annotated[date, BeforeValidator(_local_date)]
