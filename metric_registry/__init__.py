"""metric-registry: a catalog of metric definitions, embedded like SQLite."""

from .errors import (
    ConflictError,
    DatabaseBusyError,
    DatabaseOpenError,
    DatabaseUnavailableError,
    FieldError,
    MetricRegistryError,
    NotFoundError,
    ValidationError,
)
from .models import (
    ContextType,
    Entity,
    IssuedToken,
    Metric,
    MetricValue,
    Page,
    PeriodDefinition,
    RecordSummary,
    StorageUnit,
    TimeUnit,
    Token,
    TokenScope,
    ValueType,
)
from .registry import MetricRegistry

__all__ = [
    "ConflictError",
    "ContextType",
    "DatabaseBusyError",
    "DatabaseOpenError",
    "DatabaseUnavailableError",
    "Entity",
    "FieldError",
    "IssuedToken",
    "Metric",
    "MetricRegistry",
    "MetricRegistryError",
    "MetricValue",
    "NotFoundError",
    "Page",
    "PeriodDefinition",
    "RecordSummary",
    "StorageUnit",
    "TimeUnit",
    "Token",
    "TokenScope",
    "ValidationError",
    "ValueType",
]
