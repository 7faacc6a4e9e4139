"""A write waiting for SQLite's write lock must not freeze the worker.

Another process holds ``BEGIN IMMEDIATE`` on the server's database for a few seconds (as a
long import or a backup would). Meanwhile a REST create and a GraphQL ``createMetric`` are
sent: each must succeed once the lock frees (within the busy timeout), and all the while the
same single worker keeps answering reads and ``/healthz`` at once.
"""

from __future__ import annotations

import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from typing import Any

import httpx2
import pytest

from tests.e2e.conftest import LiveServer

from .conftest import client, log_problems

pytestmark = pytest.mark.e2e

HOLD_SECONDS = 3.0
MAX_READS = 5_000
READ_P99_LIMIT_MS = 100.0
BUSY_TIMEOUT_SECONDS = 10.0
HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("COMMIT")
"""
GET_QUERY = {"query": 'query { metric(uid: "seed") { uid name } }'}
CREATE = (
    'mutation { createMetric(input: {uid: "during_graphql", name: "Written while locked"}) '
    "{ __typename } }"
)


@contextmanager
def write_lock_held(db_path: str) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the write lock for HOLD_SECONDS from the start of the block;
    the block ends after it has let go."""
    command = [sys.executable, "-c", HOLDER, db_path, str(HOLD_SECONDS)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as holder:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        yield holder
        holder.wait(timeout=BUSY_TIMEOUT_SECONDS)


def timed_write(server: LiveServer, face: str, outcome: dict[str, Any]) -> None:
    started = time.monotonic()
    with client(server, timeout=BUSY_TIMEOUT_SECONDS + 10) as http:
        if face == "rest":
            response = http.post(
                "/api/metrics", json={"uid": "during_rest", "name": "Written while locked"}
            )
        else:
            response = http.post("/graphql", json={"query": CREATE})
    outcome[face] = (response, time.monotonic() - started)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def test_reads_stay_fast_while_a_write_waits_for_the_lock(
    fresh_server: LiveServer, figures: dict[str, object]
) -> None:
    with client(fresh_server) as http:
        http.post("/api/metrics", json={"uid": "seed", "name": "Seed"}).raise_for_status()
    writes: dict[str, Any] = {}
    writers = [
        threading.Thread(target=timed_write, args=(fresh_server, face, writes))
        for face in ("rest", "graphql")
    ]
    latencies: dict[str, list[float]] = {"rest": [], "graphql": [], "healthz": []}
    with write_lock_held(fresh_server.db_path) as holder:
        for writer in writers:
            writer.start()
        with client(fresh_server, timeout=BUSY_TIMEOUT_SECONDS + 10) as http:
            reads = 0
            while holder.poll() is None and reads < MAX_READS:
                for kind, send in (
                    ("rest", lambda: http.get("/api/metrics/seed")),
                    ("graphql", lambda: http.post("/graphql", json=GET_QUERY)),
                    ("healthz", lambda: http.get("/healthz")),
                ):
                    started = time.monotonic()
                    response = send()
                    latencies[kind].append((time.monotonic() - started) * 1000)
                    assert response.status_code == 200, response.text
                    reads += 1
    for writer in writers:
        writer.join(timeout=BUSY_TIMEOUT_SECONDS + 15)

    every_read = [ms for kind in latencies.values() for ms in kind]
    rest_response, rest_seconds = writes["rest"]
    graphql_response, graphql_seconds = writes["graphql"]
    figures.update(
        hold_s=HOLD_SECONDS,
        reads_during_hold=len(every_read),
        read_p50_ms=round(statistics.median(every_read), 2),
        read_p99_ms=round(percentile(every_read, 0.99), 2),
        read_max_ms=round(max(every_read), 2),
        healthz_max_ms=round(max(latencies["healthz"]), 2),
        rest_create_s=round(rest_seconds, 2),
        graphql_create_s=round(graphql_seconds, 2),
    )
    assert rest_response.status_code == 200, rest_response.text
    assert graphql_response.json() == {"data": {"createMetric": {"__typename": "Metric"}}}
    # Both writes really waited for the lock, and no longer than the busy timeout.
    assert 1.0 < rest_seconds < BUSY_TIMEOUT_SECONDS
    assert 1.0 < graphql_seconds < BUSY_TIMEOUT_SECONDS
    assert len(every_read) >= 30
    assert percentile(every_read, 0.99) < READ_P99_LIMIT_MS, figures
    with client(fresh_server) as http:
        for uid in ("during_rest", "during_graphql"):
            assert http.get(f"/api/metrics/{uid}").status_code == 200
    assert log_problems(fresh_server) == []


def test_the_hold_is_real(fresh_server: LiveServer) -> None:
    """Without the server: while the holder runs, a writer with no busy timeout is refused."""
    with write_lock_held(fresh_server.db_path):
        other = sqlite3.connect(fresh_server.db_path, timeout=0, isolation_level=None)
        with closing(other), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    assert httpx2.get(f"{fresh_server.base_url}/healthz").status_code == 200
