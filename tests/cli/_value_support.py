"""A registry with metrics and entities for the entity and value commands' tests."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from metric_registry import MetricRegistry

ACME: Final = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
GLOBEX: Final = "6f1c2a9e-5b7d-4e21-9a0f-1d2e3f405162"
UNREGISTERED: Final = "11111111-1111-4111-8111-111111111111"
BIG_CENTS: Final = 2**62 + 7
HEADER: Final = "context_type,entity_uid,metric_uid,time_unit,metric_date,value,timezone,_metadata"


def seed(db: str, *, entities: bool = True) -> None:
    """``total_ar`` (cents), ``dso`` (raw days) and ``arr`` (cents, monthly); Acme, Globex."""
    with MetricRegistry(db) as registry:
        create_metrics(registry)
        if entities:
            registry.register_entity("ORGANIZATION", ACME, name="Acme")
            registry.register_entity("ORGANIZATION", GLOBEX, name="Globex")


def create_metrics(registry: MetricRegistry) -> None:
    registry.create_metric(
        uid="total_ar", name="Total AR", value_type="currency", storage_unit="cents"
    )
    registry.create_metric(uid="dso", name="DSO", value_type="days")
    registry.create_metric(
        uid="arr", name="ARR", value_type="currency", storage_unit="cents",
        period_definition="calendar_month",
    )  # fmt: skip


def csv_line(metric: str, day: str, value: str, *, entity: str = ACME, unit: str = "day") -> str:
    return f"ORGANIZATION,{entity},{metric},{unit},{day},{value},,"


def write(path: Path, *lines: str) -> str:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return str(path)


def stored_values(db: str, entity: str = ACME) -> list[tuple[str, str, str, object]]:
    """Every value of ``entity`` as (metric, date, unit, value), for "nothing written"."""
    with MetricRegistry(db) as registry:
        found = []
        for unit in ("day", "month", "year"):
            page = registry.list_values(
                "ORGANIZATION", entity, time_unit=unit, start_date="1900-01-01",
                end_date="2100-12-31", sort="+metric_date", per_page=100,
            )  # fmt: skip
            found += [
                (item.metric_uid, item.metric_date.isoformat(), unit, item.value)
                for item in page.items
            ]
        return found
