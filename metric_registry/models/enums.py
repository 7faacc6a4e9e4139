"""The enums of the catalog; their values are the exact spellings of SPEC §2."""

from __future__ import annotations

from enum import StrEnum


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


class TimeUnit(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"

    def allows(self, needed: TokenScope) -> bool:
        """``write`` implies ``read``: the one place that says so."""
        return self is TokenScope.WRITE or needed is TokenScope.READ
