"""SIGKILL in the middle of concurrent writes loses no acknowledged write (SQLite, WAL).

Each round starts the server on the same file, lets writer threads create and then rename
metrics over REST, and kills the server with SIGKILL once enough writes were acknowledged,
while the writers are still sending. The next start must show every acknowledged create, with
every acknowledged rename, and nothing that was never sent; the file must pass
``PRAGMA integrity_check``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx2
import pytest

from tests.e2e.conftest import LiveServer, start_server

from .conftest import check_no_leak, client, integrity, stored_uids

pytestmark = pytest.mark.e2e

WRITERS = 4
WRITES_PER_WRITER = 400  # the bound on each writer; a round is killed long before it
KILL_AFTER = (20, 60, 150)  # acknowledged writes in each round before SIGKILL
ROUND_DEADLINE_SECONDS = 30.0


@dataclass
class Outcomes:
    """What the clients saw, shared by the writer threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, str] = field(default_factory=dict)  # uid -> name acknowledged
    in_flight: dict[str, set[str]] = field(default_factory=dict)  # uid -> names maybe stored
    refused: list[str] = field(default_factory=list)
    writes: int = 0

    def acknowledge(self, uid: str, name: str) -> None:
        with self.lock:
            self.acknowledged[uid] = name
            self.writes += 1

    def unknown(self, uid: str, name: str) -> None:
        with self.lock:
            self.in_flight.setdefault(uid, set()).add(name)


def write(server: LiveServer, prefix: str, outcomes: Outcomes, stop: threading.Event) -> None:
    """Create ``prefix_n`` then rename it, until stopped, the bound, or the server dies."""
    with client(server, timeout=10.0) as http:
        for n in range(WRITES_PER_WRITER // 2):
            if stop.is_set():
                return
            uid = f"{prefix}_{n}"
            for method, path, body in (
                ("POST", "/api/metrics", {"uid": uid, "name": "first"}),
                ("PATCH", f"/api/metrics/{uid}", {"name": "second"}),
            ):
                try:
                    response = http.request(method, path, json=body)
                except httpx2.TransportError:  # the server died: this write may or may not be in
                    outcomes.unknown(uid, body["name"])
                    return
                if response.status_code == 200:
                    outcomes.acknowledge(uid, body["name"])
                else:
                    with outcomes.lock:
                        outcomes.refused.append(f"{method} {uid}: {response.text[:300]}")
                    return


def check_every_acknowledged_write(server: LiveServer, outcomes: Outcomes) -> None:
    with client(server) as http:
        for uid, name in outcomes.acknowledged.items():
            response = http.get(f"/api/metrics/{uid}")
            check_no_leak(response)
            assert response.status_code == 200, f"acknowledged {uid} lost: {response.text}"
            stored_name = response.json()["data"]["name"]
            allowed = {name} | outcomes.in_flight.get(uid, set())
            assert stored_name in allowed, f"{uid}: acknowledged {name!r}, stored {stored_name!r}"


def test_sigkill_during_concurrent_writes_loses_no_acknowledged_write(
    sqlite_path: str, figures: dict[str, object]
) -> None:
    outcomes = Outcomes()
    killed_while_writing = []
    for round_number, kill_after in enumerate(KILL_AFTER):
        with start_server(sqlite_path) as server:
            check_every_acknowledged_write(server, outcomes)
            stop = threading.Event()
            writers = [
                threading.Thread(
                    target=write, args=(server, f"r{round_number}_w{w}", outcomes, stop)
                )
                for w in range(WRITERS)
            ]
            target = outcomes.writes + kill_after
            for writer in writers:
                writer.start()
            deadline = time.monotonic() + ROUND_DEADLINE_SECONDS
            while outcomes.writes < target and time.monotonic() < deadline:
                if not any(writer.is_alive() for writer in writers):
                    break
                time.sleep(0.002)
            killed_while_writing.append(sum(writer.is_alive() for writer in writers))
            server.process.kill()  # SIGKILL: no shutdown, no checkpoint, no atexit
            server.process.wait(timeout=10)
            stop.set()
            for writer in writers:
                writer.join(timeout=30)
            assert not any(writer.is_alive() for writer in writers)
        assert not outcomes.refused, outcomes.refused
        assert outcomes.writes >= target, f"round {round_number}: only {outcomes.writes} writes"
        assert integrity(sqlite_path) == [("ok",)]

    assert all(killed_while_writing), f"writers alive at each SIGKILL: {killed_while_writing}"
    uids = stored_uids(sqlite_path)
    created = set(outcomes.acknowledged)
    assert created <= uids, f"acknowledged but lost: {sorted(created - uids)}"
    phantoms = uids - created - set(outcomes.in_flight)
    assert not phantoms, f"stored but never sent: {sorted(phantoms)}"
    with start_server(sqlite_path) as server:
        check_every_acknowledged_write(server, outcomes)
        assert server.log().count("Traceback") == 0, server.log()
    figures.update(
        rounds=len(KILL_AFTER),
        writers=WRITERS,
        acknowledged_writes=outcomes.writes,
        acknowledged_creates=len(created),
        unacknowledged_in_flight=sum(len(names) for names in outcomes.in_flight.values()),
        writers_alive_at_kills=killed_while_writing,
        lost=0,
    )
