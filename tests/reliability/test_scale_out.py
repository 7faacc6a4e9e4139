"""Two server processes on one PostgreSQL database: racing creates of one uid have one winner.

Contenders are threads released together by a barrier for each uid, half of them sending
through each server; in the mixed round some speak REST and some GraphQL. Exactly one gets
the metric; every other one gets a conflict (REST 409 ``already_exists``, GraphQL the
``ConflictError`` union member), and the database holds each uid once.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from tests.e2e.conftest import LiveServer, start_server

from .conftest import check_no_leak, client, log_problems

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

UIDS_PER_ROUND = 25
CONTENDERS = 6
CREATE = """
mutation Create($input: CreateMetricInput!) {
  createMetric(input: $input) {
    __typename
    ... on Metric { uid name }
    ... on UserError { code message }
  }
}
"""

# An outcome: "won", "conflict", or a description of anything else.
Send = Callable[[Any, str, str], str]


def by_rest(http: Any, uid: str, name: str) -> str:
    response = http.post("/api/metrics", json={"uid": uid, "name": name})
    check_no_leak(response)
    if response.status_code == 200:
        return "won"
    if response.status_code == 409 and response.json()["errors"][0]["code"] == "already_exists":
        return "conflict"
    return f"REST {response.status_code}: {response.text[:300]}"


def by_graphql(http: Any, uid: str, name: str) -> str:
    variables = {"input": {"uid": uid, "name": name}}
    response = http.post("/graphql", json={"query": CREATE, "variables": variables})
    check_no_leak(response)
    body = response.json()
    result = (body.get("data") or {}).get("createMetric") or {}
    if response.status_code == 200 and "errors" not in body:
        if result.get("__typename") == "Metric" and result["uid"] == uid:
            return "won"
        if result.get("__typename") == "ConflictError" and result["code"] == "already_exists":
            return "conflict"
    return f"GraphQL {response.status_code}: {response.text[:300]}"


def race(servers: list[LiveServer], faces: list[Send], prefix: str) -> dict[str, list[str]]:
    """Each uid in turn: CONTENDERS threads, released together, try to create it."""
    uids = [f"{prefix}_{n}" for n in range(UIDS_PER_ROUND)]
    outcomes: dict[str, list[str]] = {uid: [] for uid in uids}
    lock = threading.Lock()
    barrier = threading.Barrier(CONTENDERS)

    def contend(number: int) -> None:
        server = servers[number % len(servers)]
        send = faces[number % len(faces)]
        with client(server) as http:
            http.get("/api/metrics", params={"per_page": 1})  # open the connection first
            for uid in uids:
                barrier.wait(timeout=30)
                try:
                    outcome = send(http, uid, f"{send.__name__} via {server.base_url}")
                except Exception as exc:
                    outcome = f"{type(exc).__name__}: {exc}"
                with lock:
                    outcomes[uid].append(outcome)

    threads = [threading.Thread(target=contend, args=(n,)) for n in range(CONTENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def duplicated_uids(url: str) -> list[Any]:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT uid, count(*) FROM metric GROUP BY uid HAVING count(*) > 1"
        ).fetchall()


def test_two_servers_one_winner_per_uid(postgres_url: str, figures: dict[str, object]) -> None:
    # The second server must not issue tokens: that would revoke the first one's.
    with (
        start_server(postgres_url) as first,
        start_server(postgres_url, issue=False) as second,
    ):
        second.write_token = first.write_token
        servers = [first, second]
        rounds: dict[str, list[Send]] = {
            "rest": [by_rest],
            "graphql": [by_graphql],
            "mixed": [by_rest, by_rest, by_graphql],
        }
        tally: Counter[str] = Counter()
        for prefix, faces in rounds.items():
            outcomes = race(servers, faces, prefix)
            for uid, seen in outcomes.items():
                assert len(seen) == CONTENDERS, (uid, seen)
                assert Counter(seen) == {"won": 1, "conflict": CONTENDERS - 1}, (uid, seen)
            tally.update(outcome for seen in outcomes.values() for outcome in seen)

        assert duplicated_uids(postgres_url) == []
        for server in servers:
            with client(server) as http:
                listing = http.get("/api/metrics", params={"per_page": 1}).json()
                assert listing["data"]["_meta"]["total_items"] == len(rounds) * UIDS_PER_ROUND
            assert log_problems(server) == []
    figures.update(
        servers=2,
        contenders_per_uid=CONTENDERS,
        uids=len(rounds) * UIDS_PER_ROUND,
        winners=tally["won"],
        conflicts=tally["conflict"],
        rounds=list(rounds),
    )
