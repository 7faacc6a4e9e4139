"""GraphQL benchmark: ``metric-registry serve`` against the bare Starlette + sqlite3 floor.

    python -m bench.bench_graphql [--seconds 10] [--connections 16]

Needs wrk (``apt-get install -y wrk``). Both servers run under uvicorn (uvloop + httptools,
1 worker, access log off); wrk loads them from a separate process on 127.0.0.1.

Targets (issue 3): createMetric >= 0.25x the floor's requests/s, metric(uid) >= 0.25x, and at
one connection a p50 latency <= 4x the floor's.
"""

from __future__ import annotations

import argparse
import json

from bench._http import (
    Load,
    bare_server,
    get_script,
    post_same_script,
    post_script,
    print_comparison,
    product_server,
    run_label,
    workdir,
    wrk,
)

CREATE = (
    "mutation Create($input: CreateMetricInput!) { createMetric(input: $input) "
    "{ __typename ... on Metric { uid name valueType createdAt } } }"
)
GET = "query Get($uid: String!) { metric(uid: $uid) { uid name valueType createdAt } }"
SEED_UID = "seed_metric"
JSON_HEADERS = {"Content-Type": "application/json"}


def create_body(run: str) -> str:
    """The createMetric request, with ``{uid}`` where wrk puts a fresh uid."""
    body = json.dumps(
        {"query": CREATE, "variables": {"input": {"uid": "UID", "name": "Bench metric"}}}
    )
    return body.replace("UID", run + "{uid}")


def bare_create_body(run: str) -> str:
    # wrk's uid prefix repeats from run to run: each run on a database gets its own prefix.
    return '{"uid": "' + run + '{uid}", "name": "Bench metric"}'


def seed(base_url: str, path: str, body: str, headers: dict[str, str]) -> None:
    import httpx2

    response = httpx2.post(base_url + path, content=body, headers=headers)
    response.raise_for_status()


def measure(seconds: int, connections: int) -> dict[str, tuple[Load, Load]]:
    results: dict[str, tuple[Load, Load]] = {}
    with workdir() as folder:
        with bare_server(folder / "bare.db") as bare:
            seed(bare, "/bare/metrics", json.dumps({"uid": SEED_UID, "name": "Seed"}), {})
            bare_create = wrk(
                bare + "/bare/metrics",
                post_script("/bare/metrics", bare_create_body("many_"), {}),
                connections=connections,
                seconds=seconds,
            )
            bare_get = wrk(
                f"{bare}/bare/metrics/{SEED_UID}",
                get_script({}),
                connections=connections,
                seconds=seconds,
            )
            bare_get_1 = wrk(
                f"{bare}/bare/metrics/{SEED_UID}", get_script({}), connections=1, seconds=seconds
            )
            bare_create_1 = wrk(
                bare + "/bare/metrics",
                post_script("/bare/metrics", bare_create_body("one_"), {}),
                connections=1,
                seconds=seconds,
            )
        with product_server(folder / "product.db") as (product, token):
            headers = {**JSON_HEADERS, "Authorization": f"Bearer {token}"}
            seed_body = json.dumps(
                {"query": CREATE, "variables": {"input": {"uid": SEED_UID, "name": "Seed"}}}
            )
            seed(product, "/graphql", seed_body, headers)
            get_body = json.dumps({"query": GET, "variables": {"uid": SEED_UID}})
            create_script = post_script("/graphql", create_body("many_"), headers)
            create_script_1 = post_script("/graphql", create_body("one_"), headers)
            get_script_ = post_same_script(get_body, headers)
            url = product + "/graphql"
            product_create = wrk(url, create_script, connections=connections, seconds=seconds)
            product_get = wrk(url, get_script_, connections=connections, seconds=seconds)
            product_get_1 = wrk(url, get_script_, connections=1, seconds=seconds)
            product_create_1 = wrk(url, create_script_1, connections=1, seconds=seconds)
    results[f"createMetric, {connections} conn"] = (product_create, bare_create)
    results[f"metric(uid), {connections} conn"] = (product_get, bare_get)
    results["metric(uid), 1 conn"] = (product_get_1, bare_get_1)
    results["createMetric, 1 conn"] = (product_create_1, bare_create_1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(f"{run_label('bench_graphql')}, {args.seconds:g} s per load")
    targets = {
        "createMetric": ">= 0.25x req/s",
        "metric(uid)": ">= 0.25x req/s",
    }
    for label, (product, floor) in measure(args.seconds, args.connections).items():
        target = targets[label.split(",")[0]]
        if label.endswith(", 1 conn"):
            target = "p50 <= 4x"
        print_comparison(label, product, floor, target)


if __name__ == "__main__":
    main()
