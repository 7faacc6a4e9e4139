"""The schema's enums: the core's, under their upper-case member names (CURRENCY,
AS_OF_DATE…), and the direction of every ``orderBy``.

Registered here, imported before any type that uses them: strawberry gives an enum it meets
unregistered a definition of its own, which a later registration would duplicate.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from metric_registry import ContextType, PeriodDefinition, StorageUnit, TimeUnit, ValueType

strawberry.enum(ContextType, description="Whose figure a metric is.")
strawberry.enum(ValueType, description="What kind of number a metric holds.")
strawberry.enum(StorageUnit, description="How values are stored: as given, or in cents.")
strawberry.enum(PeriodDefinition, description="How a value's metric date is read.")
strawberry.enum(TimeUnit, description="The period a value covers: a day, a month or a year.")


@strawberry.enum
class OrderDirection(Enum):
    ASC = "+"
    DESC = "-"
