"""GraphQL values benchmark: ``recordMetricValue`` against the bare Starlette + sqlite3 floor.

    python -m bench.bench_graphql_values [--seconds 10] [--connections 16]

Needs wrk (``apt-get install -y wrk``). Both servers run under uvicorn (uvloop + httptools,
1 worker, access log off) on a registry's schema with one cents metric and an entity per
load; wrk loads them from a separate process on 127.0.0.1, each request a new date (so a new
value) of 2**62 + 7 cents. The floor (``bench/bare_server.py``, ``/bare/value-inserts``)
looks the metric and the entity up and inserts the row in one write transaction. The rows
stored after each load are counted, so that an answer that was not a write (a GraphQL union
member is a 200) cannot pass for one.

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
    """``load``, after checking that (about) every request stored a value."""
    rows = stored(db_path, entity)
    expected = load.requests_per_second * seconds
    if abs(rows - expected) > 0.02 * expected + 50:
        raise SystemExit(f"{label}: {rows} values stored for about {expected:.0f} requests")
    return load


def measure(seconds: int, connections: int) -> dict[str, tuple[Load, Load]]:
    results: dict[str, tuple[Load, Load]] = {}
    with workdir() as folder:
        bare_db = folder / "bare.db"
        with bare_server(bare_db) as bare:
            many, one = prepare(bare_db, 2)
            bare_many = loaded(
                bare, "/bare/value-inserts", bare_body(many), {}, connections, seconds
            )
            bare_one = loaded(bare, "/bare/value-inserts", bare_body(one), {}, 1, seconds)
        checked(bare_many, bare_db, many, seconds, "floor")
        checked(bare_one, bare_db, one, seconds, "floor, 1 conn")
        product_db = folder / "product.db"
        MetricRegistry(str(product_db)).close()
        many, one = prepare(product_db, 2)
        with product_server(product_db) as (product, token):
            headers = {**JSON_HEADERS, "Authorization": f"Bearer {token}"}
            product_many = loaded(
                product, "/graphql", product_body(many), headers, connections, seconds
            )
            product_one = loaded(product, "/graphql", product_body(one), headers, 1, seconds)
        checked(product_many, product_db, many, seconds, "recordMetricValue")
        checked(product_one, product_db, one, seconds, "recordMetricValue, 1 conn")
    results[f"recordMetricValue, {connections} conn"] = (product_many, bare_many)
    results["recordMetricValue, 1 conn"] = (product_one, bare_one)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(f"{run_label('bench_graphql_values')}, {args.seconds:g} s per load")
    for label, (product, floor) in measure(args.seconds, args.connections).items():
        target = "p50 <= 4x" if label.endswith(", 1 conn") else ">= 0.25x req/s"
        print_comparison(label, product, floor, target)


if __name__ == "__main__":
    main()
