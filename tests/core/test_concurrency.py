"""Racing writers: threads sharing one registry, processes opening their own.

Every creation race: each worker tries the same 40 uids; exactly 40 attempts succeed in
total, every other one is a ConflictError, and nothing else is raised ("database is
locked" included).
"""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections.abc import Callable
from typing import Any

import pytest

from metric_registry import ConflictError, Metric, MetricRegistry

from . import _workers
from ._support import all_metrics, unraisable

UIDS = [f"race_{number:02d}" for number in range(40)]


def run_threads(count: int, target: Callable[[int], None]) -> None:
    threads = [threading.Thread(target=target, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads)


def check_creation_race(
    registry: MetricRegistry, outcomes: list[tuple[list[str], int, list[str]]], workers: int
) -> None:
    created = [uid for made, _, _ in outcomes for uid in made]
    conflicts = sum(count for _, count, _ in outcomes)
    others = [error for _, _, errors in outcomes for error in errors]
    assert others == []
    assert len(outcomes) == workers
    assert sorted(created) == UIDS
    assert conflicts == (workers - 1) * len(UIDS)
    assert [metric.uid for metric in all_metrics(registry)] == UIDS


def create_race_worker(
    registry: MetricRegistry,
    barrier: threading.Barrier,
    outcomes: list[Any],
    close: bool = True,
) -> Callable[[int], None]:
    def work(number: int) -> None:
        created: list[str] = []
        conflicts = 0
        others: list[str] = []
        order = UIDS[:]
        random.Random(number).shuffle(order)
        barrier.wait(timeout=30)
        for uid in order:
            try:
                registry.create_metric(uid=uid, name=f"by thread {number}")
            except ConflictError as exc:
                conflicts += 1
                if exc.code != "already_exists":
                    others.append(f"ConflictError {exc.code}")
            except Exception as exc:
                others.append(f"{type(exc).__name__}: {exc}")
            else:
                created.append(uid)
        if close:
            registry.close()  # this thread's connection
        outcomes.append((created, conflicts, others))

    return work


@pytest.mark.parametrize("threads", [8])
def test_threads_sharing_one_registry_race_to_create(database_url: str, threads: int) -> None:
    with MetricRegistry(database_url) as registry:
        outcomes: list[Any] = []
        run_threads(threads, create_race_worker(registry, threading.Barrier(threads), outcomes))
        check_creation_race(registry, outcomes, threads)


def test_memory_registry_threads_race_to_create() -> None:
    with MetricRegistry(":memory:") as registry:
        outcomes: list[Any] = []
        barrier = threading.Barrier(8)
        run_threads(8, create_race_worker(registry, barrier, outcomes, close=False))
        check_creation_race(registry, outcomes, 8)


@pytest.mark.parametrize("processes", [4])
def test_processes_race_to_create_on_a_new_database(database_url: str, processes: int) -> None:
    """Each spawned process opens its own registry on the same, not yet created, database."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(
            target=_workers.create_all,
            args=(database_url, random.Random(number).sample(UIDS, len(UIDS)), barrier, results),
        )
        for number in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=90) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert [worker.exitcode for worker in workers] == [0] * processes
    results.close()
    results.join_thread()
    with MetricRegistry(database_url) as registry:
        check_creation_race(registry, outcomes, processes)


def test_racing_updates_keep_the_metric_consistent(database_url: str) -> None:
    """8 threads update one metric; each update writes name and description together.

    The stored metric must equal the update that committed last (the latest updated_at),
    so no update is half-applied or lost in between.
    """
    with MetricRegistry(database_url) as registry:
        original = registry.create_metric(uid="hot", name="start", description="start")
        barrier = threading.Barrier(8)
        results: list[Metric] = []
        failures: list[str] = []

        def work(number: int) -> None:
            barrier.wait(timeout=30)
            try:
                for round_ in range(10):
                    label = f"t{number}-{round_}"
                    results.append(
                        registry.update_metric(
                            "hot",
                            {"name": label, "description": label, "is_active": round_ % 2 == 0},
                            value_type="count",  # an immutable field, re-sent unchanged
                        )
                    )
            except Exception as exc:
                failures.append(f"{type(exc).__name__}: {exc}")
            finally:
                registry.close()

        run_threads(8, work)
        assert failures == []
        assert len(results) == 80
        stored = registry.get_metric("hot")
        assert stored.name == stored.description
        assert stored == max(results, key=lambda metric: metric.updated_at)
        assert stored.created_at == original.created_at
        assert len({metric.updated_at for metric in results}) == 80
        assert all(metric.name == metric.description for metric in results)


def test_threads_that_end_leave_no_connection_open(database_url: str) -> None:
    """SPEC §4: the registry is shared between threads; its docstring promises that a
    thread's connection closes when the thread ends, without calling close() there."""
    with MetricRegistry(database_url) as registry:
        registry.create_metric(uid="m", name="M")
        with unraisable() as reports:

            def work(number: int) -> None:
                registry.get_metric("m")

            run_threads(4, work)
        assert reports == []


def test_closing_in_one_thread_keeps_a_memory_registry_for_the_others() -> None:
    """close() closes "this thread's connection"; a :memory: registry has one, shared."""
    with MetricRegistry(":memory:") as registry:
        created = registry.create_metric(uid="kept", name="Kept")

        def work(number: int) -> None:
            registry.get_metric("kept")
            registry.close()

        run_threads(1, work)
        assert registry.get_metric("kept") == created
