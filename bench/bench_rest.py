"""REST benchmark: ``metric-registry serve`` at /api/metrics against the bare Starlette floor.

    python -m bench.bench_rest [--seconds 5] [--rounds 5] [--connections 16]

Needs wrk (``apt-get install -y wrk``). Both servers run under uvicorn (uvloop + httptools,
1 worker, access log off); wrk loads them from a separate process on 127.0.0.1. The product
pays for what the floor skips: bearer-token lookup, validation, the envelope.

Targets (issue 4): POST /api/metrics and GET /api/metrics/{uid} >= 0.6x the floor's
requests/s in the same run.
"""

from __future__ import annotations

import argparse
import json
import statistics
from dataclasses import dataclass

import httpx2

from bench._http import (
    Load,
    bare_server,
    get_script,
    post_script,
    print_comparison,
    product_server,
    run_label,
    workdir,
    wrk,
)

SEED_UID = "seed_metric"
# The published example's body, with ``{uid}`` where wrk puts a fresh uid.
CREATE_BODY = json.dumps(
    {
        "uid": "{uid}",
        "name": "Party DSO",
        "context_type": "ORGANIZATION",
        "description": "<string>",
        "formula": "<string>",
        "value_type": "count",
        "storage_unit": "raw",
        "is_snapshot": False,
        "period_definition": "as_of_date",
        "is_active": True,
    }
)
TARGET = ">= 0.6x req/s"


def seed(url: str, headers: dict[str, str]) -> None:
    body = CREATE_BODY.replace("{uid}", SEED_UID)
    httpx2.post(url, content=body, headers=headers).raise_for_status()


@dataclass(frozen=True)
class Target:
    """One server under load: where to send each operation, and with which headers."""

    base_url: str
    path: str
    headers: dict[str, str]

    def load(self, operation: str, connections: int, seconds: int, round_: int) -> Load:
        if operation == "create":
            # wrk's Lua random generator is not seeded: the round keeps each run's uids new.
            body = CREATE_BODY.replace("{uid}", f"r{round_}_{{uid}}")
            script = post_script(self.path, body, self.headers)
            return wrk(self.base_url + self.path, script, connections=connections, seconds=seconds)
        url = f"{self.base_url}{self.path}/{SEED_UID}"
        return wrk(url, get_script(self.headers), connections=connections, seconds=seconds)


def median_load(loads: list[Load]) -> Load:
    """The load of median throughput (its latencies come with it)."""
    return sorted(loads, key=lambda load: load.requests_per_second)[len(loads) // 2]


@dataclass(frozen=True)
class Comparison:
    """Each round's load of the product and of the floor, in the order they ran."""

    product: list[Load]
    floor: list[Load]

    def paired_ratios(self) -> list[float]:
        return [
            product.requests_per_second / floor.requests_per_second
            for product, floor in zip(self.product, self.floor, strict=True)
        ]


def measure(seconds: int, connections: int, rounds: int) -> dict[str, Comparison]:
    """Both servers up at once; each round loads the floor, then the product, per operation.

    Alternating in short rounds keeps a burst of noise from another process on the machine
    from landing on one side only: each round gives a paired ratio, and their median is the
    figure to read.
    """
    json_headers = {"Content-Type": "application/json"}
    results: dict[str, Comparison] = {}
    with (
        workdir() as folder,
        bare_server(folder / "bare.db") as bare,
        product_server(folder / "product.db") as (product, token),
    ):
        floor = Target(bare, "/bare/metrics", json_headers)
        rest = Target(product, "/api/metrics", {**json_headers, "Authorization": f"Bearer {token}"})
        for target in (floor, rest):
            seed(target.base_url + target.path, target.headers)
        for operation, label in (
            ("create", "POST /api/metrics"),
            ("get", "GET /api/metrics/{uid}"),
        ):
            comparison = results[f"{label}, {connections} conn"] = Comparison([], [])
            for round_ in range(rounds):
                comparison.floor.append(floor.load(operation, connections, seconds, round_))
                comparison.product.append(rest.load(operation, connections, seconds, round_))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{run_label('bench_rest')}, {args.rounds} alternating rounds of "
        f"{args.seconds:g} s per load"
    )
    for label, comparison in measure(args.seconds, args.connections, args.rounds).items():
        print_comparison(
            label, median_load(comparison.product), median_load(comparison.floor), TARGET
        )
        ratios = comparison.paired_ratios()
        shown = " ".join(f"{ratio:.2f}" for ratio in ratios)
        print(f"{'':<28} paired ratios per round: {shown}; median {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
