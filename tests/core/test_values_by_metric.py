"""``list_values_by_metric``: a page of one entity's values per metric, in a bounded read.

Each metric's page must be exactly what ``list_values`` gives for that metric alone, and the
number of statements must not grow with the number of metrics (the GraphQL face resolves
``Metric.values`` and ``Metric.latestValue`` of a page of metrics with it).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from metric_registry import MetricRegistry, NotFoundError, ValidationError

from ._support import errors_of

ENTITY = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
OTHER = "0b6f1c57-4f1e-4d44-9a57-7a3b2a8d8e10"
BIG = 2**62 + 7
# A metric's values (its uid, how many days of March 2026) and one the other entity has.
SERIES = {"a_cash": 5, "b_dso": 2, "c_ratio": 0}
READS: list[dict[str, Any]] = [
    {"start_date": "2026-03-01", "end_date": "2026-03-31"},
    {"start_date": "2026-03-01", "end_date": "2026-03-31", "per_page": 2, "page": 2},
    {"start_date": "2026-03-01", "end_date": "2026-03-31", "sort": "+value", "per_page": 3},
    {"start_date": "2026-03-02", "end_date": "2026-03-04", "include_metadata": True},
    {"latest": True},
    {"latest": True, "as_of": "2026-03-01"},
    {"latest": True, "page": 2, "per_page": 1},
    {"time_unit": "month", "latest": True},
]


@pytest.fixture
def values(registry: MetricRegistry) -> MetricRegistry:
    registry.register_entity("ORGANIZATION", ENTITY)
    registry.register_entity("ORGANIZATION", OTHER)
    for uid, days in SERIES.items():
        registry.create_metric(uid=uid, name=uid, storage_unit="cents")
        for day in range(1, days + 1):
            registry.record_value(
                "ORGANIZATION",
                ENTITY,
                metric_uid=uid,
                metric_date=f"2026-03-{day:02d}",
                value=BIG + day,
                metadata={"day": day},
            )
    registry.record_value(
        "ORGANIZATION", OTHER, metric_uid="c_ratio", metric_date="2026-03-03", value=1
    )
    return registry


def _read_id(read: dict[str, Any]) -> str:
    return ",".join(f"{key}={value}" for key, value in read.items())


@pytest.mark.parametrize("read", READS, ids=_read_id)
def test_each_page_is_the_metrics_own_listing(values: MetricRegistry, read: dict[str, Any]) -> None:
    uids = list(SERIES)
    pages = values.list_values_by_metric("ORGANIZATION", ENTITY, uids, **read)
    assert list(pages) == uids
    for uid in uids:
        alone = values.list_values("ORGANIZATION", ENTITY, metric_uids=[uid], **read)
        assert pages[uid] == alone, uid


def test_big_cents_stay_exact(values: MetricRegistry) -> None:
    pages = values.list_values_by_metric("ORGANIZATION", ENTITY, ["a_cash"], latest=True)
    [newest] = pages["a_cash"].items
    assert newest.value == BIG + 5
    assert type(newest.value) is int


def test_a_metric_named_twice_is_read_once_in_the_order_given(values: MetricRegistry) -> None:
    pages = values.list_values_by_metric(
        "ORGANIZATION", ENTITY, ["b_dso", "a_cash", "b_dso"], latest=True
    )
    assert list(pages) == ["b_dso", "a_cash"]
    assert [item.metric_uid for item in pages["b_dso"].items] == ["b_dso"]


@pytest.mark.parametrize(
    ("metric_uids", "expected"),
    [
        (["a_cash", "missing"], {("metric_uids", "not_found")}),
        (["a\x00b"], {("metric_uids", "not_found")}),
        (["x"] * 101, {("metric_uids", "too_long")}),
    ],
    ids=["unknown", "nul", "over 100"],
)
def test_refusals_name_the_metric_uids(
    values: MetricRegistry, metric_uids: list[str], expected: set[tuple[str, str]]
) -> None:
    with pytest.raises(ValidationError) as refused:
        values.list_values_by_metric("ORGANIZATION", ENTITY, metric_uids)
    assert errors_of(refused.value) == expected


def test_the_listing_rules_are_list_values_rules(values: MetricRegistry) -> None:
    with pytest.raises(ValidationError) as refused:
        values.list_values_by_metric("ORGANIZATION", ENTITY, ["a_cash"], per_page=101, page=0)
    assert errors_of(refused.value) == {("per_page", "out_of_range"), ("page", "out_of_range")}
    with pytest.raises(NotFoundError):
        values.list_values_by_metric("ORGANIZATION", str(uuid.uuid4()), ["a_cash"])


@contextmanager
def counted(registry: MetricRegistry) -> Iterator[list[str]]:
    """Every statement the registry's connection of this thread runs inside the block."""
    connection = registry._store.engine.connections.acquire()
    assert isinstance(connection, sqlite3.Connection)
    statements: list[str] = []
    connection.set_trace_callback(statements.append)
    try:
        yield statements
    finally:
        connection.set_trace_callback(None)


def test_the_statements_do_not_grow_with_the_metrics(sqlite_path: str) -> None:
    with MetricRegistry(sqlite_path) as registry:
        registry.register_entity("ORGANIZATION", ENTITY)
        uids = [f"m{n:02d}" for n in range(25)]
        for uid in uids:
            registry.create_metric(uid=uid, name=uid)
            registry.record_value(
                "ORGANIZATION", ENTITY, metric_uid=uid, metric_date="2026-03-01", value=1
            )
        counts = []
        for some in (uids[:5], uids):
            for latest in (True, False):
                with counted(registry) as statements:
                    registry.list_values_by_metric(
                        "ORGANIZATION", ENTITY, some, latest=latest, start_date="2026-03-01",
                        end_date="2026-03-31",
                    )  # fmt: skip
                counts.append(len(statements))
        assert counts[:2] == counts[2:], counts
        assert max(counts) <= 6, counts
