"""GraphQL values benchmark: ``recordMetricValue`` against the bare Starlette + sqlite3 floor.

    python -m bench.bench_graphql_values [--seconds 10] [--connections 16] [--rounds 3]

Needs wrk (``apt-get install -y wrk``). Both servers run under uvicorn (uvloop + httptools,
1 worker, access log off) on a registry's schema with one cents metric and an entity per
load; wrk loads them from a separate process on 127.0.0.1, each request a new date (so a new
value) of 2**62 + 7 cents. The floor (``bench/bare_server.py``, ``/bare/value-inserts``)
looks the metric and the entity up and inserts the row in one write transaction. The rows
stored after each load are counted, so that an answer that was not a write (a GraphQL union
member is a 200) cannot pass for one. Writes wait for fsync (``synchronous=FULL``) on a disk
shared with other jobs, so the loads are interleaved in rounds, the floor's and the product's
back to back, and the round of the median ratio is the result.

Target (issue 10): recordMetricValue >= 0.25x the floor's requests/s; at one connection the
p50 latency is shown against the floor's (<= 4x, as for createMetric).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

from bench._http import (
    Load,
    bare_server,
    get_script,
    print_comparison,
    product_server,
    run_label,
    workdir,
    wrk,
)
from metric_registry import MetricRegistry

METRIC = "bench_cents"
CENTS = 2**62 + 7
RECORD = (
    "mutation Record($input: RecordMetricValueInput!) { recordMetricValue(input: $input) "
    "{ __typename ... on MetricValue { uid value metricDate createdAt } } }"
)
JSON_HEADERS = {"Content-Type": "application/json"}
DATE = "DATE"


def dated_script(path: str, body_template: str, headers: dict[str, str]) -> str:
    """A wrk Lua script POSTing ``body_template`` with ``DATE`` replaced by a new day each
    request (1970-01-02, then the next day…): every request records a new value."""
    before, after = body_template.split(DATE)
    return (
        'wrk.method = "POST"\n'
        "local counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  local day = os.date("!%Y-%m-%d", counter * 86400)\n'
        f"  local body = {json.dumps(before)} .. day .. {json.dumps(after)}\n"
        f"  return wrk.format(nil, {json.dumps(path)}, nil, body)\n"
        "end\n" + get_script(headers)
    )


def prepare(db_path: Path, entities: int) -> list[str]:
    """The metric and ``entities`` entities (one per load) in the database; their uids."""
    uids = [str(uuid.uuid4()) for _ in range(entities)]
    with MetricRegistry(str(db_path)) as registry:
        registry.create_metric(uid=METRIC, name="Bench cents", storage_unit="cents")
        for uid in uids:
            registry.register_entity("ORGANIZATION", uid)
    return uids


def stored(db_path: Path, entity: str) -> int:
    """How many values of ``entity`` the database holds."""
    with closing(sqlite3.connect(db_path, timeout=30)) as connection:
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM metric_value v JOIN entity e ON e.id = v.entity_id "
            "WHERE e.uid = ?",
            (entity,),
        ).fetchone()
    return int(count)


def product_body(entity: str) -> str:
    given = {
        "contextType": "ORGANIZATION",
        "entityUid": entity,
        "metricUid": METRIC,
        "metricDate": DATE,
        "value": CENTS,
    }
    return json.dumps({"query": RECORD, "variables": {"input": given}})


def bare_body(entity: str) -> str:
    given = {
        "context_type": "ORGANIZATION",
        "entity_uid": entity,
        "metric_uid": METRIC,
        "metric_date": DATE,
        "value": CENTS,
    }
    return json.dumps(given)


def loaded(
    url: str, path: str, body: str, headers: dict[str, str], connections: int, seconds: int
) -> Load:
    return wrk(
        url + path,
        dated_script(path, body, headers),
        connections=connections,
        seconds=seconds,
    )


def checked(load: Load, db_path: Path, entity: str, seconds: int, label: str) -> Load:
    """``load``, after checking that every request stored a value (wrk's load lasts at least
    ``seconds``, so requests/s x seconds is at most the number of requests)."""
    rows = stored(db_path, entity)
    expected = load.requests_per_second * seconds
    if rows < 0.99 * expected - 10:
        raise SystemExit(f"{label}: {rows} values stored for about {expected:.0f} requests")
    return load


def measure(seconds: int, connections: int, rounds: int) -> dict[str, list[tuple[Load, Load]]]:
    """Both servers up at once; each round loads the floor, then the product, at
    ``connections`` and at 1 connection (interleaved, so that the disk's moods hit both)."""
    results: dict[str, list[tuple[Load, Load]]] = {
        f"recordMetricValue, {connections} conn": [],
        "recordMetricValue, 1 conn": [],
    }
    with workdir() as folder:
        bare_db, product_db = folder / "bare.db", folder / "product.db"
        MetricRegistry(str(product_db)).close()
        with bare_server(bare_db) as bare, product_server(product_db) as (product, token):
            floor_entities = prepare(bare_db, 2 * rounds)
            product_entities = prepare(product_db, 2 * rounds)
            headers = {**JSON_HEADERS, "Authorization": f"Bearer {token}"}
            for round_ in range(rounds):
                for slot, (label, width) in enumerate(zip(results, (connections, 1), strict=True)):
                    floor_entity = floor_entities[2 * round_ + slot]
                    product_entity = product_entities[2 * round_ + slot]
                    floor = loaded(
                        bare, "/bare/value-inserts", bare_body(floor_entity), {}, width, seconds
                    )
                    checked(floor, bare_db, floor_entity, seconds, f"floor, {label}")
                    measured = loaded(
                        product, "/graphql", product_body(product_entity), headers, width, seconds
                    )
                    checked(measured, product_db, product_entity, seconds, label)
                    results[label].append((measured, floor))
    return results


def median_round(loads: list[tuple[Load, Load]]) -> tuple[Load, Load]:
    """The round whose requests/s ratio is the median one."""
    ranked = sorted(
        loads, key=lambda pair: pair[0].requests_per_second / pair[1].requests_per_second
    )
    return ranked[len(ranked) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{run_label('bench_graphql_values')}, {args.seconds:g} s per load, {args.rounds} rounds")
    for label, loads in measure(args.seconds, args.connections, args.rounds).items():
        target = "p50 <= 4x" if label.endswith(", 1 conn") else ">= 0.25x req/s"
        for number, (product, floor) in enumerate(loads, start=1):
            print_comparison(f"{label} #{number}", product, floor, target)
        print_comparison(f"{label} median", *median_round(loads), target)


if __name__ == "__main__":
    main()
