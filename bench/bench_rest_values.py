"""REST values benchmark: recording values over HTTP against a bare floor and the core itself.

    python -m bench.bench_rest_values [--seconds 5] [--rounds 5] [--connections 16]
                                      [--batch-connections 4]

Needs wrk (``apt-get install -y wrk``). The servers run under uvicorn (uvloop + httptools,
1 worker, access log off); wrk loads them from a separate process on 127.0.0.1, each request
a new key (a new date; each round its own entity or metric).

- ``POST /api/metrics/values/ORGANIZATION/{uid}`` with the public example's body, against the
  bare Starlette + sqlite3 floor of ``bench/bare_server.py`` (``/bare/value-inserts``, shared
  with bench_graphql_values) doing the same insert on the same schema (the metric and the
  entity found by uid, no validation, no auth, no periods); target >= 0.6x its requests/s.
- ``POST /api/metrics/values`` with 1,000 values a request, against ``record_values`` of the
  same rows in batches of 1,000 called in this process on a file of its own; target >= 0.5x
  the core's rows/s.

Each round loads the floor, then the product, per operation, so that noise from another
process lands on both sides: each round gives a paired ratio, and their median is the figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from bench.bench_graphql_values import DATE, dated_script
from bench.bench_rest import median_load
from metric_registry import MetricRegistry

BATCH_ROWS = 1000
BATCH_OPEN = '{"values": ['
BATCH_ENTITIES = 10
TARGET_CREATE = ">= 0.6x req/s"
TARGET_BATCH = ">= 0.5x rows/s"
# The public example's body, with ``DATE`` where wrk puts a new date.
PUBLIC_BODY = {
    "metric_uid": "total_ar",
    "time_unit": "day",
    "metric_date": DATE,
    "value": 350000000,
    "timezone": "America/Los_Angeles",
    "_metadata": {},
}
# wrk's dates for batches: noon UTC on 2000-01-01, then a day a step.
LUA_DATES = (
    "local counter = 0\n"
    "local base = os.time{year=2000, month=1, day=1, hour=12}\n"
    'local function day(n) return os.date("!%Y-%m-%d", base + n * 86400) end\n'
)


def entity_uid(round_: int, number: int = 0) -> str:
    return str(uuid.UUID(int=(round_ + 1) << 32 | number))


def batch_metric(round_: int) -> str:
    return f"batch_r{round_}"


def seed(db_path: Path, rounds: int) -> None:
    """The same catalog on every database: a cents metric for the single creates and an entity
    per round; a metric per round for the batches and their entities."""
    with MetricRegistry(str(db_path)) as registry:
        registry.create_metric(
            uid="total_ar", name="Total AR", value_type="currency", storage_unit="cents"
        )
        entities = [
            {"context_type": "ORGANIZATION", "uid": entity_uid(round_, number)}
            for round_ in range(rounds)
            for number in range(BATCH_ENTITIES)
        ]
        registry.register_entities(entities)
        for round_ in range(rounds):
            registry.create_metric(
                uid=batch_metric(round_), name="Batch", value_type="currency", storage_unit="cents"
            )


def batch_row(entity: str, metric: str, day: str, value: object) -> dict[str, Any]:
    return {
        "context_type": "ORGANIZATION",
        "entity_uid": entity,
        "metric_uid": metric,
        "time_unit": "day",
        "metric_date": day,
        "value": value,
        "timezone": "America/Los_Angeles",
        "_metadata": {},
    }


def batch_day(batch: int, row: int) -> int:
    """The day (after 2000-01-01) of row ``row`` of batch ``batch`` (from 1), as wrk counts."""
    return (batch - 1) * (BATCH_ROWS // BATCH_ENTITIES) + row // BATCH_ENTITIES


def batch_script(path: str, headers: dict[str, str], round_: int) -> str:
    """Each request: 1,000 rows, 100 new days for each of the round's 10 entities."""
    template = json.dumps(batch_row("@E@", batch_metric(round_), "@D@", "@V@"))
    before_entity, rest = template.split("@E@")
    before_day, rest = rest.split("@D@")
    before_value, after_value = rest.split('"@V@"')
    entities = ", ".join(json.dumps(entity_uid(round_, n)) for n in range(BATCH_ENTITIES))
    per_day = BATCH_ENTITIES
    return (
        f'wrk.method = "POST"\n{LUA_DATES}'
        f"local entities = {{{entities}}}\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        "  local rows = {}\n"
        f"  for i = 0, {BATCH_ROWS - 1} do\n"
        f"    local d = (counter - 1) * {BATCH_ROWS // per_day} + math.floor(i / {per_day})\n"
        f"    rows[i + 1] = {json.dumps(before_entity)} .. entities[i % {per_day} + 1] .. "
        f"{json.dumps(before_day)} .. day(d) .. {json.dumps(before_value)} .. "
        f"(counter * {BATCH_ROWS} + i) .. {json.dumps(after_value)}\n"
        "  end\n"
        f'  local body = {json.dumps(BATCH_OPEN)} .. table.concat(rows, ", ") .. "]}}"\n'
        f"  return wrk.format(nil, {json.dumps(path)}, nil, body)\n"
        "end\n" + get_script(headers)
    )


def core_batches(registry: MetricRegistry, round_: int, seconds: float) -> float:
    """``record_values`` of 1,000 rows a call, back to back for ``seconds``: rows/s.

    The rows are the ones wrk sends for this round (each built before its call is timed): the
    core is given what the REST face hands it once the JSON is decoded.
    """
    metric = batch_metric(round_)
    entities = [entity_uid(round_, n) for n in range(BATCH_ENTITIES)]
    batch, recorded, spent = 0, 0, 0.0
    while spent < seconds:
        batch += 1
        rows = [
            batch_row(
                entities[row % BATCH_ENTITIES],
                metric,
                day_text(batch_day(batch, row)),
                batch * BATCH_ROWS + row,
            )
            for row in range(BATCH_ROWS)
        ]
        started = time.perf_counter()
        summary = registry.record_values(rows)
        spent += time.perf_counter() - started
        assert summary.inserted == BATCH_ROWS, summary
        recorded += BATCH_ROWS
    return recorded / spent


NOON_2000 = 946728000  # 2000-01-01T12:00:00Z, where the Lua scripts count days from


def day_text(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(NOON_2000 + day * 86400))


@dataclass
class Figures:
    """Each round's figure of the product and of its floor, in the order they ran."""

    product: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)

    def paired_ratios(self) -> list[float]:
        return [p / f for p, f in zip(self.product, self.floor, strict=True)]


def measure(
    seconds: int, connections: int, batch_connections: int, rounds: int
) -> tuple[Figures, list[Load], Figures]:
    """Both servers up at once, and the core in this process; each round: the floor's create,
    the product's create, the core's batches, the product's batches."""
    json_headers = {"Content-Type": "application/json"}
    create, floor_loads, batches = Figures(), [], Figures()
    with workdir() as folder:
        for name in ("bare.db", "product.db", "core.db"):
            seed(folder / name, rounds)
        with (
            bare_server(folder / "bare.db") as bare,
            product_server(folder / "product.db") as (product, token),
            MetricRegistry(str(folder / "core.db")) as core,
        ):
            rest_headers = {**json_headers, "Authorization": f"Bearer {token}"}

            def load_create(base: str, path: str, body: object, headers: dict[str, str]) -> Load:
                script = dated_script(path, json.dumps(body), headers)
                return wrk(base + path, script, connections=connections, seconds=seconds)

            for round_ in range(rounds):
                entity = entity_uid(round_)
                # The floor takes the entity in the body; REST, in the path (the same parse).
                keyed = {**PUBLIC_BODY, "context_type": "ORGANIZATION", "entity_uid": entity}
                floor = load_create(bare, "/bare/value-inserts", keyed, json_headers)
                rest_path = f"/api/metrics/values/ORGANIZATION/{entity}"
                rest = load_create(product, rest_path, PUBLIC_BODY, rest_headers)
                create.floor.append(floor.requests_per_second)
                create.product.append(rest.requests_per_second)
                create.loads.append(rest)
                floor_loads.append(floor)
                batches.floor.append(core_batches(core, round_, seconds))
                path = "/api/metrics/values"
                script = batch_script(path, rest_headers, round_)
                load = wrk(product + path, script, connections=batch_connections, seconds=seconds)
                batches.product.append(load.requests_per_second * BATCH_ROWS)
                batches.loads.append(load)
    return create, floor_loads, batches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--batch-connections", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{run_label('bench_rest_values')}, {args.rounds} alternating rounds of "
        f"{args.seconds:g} s per load"
    )
    create, floor_loads, batches = measure(
        args.seconds, args.connections, args.batch_connections, args.rounds
    )
    print_comparison(
        f"POST values/{{ctx}}/{{uid}}, {args.connections} conn",
        median_load(create.loads),
        median_load(floor_loads),
        TARGET_CREATE,
    )
    _paired(create)
    load = median_load(batches.loads)
    core = statistics.median(batches.floor)
    product = statistics.median(batches.product)
    print(
        f"{'POST values, 1000 a request':<28} {product:9.0f} rows/s vs core "
        f"{core:9.0f} rows/s  ratio {product / core:5.2f}x  "
        f"p50 {load.p50_ms:6.1f} ms a request, {args.batch_connections} conn  "
        f"errors {sum(load.errors for load in batches.loads)}  target {TARGET_BATCH}"
    )
    _paired(batches)


def _paired(figures: Figures) -> None:
    ratios = figures.paired_ratios()
    shown = " ".join(f"{ratio:.2f}" for ratio in ratios)
    print(f"{'':<28} paired ratios per round: {shown}; median {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
