"""PostgreSQL connections lost mid-flight: a registry error, and nothing half-written.

Each test names its registry's connections with its own ``application_name``, so that
``pg_terminate_backend`` kills those alone on a server other tests share.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from metric_registry import DatabaseOpenError, MetricRegistry
from metric_registry.errors import DatabaseUnavailableError

from ._support import all_metrics, raw_connection

pytestmark = pytest.mark.postgres

POOL_MAX_SIZE = 10


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
