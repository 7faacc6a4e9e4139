"""Every REST operation, one row each: the core call, method, path, body, query, ``data`` and
the refusals particular to it. The API document is built from this table (``openapi``); a test
keeps it equal to the routes the face serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pydantic import BaseModel

from metric_registry.models import MetricCreate, MetricUpdate

from .bodies import EntityBody, RecordValueBody, UpdateValueBody, ValueBatch
from .entities import ENTITY_LISTING
from .metrics import METRIC_LISTING
from .query import QueryShape
from .values import ENTITY_VALUES, METRIC_VALUES


@dataclass(frozen=True)
class Operation:
    """One REST operation: the core call it makes, what it reads, what its ``data`` is."""

    name: str  # the MetricRegistry method it calls, and its operationId
    method: str
    path: str
    summary: str
    data: str  # a schema of components.schemas
    body: type[BaseModel] | None = None
    body_required: bool = True
    query: QueryShape | None = None
    refusals: tuple[int, ...] = ()  # beyond those every operation (of its kind) may give

    @property
    def writes(self) -> bool:
        return self.method not in ("GET", "HEAD")


METRIC: Final = "/api/metrics/{uid}"
ENTITY_VALUES_PATH: Final = "/api/metrics/values/{context_type}/{entity_uid}"
VALUE: Final = "/api/metrics/values/{value_uid}"
ENTITY: Final = "/api/entities/{context_type}/{entity_uid}"
OPERATIONS: Final = (
    Operation("create_metric", "POST", "/api/metrics", "Create a metric", "Metric",
              MetricCreate, refusals=(409,)),
    Operation("list_metrics", "GET", "/api/metrics", "List metrics", "MetricPage",
              query=METRIC_LISTING),
    Operation("get_metric", "GET", METRIC, "Get a metric", "Metric", refusals=(404,)),
    Operation("update_metric", "PATCH", METRIC, "Update a metric's mutable fields", "Metric",
              MetricUpdate, refusals=(404,)),
    Operation("delete_metric", "DELETE", METRIC, "Delete a metric nothing refers to",
              "DeletedMetric", refusals=(404, 409)),
    Operation("record_value", "POST", ENTITY_VALUES_PATH, "Record one value", "MetricValue",
              RecordValueBody, refusals=(409,)),
    Operation("list_values", "GET", ENTITY_VALUES_PATH, "List one entity's values",
              "MetricValuePage", query=ENTITY_VALUES, refusals=(404,)),
    Operation("record_values", "POST", "/api/metrics/values", "Record values, all or none",
              "RecordSummary", ValueBatch, refusals=(409,)),
    Operation("get_value", "GET", VALUE, "Get a value", "MetricValue", refusals=(404,)),
    Operation("update_value", "PATCH", VALUE, "Update a value's editable fields",
              "MetricValue", UpdateValueBody, refusals=(404,)),
    Operation("delete_value", "DELETE", VALUE, "Delete a value", "DeletedValue",
              refusals=(404,)),
    Operation("list_metric_values", "GET", "/api/metrics/{uid}/values",
              "List one metric's values across entities", "MetricValuePage",
              query=METRIC_VALUES, refusals=(404,)),
    Operation("register_entity", "PUT", ENTITY, "Register an entity (idempotent)", "Entity",
              EntityBody, body_required=False),
    Operation("get_entity", "GET", ENTITY, "Get an entity", "Entity", refusals=(404,)),
    Operation("delete_entity", "DELETE", ENTITY, "Delete an entity no value refers to",
              "DeletedEntity", refusals=(404, 409)),
    Operation("list_entities", "GET", "/api/entities/{context_type}",
              "List a context's entities", "EntityPage", query=ENTITY_LISTING),
)  # fmt: skip
