"""PostgreSQL connections: a pool whose dead connections are replaced before use.

Each test names its registry's connections with its own ``application_name``, so that
``pg_terminate_backend`` kills those alone on a server other tests share.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from metric_registry import DatabaseOpenError, MetricRegistry
from metric_registry._postgres import POOL_MAX_SIZE
from metric_registry.errors import DatabaseUnavailableError

from ._support import all_metrics, raw_connection

pytestmark = pytest.mark.postgres


@pytest.fixture
def application() -> str:
    return f"mr_pool_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def pool_url(postgres_url: str, application: str) -> str:
    return f"{postgres_url}&application_name={application}"


@pytest.fixture
def pooled(pool_url: str) -> Iterator[MetricRegistry]:
    with MetricRegistry(pool_url) as registry:
        yield registry


def outside(url: str) -> str:
    """``url`` without its ``application_name``: a connection that no test kills."""
    return url.partition("&application_name=")[0]


def backends(url: str, application: str, where: str = "") -> list[int]:
    with raw_connection(outside(url)) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            f" AND pid <> pg_backend_pid() AND application_name = %s {where}",
            (application,),
        ).fetchall()
    return [row[0] for row in rows]


def kill_backends(url: str, application: str) -> int:
    """Terminate every server process of ``application``; wait until each has exited."""
    with raw_connection(outside(url)) as connection:
        killed = connection.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND application_name = %s",
            (application,),
        ).fetchall()
    assert all(row[0] for row in killed)
    return len(killed)


def run_threads(count: int, target: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(number: int) -> None:
        try:
            target(number)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- dead idle connections -------------------------------------------------------------------


def test_calls_after_every_connection_was_killed_succeed(
    pooled: MetricRegistry, pool_url: str, application: str
) -> None:
    pooled.create_metric(uid="m", name="M")
    assert kill_backends(pool_url, application) >= 1
    for number in range(5):
        assert pooled.get_metric("m").uid == "m"
        pooled.update_metric("m", description=f"after the kill {number}")

    def work(number: int) -> None:
        for step in range(5):
            pooled.create_metric(uid=f"t{number}_{step}", name="From a thread")
            assert pooled.get_metric("m").uid == "m"

    assert kill_backends(pool_url, application) >= 1
    assert run_threads(2, work) == []
    assert len(all_metrics(pooled)) == 11


def test_many_dead_connections_cost_one_retry_not_a_timeout(
    pooled: MetricRegistry, pool_url: str, application: str
) -> None:
    """The pool retries at once after a failed check, then after 1 s, 2 s, 4 s…: six dead
    connections drawn one by one would outlast the 10 s wait for a connection."""
    holding = threading.Barrier(6)

    def hold(number: int) -> None:
        with pooled.atomic():
            pooled.create_metric(uid=f"m{number}", name="M")
            holding.wait(timeout=30)

    assert run_threads(6, hold) == []
    assert kill_backends(pool_url, application) >= 6
    started = time.monotonic()
    assert len(all_metrics(pooled)) == 6
    assert time.monotonic() - started < 3.0


# -- statements cut mid-flight ---------------------------------------------------------------


def test_a_transaction_cut_mid_flight_raises_and_writes_nothing(
    pooled: MetricRegistry, pool_url: str, application: str
) -> None:
    pooled.create_metric(uid="before", name="Before")

    def cut_short() -> None:
        with pooled.atomic():
            pooled.create_metric(uid="half", name="Half")
            kill_backends(pool_url, application)
            pooled.create_metric(uid="never", name="Never")

    with pytest.raises(DatabaseUnavailableError) as caught:
        cut_short()
    assert caught.value.code == "database_unavailable"
    assert isinstance(caught.value, DatabaseOpenError)
    assert "connection" in caught.value.message
    assert [metric.uid for metric in all_metrics(pooled)] == ["before"]
    pooled.create_metric(uid="after", name="After")


def test_a_write_cut_while_it_waits_raises_and_writes_nothing(
    pooled: MetricRegistry, pool_url: str, application: str
) -> None:
    pooled.create_metric(uid="before", name="Before")
    outcome: list[BaseException | None] = []

    def write() -> None:
        try:
            pooled.create_metric(uid="cut", name="Cut")
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    with raw_connection(outside(pool_url)) as locker:
        locker.execute("BEGIN")
        locker.execute("LOCK TABLE metric IN ACCESS EXCLUSIVE MODE")
        writer = threading.Thread(target=write)
        writer.start()
        wait_for(lambda: bool(backends(pool_url, application, "AND wait_event_type = 'Lock'")))
        kill_backends(pool_url, application)
        writer.join(timeout=30)
        locker.execute("ROLLBACK")
    assert len(outcome) == 1
    assert isinstance(outcome[0], DatabaseUnavailableError), outcome
    assert [metric.uid for metric in all_metrics(pooled)] == ["before"]


def test_a_snapshot_cut_mid_flight_raises_a_registry_error(
    pooled: MetricRegistry, pool_url: str, application: str
) -> None:
    pooled.create_metric(uid="m", name="M")
    store = pooled._store

    def cut_short() -> None:
        with store.snapshot():
            store.fetch_one("SELECT 1", ())
            kill_backends(pool_url, application)
            store.fetch_one("SELECT 1", ())

    with pytest.raises(DatabaseUnavailableError):
        cut_short()
    assert pooled.get_metric("m").uid == "m"


# -- what the pool's connections are ---------------------------------------------------------


def test_transactions_on_pooled_connections_are_real(pooled: MetricRegistry, pool_url: str) -> None:
    with pooled.atomic():
        pooled.create_metric(uid="inside", name="Inside")
        with raw_connection(pool_url) as other:
            assert other.execute("SELECT count(*) FROM metric").fetchone()[0] == 0
    with raw_connection(pool_url) as other:
        assert other.execute("SELECT count(*) FROM metric").fetchone()[0] == 1

    def undone() -> None:
        with pooled.atomic():
            pooled.create_metric(uid="undone", name="Undone")
            raise RuntimeError("undo")

    with pytest.raises(RuntimeError, match="undo"):
        undone()
    assert [metric.uid for metric in all_metrics(pooled)] == ["inside"]


def test_snapshot_is_repeatable_read_and_read_only(pooled: MetricRegistry) -> None:
    store = pooled._store
    with store.snapshot():
        settings = store.fetch_one(
            "SELECT current_setting('transaction_isolation'),"
            " current_setting('transaction_read_only')",
            (),
        )
    assert tuple(settings) == ("repeatable read", "on")


def test_pooled_connections_are_in_autocommit_mode(pooled: MetricRegistry) -> None:
    connections: Any = pooled._store.engine.connections
    connection = connections.acquire()
    try:
        assert connection.autocommit is True
    finally:
        connections.release(connection)


def test_the_peewee_database_only_compiles(pooled: MetricRegistry) -> None:
    pooled.create_metric(uid="m", name="M")
    pooled.list_metrics(search="m")
    database = pooled._store.database
    assert database.is_closed()
    with pytest.raises(RuntimeError, match="compiles SQL"):
        database.connect()


def test_connections_are_named_metric_registry_by_default(postgres_url: str) -> None:
    with MetricRegistry(postgres_url) as registry:
        name = registry._store.fetch_one("SELECT current_setting('application_name')", ())[0]
    assert name == "metric-registry"


def test_the_pool_never_opens_more_than_its_maximum(
    pooled: MetricRegistry, pool_url: str, application: str
) -> None:
    seen: list[int] = []

    def work(number: int) -> None:
        with pooled.atomic():
            pooled.create_metric(uid=f"m{number}", name="M")
            time.sleep(0.05)
            seen.append(len(backends(pool_url, application)))

    assert run_threads(3 * POOL_MAX_SIZE, work) == []
    assert len(all_metrics(pooled)) == 3 * POOL_MAX_SIZE
    assert max(seen) <= POOL_MAX_SIZE


# -- closing ---------------------------------------------------------------------------------


def test_close_from_another_thread_leaves_the_pool_open(pooled: MetricRegistry) -> None:
    pooled.create_metric(uid="m", name="M")
    assert run_threads(1, lambda _: pooled.close()) == []
    assert pooled.get_metric("m").uid == "m"


def test_close_from_the_opening_thread_closes_every_connection(
    pool_url: str, application: str
) -> None:
    registry = MetricRegistry(pool_url)
    registry.create_metric(uid="m", name="M")
    assert backends(pool_url, application)
    registry.close()
    wait_for(lambda: backends(pool_url, application) == [])
    with pytest.raises(DatabaseUnavailableError, match="closed"):
        registry.get_metric("m")
    registry.close()  # twice is fine
