"""Core benchmark: MetricRegistry against raw sqlite3 with the same pragmas, in the same run.

    python -m bench.bench_core [--rounds 7]

Prints, per operation, the median cost per call of the registry and of the floor (raw
sqlite3 running the same SQL on its own file with the same schema), and their ratio.
Targets (issue 2): create <= 1.3x, get <= 2x, list page (25 items, one filter, sorted) <= 2.5x.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench._http import run_label, workdir
from metric_registry import MetricRegistry
from metric_registry._database import SQLITE_PRAGMAS

VALUE_TYPES = ("currency", "percentage", "days", "count", "ratio")
COLUMNS = (
    "uid, name, context_type, description, formula, value_type, storage_unit, is_snapshot, "
    "period_definition, is_active, created_at, updated_at"
)
RAW_INSERT = f"INSERT INTO metric ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
RAW_GET = f"SELECT {COLUMNS} FROM metric WHERE uid = ?"
RAW_PAGE = (
    f"SELECT {COLUMNS} FROM metric WHERE value_type = ? "
    "ORDER BY created_at DESC, uid DESC LIMIT ? OFFSET ?"
)
RAW_COUNT = "SELECT COUNT(*) FROM metric WHERE value_type = ?"


def raw_connection(path: Path) -> sqlite3.Connection:
    MetricRegistry(str(path)).close()
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma, value in SQLITE_PRAGMAS:
        connection.execute(f"PRAGMA {pragma} = {value}")
    return connection


def per_call(action: Callable[[int], object], calls: int, start: int) -> float:
    begin = time.perf_counter()
    for index in range(start, start + calls):
        action(index)
    return (time.perf_counter() - begin) / calls


def tails(
    label: str,
    product: Callable[[int], object],
    floor: Callable[[int], object],
    *,
    calls: int,
    start: int,
) -> None:
    """Per-call latency percentiles: where WAL checkpoints and fsync stalls show."""
    results = []
    for action in (floor, product):
        samples = []
        for index in range(start, start + calls):
            begin = time.perf_counter()
            action(index)
            samples.append(time.perf_counter() - begin)
        samples.sort()
        results.append([samples[int(q * (calls - 1))] * 1e3 for q in (0.5, 0.99, 0.999)])
        start += calls
    (f50, f99, f999), (p50, p99, p999) = results
    print(
        f"{label:<34} registry p50/p99/p99.9 {p50:.3f}/{p99:.3f}/{p999:.3f} ms   "
        f"raw sqlite3 {f50:.3f}/{f99:.3f}/{f999:.3f} ms"
    )


def compare(
    label: str,
    product: Callable[[int], object],
    floor: Callable[[int], object],
    *,
    calls: int,
    rounds: int,
    target: float,
) -> None:
    """Interleave rounds of both so that drift of the machine hits both alike."""
    product_times, floor_times = [], []
    for round_number in range(rounds):
        offset = round_number * calls
        floor_times.append(per_call(floor, calls, offset))
        product_times.append(per_call(product, calls, offset))
    ours, theirs = statistics.median(product_times), statistics.median(floor_times)
    verdict = "ok" if ours / theirs <= target else "OVER TARGET"
    print(
        f"{label:<34} registry {ours * 1e6:8.1f} µs   raw sqlite3 {theirs * 1e6:8.1f} µs   "
        f"ratio {ours / theirs:5.2f}x   target ≤ {target}x  {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--rows", type=int, default=20_000, help="metrics stored for list/get")
    args = parser.parse_args()
    print(run_label("bench_core"))
    with workdir() as folder:
        registry = MetricRegistry(str(folder / "registry.db"))
        raw = raw_connection(folder / "raw.db")

        def create(index: int) -> object:
            return registry.create_metric(
                uid=f"create_{index}", name=f"Metric {index}", value_type="currency"
            )

        def raw_create(index: int) -> object:
            now = datetime.now(UTC).isoformat(timespec="microseconds")
            row = (f"create_{index}", f"Metric {index}", "ORGANIZATION", None, None)
            row += ("currency", "raw", False, None, True, now, now)
            raw.execute("BEGIN IMMEDIATE")
            raw.execute(RAW_INSERT, row)
            return raw.execute("COMMIT")

        compare("create_metric", create, raw_create, calls=300, rounds=args.rounds, target=1.3)
        offset = 300 * args.rounds
        tails("create_metric latency", create, raw_create, calls=3000, start=offset)

        fill(registry, raw, args.rows)
        registry.close()
        registry = MetricRegistry(str(folder / "registry.db"))  # as opened on such a catalog
        raw.execute("ANALYZE metric")
        uids = [f"fill_{index}" for index in range(args.rows)]
        random.seed(7)
        picks = [random.choice(uids) for _ in range(5000 * args.rounds)]

        compare(
            "get_metric",
            lambda index: registry.get_metric(picks[index]),
            lambda index: raw.execute(RAW_GET, (picks[index],)).fetchone(),
            calls=5000,
            rounds=args.rounds,
            target=2.0,
        )

        def page(index: int) -> object:
            return registry.list_metrics(
                value_type=VALUE_TYPES[index % 5], sort="-created_at", page=1 + index % 20
            )

        def raw_page(index: int) -> object:
            value_type = VALUE_TYPES[index % 5]
            total = raw.execute(RAW_COUNT, (value_type,)).fetchone()[0]
            rows = raw.execute(RAW_PAGE, (value_type, 25, 25 * (index % 20))).fetchall()
            return total, rows

        compare(
            f"list page (25 of {args.rows}, filter+sort)",
            page,
            raw_page,
            calls=300,
            rounds=args.rounds,
            target=2.5,
        )
        registry.close()
        raw.close()


def fill(registry: MetricRegistry, raw: sqlite3.Connection, rows: int) -> None:
    """The same ``rows`` metrics in both databases, written in bulk with raw SQL."""
    now = datetime.now(UTC)
    batch = [
        (f"fill_{index}", f"Fill {index}", "ORGANIZATION", None, None, VALUE_TYPES[index % 5])
        + ("raw", False, None, index % 3 != 0)
        + (now.replace(microsecond=index % 1_000_000).isoformat(timespec="microseconds"),) * 2
        for index in range(rows)
    ]
    registry_file = sqlite3.connect(str(registry.database), isolation_level=None)
    for connection in (raw, registry_file):
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(RAW_INSERT, batch)
        connection.execute("COMMIT")
    registry_file.close()


if __name__ == "__main__":
    main()
