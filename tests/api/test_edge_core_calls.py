"""Core calls on the event loop, and in a thread only when SQLite's write lock is held elsewhere.

The lock is really held: another connection to the same file runs ``BEGIN IMMEDIATE`` and
commits from a timer thread. A spy around one registry method records the thread of each call.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from typing import Any

import pytest

from metric_registry import MetricRegistry
from tests.api._support import Api, GraphQL, serving, success

HOLD_SECONDS = 0.3


@pytest.fixture
def api(sqlite_path: str) -> Iterator[Api]:
    with MetricRegistry(sqlite_path) as registry, serving(registry) as served:
        yield served


@contextmanager
def write_lock_held(db_path: str, seconds: float = HOLD_SECONDS) -> Iterator[None]:
    """Another connection holds the write lock, released ``seconds`` after the block starts."""
    connection = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    with closing(connection):
        connection.execute("BEGIN IMMEDIATE")
        release = threading.Timer(seconds, connection.execute, ("COMMIT",))
        release.start()
        try:
            yield
        finally:
            release.join()


def spy(monkeypatch: pytest.MonkeyPatch, registry: MetricRegistry, name: str) -> list[str]:
    """The name of the thread of every call of ``registry.<name>`` from now on."""
    threads: list[str] = []
    real: Callable[..., Any] = getattr(registry, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(registry, name, recorded)
    return threads


def test_a_call_runs_on_the_event_loop_when_nothing_holds_the_lock(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = spy(monkeypatch, api.registry, "create_metric")
    api.create(uid="dso", name="DSO")
    api.create(uid="dpo", name="DPO")

    assert len(threads) == 2
    assert len(set(threads)) == 1  # the portal's event loop thread, both times


def test_a_rest_write_waits_for_the_lock_in_a_thread_and_succeeds(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = spy(monkeypatch, api.registry, "create_metric")
    with write_lock_held(api.registry.database):
        created = api.create(uid="dso", name="DSO")

    assert created["uid"] == "dso"
    loop, worker = threads  # refused at once on the loop, then run again in the threadpool
    assert loop != worker
    assert api.registry.get_metric("dso").name == "DSO"


def test_a_rest_update_and_delete_wait_for_the_lock_too(api: Api) -> None:
    api.create(uid="dso", name="DSO")
    with write_lock_held(api.registry.database):
        response = api.request("PATCH", "/api/metrics/dso", json={"name": "Days"})
    assert success(response, "Metric updated")["name"] == "Days"
    with write_lock_held(api.registry.database):
        response = api.request("DELETE", "/api/metrics/dso")
    assert success(response, "Metric deleted") == {"uid": "dso"}


CREATE_TWO = """mutation {
  first: createMetric(input: {uid: "dso", name: "DSO"}) { __typename ... on UserError { code } }
  second: createMetric(input: {uid: "dso", name: "Again"}) { __typename ... on UserError { code } }
}"""


def test_a_graphql_mutation_waiting_for_the_lock_keeps_its_order_and_its_union_members(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = spy(monkeypatch, api.registry, "create_metric")
    with write_lock_held(api.registry.database):
        body = GraphQL(api)(CREATE_TWO)

    assert body == {
        "data": {
            "first": {"__typename": "Metric"},
            "second": {"__typename": "ConflictError", "code": "already_exists"},
        }
    }
    assert threads[0] != threads[1]  # the first field went to a thread (the second may not)
    assert api.registry.get_metric("dso").name == "DSO"


def test_a_graphql_validation_error_after_waiting_is_its_union_member(api: Api) -> None:
    document = 'mutation { createMetric(input: {uid: "Bad-Uid", name: "x"}) { __typename } }'
    with write_lock_held(api.registry.database):
        body = GraphQL(api)(document)

    # Refused by the core's rules before any write: no wait at all.
    assert body == {"data": {"createMetric": {"__typename": "ValidationError"}}}
