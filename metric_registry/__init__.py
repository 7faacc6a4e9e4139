"""metric-registry: a catalog of metric definitions, embedded like SQLite."""

from .errors import (
    ConflictError,
    DatabaseBusyError,
    DatabaseOpenError,
    FieldError,
    MetricRegistryError,
    NotFoundError,
    ValidationError,
)
from .models import (
    ContextType,
    IssuedToken,
    Metric,
    Page,
    PeriodDefinition,
    StorageUnit,
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
    "FieldError",
    "IssuedToken",
    "Metric",
    "MetricRegistry",
    "MetricRegistryError",
    "NotFoundError",
    "Page",
    "PeriodDefinition",
    "StorageUnit",
    "Token",
    "TokenScope",
    "ValidationError",
    "ValueType",
]
