"""Helpers for the REST tests of values and entities: a seeded catalog, what is stored (read
through the core, to prove what a request wrote or did not), the JSON shapes of SPEC §9."""

from __future__ import annotations

from typing import Any

from metric_registry import ContextType, MetricRegistry
from tests.spec import ENTITY_FIELDS, VALUE_FIELDS

from ._support import TIMESTAMP_JSON, Api, success

ACME = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
GLOBEX = "9f1b3c2e-5d7a-4e8b-9c0d-1a2b3c4d5e6f"
INITECH = "0b7e4a9c-1f2d-4c3b-8a5e-6d7f8e9a0b1c"
PARTY = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
# The public example's body (POST /api/metrics/values/ORGANIZATION/3c90c3cc-…).
PUBLISHED_VALUE: dict[str, Any] = {
    "metric_uid": "total_ar",
    "time_unit": "day",
    "metric_date": "2026-03-15",
    "value": 350000000,
    "timezone": "America/Los_Angeles",
    "_metadata": {},
}
VALUE_KEYS = set(VALUE_FIELDS)
ENTITY_KEYS = set(ENTITY_FIELDS)
WHOLE_HISTORY = {"start_date": "0002-01-01", "end_date": "9998-12-31"}


def seed_catalog(registry: MetricRegistry) -> None:
    """Metrics in cents, raw and deactivated; three organizations and a party, registered."""
    registry.create_metric(
        uid="total_ar", name="Total AR Outstanding", value_type="currency", storage_unit="cents"
    )
    registry.create_metric(
        uid="dso", name="DSO", value_type="days", period_definition="trailing_30_days"
    )
    registry.create_metric(uid="party_dso", name="Party DSO", context_type="PARTY")
    registry.create_metric(uid="retired", name="Retired", is_active=False)
    for uid, name in ((ACME, "Acme"), (GLOBEX, "Globex"), (INITECH, None)):
        registry.register_entity("ORGANIZATION", uid, name)
    registry.register_entity("PARTY", PARTY, "A party")


def record(api: Api, entity: str = ACME, **fields: Any) -> dict[str, Any]:
    """POST one value of an organization; its JSON after checking the envelope and shape."""
    body = {"metric_uid": "total_ar", "metric_date": "2026-03-15", "value": 1, **fields}
    response = api.request("POST", f"/api/metrics/values/ORGANIZATION/{entity}", json=body)
    data: dict[str, Any] = success(response, "Metric value recorded")
    check_value_json(data)
    return data


def check_value_json(data: Any, *, metadata: bool = True) -> None:
    assert set(data) == VALUE_KEYS
    for name in ("created_at", "updated_at", "period_start_at", "period_end_at"):
        assert TIMESTAMP_JSON.fullmatch(data[name]), (name, data[name])
    assert isinstance(data["_metadata"], dict) if metadata else data["_metadata"] is None


def check_entity_json(data: Any) -> None:
    assert set(data) == ENTITY_KEYS
    assert TIMESTAMP_JSON.fullmatch(data["created_at"])
    assert TIMESTAMP_JSON.fullmatch(data["updated_at"])


def stored(registry: MetricRegistry) -> tuple[Any, ...]:
    """Every entity and every value of every metric (metadata included), through the core."""
    entities = [
        entity.model_dump()
        for context in ContextType
        for entity in registry.list_entities(context, per_page=100).items
    ]
    values = []
    for metric in registry.list_metrics(per_page=100).items:
        for unit in ("day", "month", "year"):
            page = 1
            while True:
                listing = registry.list_metric_values(
                    metric.uid,
                    latest=False,
                    time_unit=unit,
                    include_metadata=True,
                    page=page,
                    per_page=100,
                    **WHOLE_HISTORY,
                )
                values.extend(value.model_dump() for value in listing.items)
                if page >= listing.total_pages:
                    break
                page += 1
    return (*entities, *sorted(values, key=lambda value: str(value["uid"])))
