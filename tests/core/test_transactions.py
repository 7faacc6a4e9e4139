"""Transactions that nest, snapshots that agree with themselves, calls that do not wait."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from datetime import UTC, datetime

import pytest

from metric_registry import (
    ConflictError,
    DatabaseBusyError,
    MetricRegistry,
    NotFoundError,
    ValidationError,
)

from ._support import all_metrics


def uids(registry: MetricRegistry) -> list[str]:
    return [metric.uid for metric in all_metrics(registry)]


def test_atomic_groups_calls_all_or_nothing(registry: MetricRegistry) -> None:
    registry.create_metric(uid="taken", name="Taken")

    def three_calls() -> None:
        with registry.atomic():
            registry.create_metric(uid="first", name="First")
            registry.update_metric("taken", name="Renamed inside")
            registry.create_metric(uid="taken", name="Again")

    with pytest.raises(ConflictError):
        three_calls()
    assert uids(registry) == ["taken"]
    assert registry.get_metric("taken").name == "Taken"


def test_a_nested_failure_rolls_back_alone(registry: MetricRegistry) -> None:
    registry.create_metric(uid="taken", name="Taken")
    with registry.atomic():
        registry.create_metric(uid="kept", name="Kept")
        with pytest.raises(ConflictError):
            registry.create_metric(uid="taken", name="Again")
        with pytest.raises(NotFoundError):
            registry.update_metric("missing", name="x")
        registry.create_metric(uid="also_kept", name="Also kept")
    assert uids(registry) == ["also_kept", "kept", "taken"]


def test_reads_inside_atomic_see_its_writes(registry: MetricRegistry) -> None:
    with registry.atomic():
        registry.create_metric(uid="inside", name="Inside")
        assert registry.get_metric("inside").name == "Inside"
        assert registry.list_metrics().total_items == 1


def test_a_page_agrees_with_its_total_under_concurrent_writes(registry: MetricRegistry) -> None:
    """Page and count are read from one snapshot: ``items`` never exceeds what the total says."""
    done = threading.Event()
    disagreements: list[tuple[int, int]] = []
    lists = 0

    def write() -> None:
        try:
            for number in range(150):
                registry.create_metric(uid=f"m{number:03d}", name=f"Metric {number}")
        finally:
            registry.close()
            done.set()

    writer = threading.Thread(target=write)
    writer.start()
    while not done.is_set():
        page = registry.list_metrics(per_page=100)
        lists += 1
        expected = min(100, page.total_items)
        if len(page.items) != expected:
            disagreements.append((len(page.items), page.total_items))
    writer.join()
    assert lists > 20
    assert disagreements == []


def hold_write_lock(path: str, seconds: float, held: threading.Event) -> threading.Thread:
    def hold() -> None:
        with closing(sqlite3.connect(path, isolation_level=None)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(seconds)
            connection.execute("ROLLBACK")

    holder = threading.Thread(target=hold)
    holder.start()
    return holder


def test_no_wait_refuses_at_once_while_another_process_holds_the_lock(sqlite_path: str) -> None:
    held = threading.Event()
    with MetricRegistry(sqlite_path) as registry:
        registry.create_metric(uid="before", name="Before")
        holder = hold_write_lock(sqlite_path, 1.0, held)
        held.wait(5)
        started = time.monotonic()
        with registry.no_wait(), pytest.raises(DatabaseBusyError) as caught:
            registry.create_metric(uid="during", name="During")
        assert time.monotonic() - started < 0.2
        assert caught.value.code == "database_busy"
        with registry.no_wait():
            assert registry.get_metric("before").uid == "before"  # WAL readers never wait
        registry.create_metric(uid="after", name="After")  # waits for the lock, then writes
        holder.join()
        assert uids(registry) == ["after", "before"]


def test_no_wait_ends_with_its_block(sqlite_path: str) -> None:
    held = threading.Event()
    with MetricRegistry(sqlite_path) as registry:
        with registry.no_wait():
            registry.create_metric(uid="quick", name="Quick")
        holder = hold_write_lock(sqlite_path, 0.5, held)
        held.wait(5)
        started = time.monotonic()
        registry.create_metric(uid="patient", name="Patient")
        assert time.monotonic() - started >= 0.3
        holder.join()


def test_the_clock_sets_every_timestamp(sqlite_path: str) -> None:
    moments = iter([datetime(2026, 3, 8, 9, 30, tzinfo=UTC), datetime(2026, 3, 9, tzinfo=UTC)])
    with MetricRegistry(sqlite_path, clock=lambda: next(moments)) as registry:
        created = registry.create_metric(uid="m", name="M")
        updated = registry.update_metric("m", name="N")
    assert created.created_at == created.updated_at == datetime(2026, 3, 8, 9, 30, tzinfo=UTC)
    assert (updated.created_at, updated.updated_at) == (
        datetime(2026, 3, 8, 9, 30, tzinfo=UTC),
        datetime(2026, 3, 9, tzinfo=UTC),
    )


def test_a_write_inside_a_read_snapshot_is_a_bug_not_a_busy_error(registry: MetricRegistry) -> None:
    with pytest.raises(RuntimeError), registry._store.snapshot():
        registry.create_metric(uid="m", name="M")
    with pytest.raises(ValidationError):
        registry.create_metric(uid="M", name="M")
    assert uids(registry) == []
