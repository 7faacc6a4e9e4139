"""Racing for value keys on both engines: processes that open their own registries, threads
that share one.

- Processes recording the same keys one by one: each key is won once; every other attempt is
  a ``ConflictError`` (``already_exists``), and nothing else is raised ("database is locked",
  a deadlock, a driver error).
- Processes recording the same batch in different row orders: with ``error`` one batch wins
  whole and the other is a ``ConflictError``; with ``skip`` or ``update`` both succeed and
  the rows are stored once (on PostgreSQL, rows locked in different orders would deadlock).
- Processes registering the same entities in different orders: both succeed.
- Threads updating different editable fields of one value: no update is lost.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
from datetime import date, timedelta
from typing import Any

import pytest

from metric_registry import MetricRegistry

from . import _value_workers
from ._value_support import ORG, ORG_A, ORG_B, add_catalog, stored_values

ORG_C = "c0c0c0c0-0000-4000-8000-000000000000"

DAYS = [(date(2026, 1, 1) + timedelta(days=number)).isoformat() for number in range(20)]
BATCH_ROWS = 3000


def run(target: Any, arguments: list[tuple[Any, ...]]) -> list[Any]:
    """Start one spawned process per argument tuple (each gets the barrier and the queue
    last), and collect one result from each."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(arguments))
    results = context.Queue()
    workers = [
        context.Process(target=target, args=(*given, barrier, results)) for given in arguments
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)
    results.close()
    results.join_thread()
    return outcomes


@pytest.fixture
def prepared(database_url: str) -> str:
    with MetricRegistry(database_url) as registry:
        add_catalog(registry)
        registry.register_entity(ORG, ORG_C)
    return database_url


@pytest.mark.parametrize("processes", [3])
def test_processes_race_for_each_key(prepared: str, processes: int) -> None:
    orders = [random.Random(number).sample(DAYS, len(DAYS)) for number in range(processes)]
    outcomes = run(_value_workers.record_each, [(prepared, ORG_A, order) for order in orders])
    assert [others for _, _, _, others in outcomes] == [[]] * processes
    won = sorted(day for _, days, _, _ in outcomes for day in days)
    assert won == DAYS
    assert sum(conflicts for _, _, conflicts, _ in outcomes) == (processes - 1) * len(DAYS)
    winner = {day: pid for pid, days, _, _ in outcomes for day in days}
    with MetricRegistry(prepared) as registry:
        page = registry.list_values(ORG, ORG_A, start_date=DAYS[0], end_date=DAYS[-1], per_page=100)
    assert {value.metric_date.isoformat(): value.value for value in page.items} == winner
    assert len(stored_values(prepared)) == len(DAYS)


ROUNDS = [("error", ORG_A), ("skip", ORG_B), ("update", ORG_C)]


def batch(entity: str, order: int) -> list[dict[str, Any]]:
    """The same rows for every process, each in its own order (which, locked row by row,
    would deadlock two batches)."""
    rows = [
        {
            "context_type": ORG,
            "entity_uid": entity,
            "metric_uid": "total_ar",
            "metric_date": (date(2020, 1, 1) + timedelta(days=number)).isoformat(),
            "value": number,
        }
        for number in range(BATCH_ROWS)
    ]
    random.Random(order).shuffle(rows)
    return rows


def test_processes_race_with_one_batch(prepared: str) -> None:
    """Round by round, two processes send the same batch in different orders."""
    arguments = [
        (prepared, [(batch(entity, number), on_conflict) for on_conflict, entity in ROUNDS])
        for number in (1, 2)
    ]
    first, second = run(_value_workers.record_batches, arguments)
    for (on_conflict, entity), outcomes in zip(
        ROUNDS, zip(first, second, strict=True), strict=True
    ):
        kinds = sorted(kind for kind, _ in outcomes)
        if on_conflict == "error":
            assert kinds == ["conflict", "summary"], outcomes
            assert [detail for kind, detail in outcomes if kind == "conflict"] == ["already_exists"]
        else:
            assert kinds == ["summary", "summary"], outcomes
        summaries = [detail for kind, detail in outcomes if kind == "summary"]
        assert sum(summary["inserted"] for summary in summaries) == BATCH_ROWS, outcomes
        assert all(sum(summary.values()) == BATCH_ROWS for summary in summaries), outcomes
        with MetricRegistry(prepared) as registry:
            stored = registry.list_values(
                ORG, entity, start_date="2020-01-01", end_date="2030-12-31", per_page=1
            )
        assert stored.total_items == BATCH_ROWS
    assert len(stored_values(prepared)) == BATCH_ROWS * len(ROUNDS)


def test_processes_race_to_register_entities(prepared: str) -> None:
    uids = [f"{number:08x}-0000-4000-8000-000000000000" for number in range(2000)]
    arguments = [
        (
            [
                {"context_type": "USER", "uid": uid}
                for uid in random.Random(n).sample(uids, len(uids))
            ],
        )
        for n in (1, 2)
    ]
    outcomes = run(_value_workers.register_all, [(prepared, *given) for given in arguments])
    assert outcomes == [("registered", 2000), ("registered", 2000)]
    with MetricRegistry(prepared) as registry:
        assert registry.list_entities("USER").total_items == 2000


def test_threads_updating_different_fields_lose_nothing(database_url: str) -> None:
    """One thread sets the value, another the metadata, of one value: both last writes stay."""
    with MetricRegistry(database_url) as registry:
        add_catalog(registry)
        value = registry.record_value(
            ORG, ORG_A, metric_uid="total_ar", metric_date="2026-03-15", value=0
        )
        barrier = threading.Barrier(2)
        failures: list[str] = []
        rounds = 150

        def set_value() -> None:
            barrier.wait(timeout=30)
            try:
                for number in range(1, rounds + 1):
                    registry.update_value(value.uid, value=number)
            except Exception as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
            finally:
                registry.close()

        def set_metadata() -> None:
            barrier.wait(timeout=30)
            try:
                for number in range(1, rounds + 1):
                    registry.update_value(value.uid, metadata={"round": number})
            except Exception as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
            finally:
                registry.close()

        threads = [threading.Thread(target=set_value), threading.Thread(target=set_metadata)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        assert failures == []
        stored = registry.get_value(value.uid)
        assert (stored.value, stored.metadata) == (rounds, {"round": rounds})
