"""The entities values are measured about (SPEC §9.1): an organization, a party or a user."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Final

from pydantic import AfterValidator, StringConstraints, field_serializer
from pydantic_core import PydanticCustomError

from .common import DEFAULT_PER_PAGE, Input, PageNumber, PerPage, ReadModel, format_timestamp
from .enums import ContextType
from .metrics import Name, SearchText

ENTITY_NAME_MAX_LENGTH: Final = 255
_UUID: Final = re.compile(
    r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE
)
UUID_RULE: Final = "must be a UUID such as 3c90c3cc-0d44-4b50-8888-8dd25736052a"


def canonical_uuid(text: str) -> str | None:
    """``text`` as a lowercase hyphenated UUID, or None when it is not one."""
    if not isinstance(text, str) or len(text) > 36 or not _UUID.fullmatch(text):
        return None
    digits = text.replace("-", "").lower()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _canonical(text: str) -> str:
    canonical = canonical_uuid(text)
    if canonical is None:
        raise PydanticCustomError("invalid_format", UUID_RULE)
    return canonical


EntityUid = Annotated[str, StringConstraints(strict=True), AfterValidator(_canonical)]


class Entity(ReadModel):
    """A registered entity; ``uid`` is shown in canonical lowercase hyphenated form."""

    context_type: ContextType
    uid: str
    name: str | None
    created_at: datetime
    updated_at: datetime

    @field_serializer("created_at", "updated_at", when_used="json")
    def _timestamp_json(self, moment: datetime) -> str:
        return format_timestamp(moment)


class EntityInput(Input):
    context_type: ContextType
    uid: EntityUid
    name: Name | None = None


class EntityListing(Input):
    context_type: ContextType
    search: SearchText | None = None
    page: PageNumber = 1
    per_page: PerPage = DEFAULT_PER_PAGE
