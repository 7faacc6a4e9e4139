"""Concurrent clients against ``serve --workers 2`` on one SQLite file.

Each client thread mixes creates, updates, gets and lists of its own metrics, and races the
others to create a handful of shared uids. Nothing may answer 5xx or mention a locked
database; every client reads its own acknowledged writes back at once (whichever worker
answers); afterwards every acknowledged create is there with its last acknowledged update.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.e2e.conftest import LiveServer, start_server

from .conftest import check_no_leak, client, log_problems

pytestmark = pytest.mark.e2e

CLIENTS = 8
REQUESTS_PER_CLIENT = 200
SHARED_UIDS = [f"shared_{n}" for n in range(16)]
VALUE_TYPES = ["currency", "percentage", "days", "count", "ratio"]


@dataclass
class Client:
    """One client's view: what it was told, and what it expects to read back."""

    number: int
    expected: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    won: list[str] = field(default_factory=list)
    raced: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def run_client(server: LiveServer, me: Client, start: threading.Barrier) -> None:
    chooser = random.Random(me.number)
    shared = iter(chooser.sample(SHARED_UIDS, len(SHARED_UIDS)))
    with client(server) as http:
        start.wait(timeout=30)
        for n in range(REQUESTS_PER_CLIENT):
            kind = chooser.choices(
                ["create", "update", "get", "list", "race"], weights=[3, 3, 3, 2, 1]
            )[0]
            if kind in ("update", "get") and not me.expected:
                kind = "create"
            if kind == "race":
                uid = next(shared, None)
                if uid is None:
                    kind = "list"
            try:
                step(http, me, kind, n, chooser, uid if kind == "race" else None)
            except AssertionError as exc:
                me.problems.append(f"{kind}: {exc}")


def step(http: Any, me: Client, kind: str, n: int, chooser: random.Random, uid: str | None) -> None:
    if kind == "create":
        uid = f"c{me.number}_m{n}"
        body = {"uid": uid, "name": f"Metric {n}", "value_type": chooser.choice(VALUE_TYPES)}
        response = http.post("/api/metrics", json=body)
        record(me, kind, response)
        assert response.status_code == 200, response.text
        me.expected[uid] = response.json()["data"]
    elif kind == "update":
        uid = chooser.choice(sorted(me.expected))
        changes = {
            "name": f"Renamed {n}",
            "description": f"update {n} by client {me.number}",
            "is_active": chooser.random() < 0.5,
        }
        response = http.patch(f"/api/metrics/{uid}", json=changes)
        record(me, kind, response)
        assert response.status_code == 200, response.text
        assert {k: response.json()["data"][k] for k in changes} == changes
        me.expected[uid] = response.json()["data"]
    elif kind == "get":
        uid = chooser.choice(sorted(me.expected))
        response = http.get(f"/api/metrics/{uid}")
        record(me, kind, response)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == me.expected[uid], "a worker served a stale metric"
    elif kind == "list":
        query = {"search": f"c{me.number}_", "per_page": 100, "sort": "-updated_at"}
        if chooser.random() < 0.5:
            query["value_type"] = chooser.choice(VALUE_TYPES)
        response = http.get("/api/metrics", params=query)
        record(me, kind, response)
        assert response.status_code == 200, response.text
        listed = {item["uid"]: item for item in response.json()["data"]["items"]}
        mine = {
            uid: metric
            for uid, metric in me.expected.items()
            if query.get("value_type", metric["value_type"]) == metric["value_type"]
        }
        assert response.json()["data"]["_meta"]["total_items"] == len(mine)
        assert all(mine.get(uid) == item for uid, item in listed.items()), (
            "a listing disagrees with this client's acknowledged writes"
        )
    else:
        me.raced.append(str(uid))
        response = http.post("/api/metrics", json={"uid": uid, "name": f"won by {me.number}"})
        record(me, kind, response)
        assert response.status_code in (200, 409), response.text
        if response.status_code == 200:
            me.won.append(str(uid))
        else:
            assert response.json()["errors"][0]["code"] == "already_exists"


def record(me: Client, kind: str, response: Any) -> None:
    me.statuses[(kind, response.status_code)] += 1
    check_no_leak(response)


def test_concurrent_clients_on_two_workers(sqlite_path: str, figures: dict[str, object]) -> None:
    clients = [Client(number) for number in range(CLIENTS)]
    with start_server(sqlite_path, "--workers", "2") as server:
        barrier = threading.Barrier(CLIENTS)
        threads = [threading.Thread(target=run_client, args=(server, c, barrier)) for c in clients]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=100)
        elapsed = time.monotonic() - began
        assert not any(thread.is_alive() for thread in threads)

        problems = [problem for c in clients for problem in c.problems]
        assert not problems, problems[:10]
        statuses = sum((c.statuses for c in clients), Counter())
        assert sum(statuses.values()) == CLIENTS * REQUESTS_PER_CLIENT
        winners = Counter(uid for c in clients for uid in c.won)
        raced = {uid for c in clients for uid in c.raced}
        assert set(winners) == raced, "a raced uid has no winner"
        assert all(count == 1 for count in winners.values()), winners

        with client(server) as http:
            for c in clients:
                for uid, metric in c.expected.items():
                    response = http.get(f"/api/metrics/{uid}")
                    check_no_leak(response)
                    assert response.json()["data"] == metric
            for uid in raced:
                winner = next(c.number for c in clients if uid in c.won)
                response = http.get(f"/api/metrics/{uid}")
                assert response.json()["data"]["name"] == f"won by {winner}"
        assert log_problems(server) == []
        log = server.log()
        assert log.count("Started server process") == 2, log  # two worker processes
    figures.update(
        clients=CLIENTS,
        workers=2,
        requests=sum(statuses.values()),
        by_kind=dict(sorted(Counter(kind for (kind, _) in statuses.elements()).items())),
        statuses=dict(sorted(Counter(status for (_, status) in statuses.elements()).items())),
        acknowledged_creates=sum(len(c.expected) for c in clients) + len(winners),
        requests_per_second=round(sum(statuses.values()) / elapsed),
    )
