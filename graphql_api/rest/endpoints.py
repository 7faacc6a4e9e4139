"""The REST face: the routes of SPEC §6 over ``MetricRegistry``, a thin translation of it.

One module per kind of record (``metrics``, ``values``, ``entities``); what they share is in
``routing``. Order matters: the values paths come before ``/api/metrics/{uid}``.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from metric_registry import MetricRegistry

from .entities import entity_routes
from .metrics import metric_routes
from .routing import RestFallback
from .values import value_routes


def rest_routes(registry: MetricRegistry) -> list[BaseRoute]:
    """Every REST route over ``registry``, plus an enveloped 404 for the rest of /api/."""
    return [
        *value_routes(registry),
        *metric_routes(registry),
        *entity_routes(registry),
        RestFallback(),
    ]
