"""The request bodies of the values and entities paths, as pydantic models for the API document.

The core validates value rows by hand (``metric_registry._value_rules``, fast enough for
batches of millions), so these models describe what it takes; ``tests/api`` keeps their fields
equal to the core's (``INPUT_FIELDS``, ``EntityInput``, ``record_values``' keywords). They
decide nothing at run time but the names a batch or an entity body may hold
(``routing.body_fields``): every value in them is checked by the core.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from metric_registry import ContextType, TimeUnit
from metric_registry.models.entities import ENTITY_NAME_MAX_LENGTH
from metric_registry.models.values import MAX_METADATA_BYTES, ON_CONFLICT

UUID_FORMAT: JsonDict = {"format": "uuid"}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class RecordValueBody(_Body):
    """One value of the entity the path names (SPEC §9.2)."""

    metric_uid: str = Field(description="An existing, active metric of the entity's context.")
    time_unit: TimeUnit = TimeUnit.DAY
    metric_date: date = Field(
        description="YYYY-MM-DD; a month's first day with `month`, January 1 with `year`."
    )
    value: int | float = Field(
        description="A finite number; with storage_unit `cents` an integer within signed 64 bits."
    )
    timezone: str | None = Field(
        None, description="A zone of the tz database (America/Los_Angeles); null reads as UTC."
    )
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        alias="_metadata",
        description=f"A JSON object of at most {MAX_METADATA_BYTES} bytes.",
    )


class ValueRow(RecordValueBody):
    """One row of a batch: a value and the entity it is measured about."""

    context_type: ContextType
    entity_uid: str = Field(
        description="A registered entity of that context.", json_schema_extra=UUID_FORMAT
    )


class ValueBatch(_Body):
    """``record_values``: every row, or none when one is refused."""

    values: list[ValueRow]
    on_conflict: str = Field(
        "error",
        description="A stored key: refuse the batch (`error`), keep it (`skip`), or `update` it.",
        json_schema_extra={"enum": list(ON_CONFLICT)},
    )
    register_entities: bool = Field(False, description="Register unknown entities on the way.")


class UpdateValueBody(_Body):
    """A value's editable fields; a key field is accepted only with its stored value (a no-op)."""

    value: int | float | None = None
    timezone: str | None = None
    metadata: dict[str, Any] | None = Field(None, alias="_metadata")
    metric_uid: str | None = None
    context_type: ContextType | None = None
    entity_uid: str | None = Field(None, json_schema_extra=UUID_FORMAT)
    time_unit: TimeUnit | None = None
    metric_date: date | None = None


class EntityBody(_Body):
    """``register_entity``: the optional display name (renames when it differs)."""

    name: str | None = Field(None, max_length=ENTITY_NAME_MAX_LENGTH)
