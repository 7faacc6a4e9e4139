"""Values benchmark: recording and reading metric values against raw drivers, in the same run.

    python -m bench.bench_values [--rounds 5] [--million] [--postgres URL]

The floor is raw ``sqlite3`` on a file with the registry's own schema and pragmas (made by
``MetricRegistry``, then written around it), rows prebuilt in the stored formats:
- ``record_values`` of 10,000 rows vs one ``executemany`` in one transaction (target ≤ 2.5x);
- ``record_value`` vs a raw ``BEGIN IMMEDIATE; INSERT; COMMIT`` (target ≤ 1.5x);
- ``list_values(latest=True)`` of an entity with 20 metrics vs twenty raw index lookups
  (target ≤ 3x), and the same read with 365 days of history vs 3 days (flat: ≤ 1.5x).
``--million`` records 1,000,000 values in batches and reports rows/s and bytes per value;
``--postgres URL`` does the same on PostgreSQL against a raw ``COPY`` into the same table.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench._http import run_label, workdir
from bench.bench_core import compare, raw_connection
from metric_registry import MetricRegistry
from metric_registry._value_batches import INSERT_COLUMNS
from metric_registry._value_rows import new_uid_bytes

METRICS = 20
ENTITIES = 10
FIRST_DAY = date(2020, 1, 1)
RAW_INSERT = (
    f"INSERT INTO metric_value ({', '.join(INSERT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(INSERT_COLUMNS))})"
)
RAW_LATEST = (
    "SELECT v.uid, m.uid, m.name, m.period_definition, e.context_type, e.uid, v.time_unit, "
    "v.timezone, v.metric_date, m.storage_unit, m.value_type, v.value_cents, v.value_raw, "
    "v.metadata, v.created_at, v.updated_at FROM metric_value v JOIN metric m ON m.id = "
    "v.metric_id JOIN entity e ON e.id = v.entity_id WHERE v.entity_id = ? AND "
    "v.time_unit = 'day' AND v.metric_id = ? ORDER BY v.metric_date DESC LIMIT 1"
)


def entity_uid(number: int) -> str:
    return str(uuid.UUID(int=number + 1))


def prepare(registry: MetricRegistry) -> None:
    for number in range(METRICS):
        registry.create_metric(
            uid=f"m{number:02d}", name=f"Metric {number}", value_type="currency",
            storage_unit="cents",
        )  # fmt: skip
    registry.register_entities(
        {"context_type": "ORGANIZATION", "uid": entity_uid(number)} for number in range(ENTITIES)
    )


def value_rows(days: range, entities: range = range(ENTITIES)) -> Iterator[dict[str, Any]]:
    for day in days:
        metric_date = (FIRST_DAY + timedelta(days=day)).isoformat()
        for entity in entities:
            for metric in range(METRICS):
                yield {
                    "context_type": "ORGANIZATION",
                    "entity_uid": entity_uid(entity),
                    "metric_uid": f"m{metric:02d}",
                    "metric_date": metric_date,
                    "value": day * 1000 + metric,
                }


def raw_rows(days: range) -> list[tuple[object, ...]]:
    """The stored tuples of ``value_rows(days)`` (ids as ``prepare`` made them)."""
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    return [
        (
            new_uid_bytes(),
            metric + 1,
            entity + 1,
            "day",
            (FIRST_DAY + timedelta(days=day)).isoformat(),
            day * 1000 + metric,
            None,
            None,
            "{}",
            now,
            now,
        )
        for day in days
        for entity in range(ENTITIES)
        for metric in range(METRICS)
    ]


def bench_writes(folder: Path, rounds: int) -> None:
    registry = MetricRegistry(str(folder / "writes.db"))
    prepare(registry)
    raw = raw_connection(folder / "writes_raw.db")
    raw_registry = MetricRegistry(str(folder / "writes_raw.db"))
    prepare(raw_registry)
    raw_registry.close()
    days_per_batch = 10_000 // (ENTITIES * METRICS)
    batches = [range(n * days_per_batch, (n + 1) * days_per_batch) for n in range(2 * rounds)]
    prebuilt = [raw_rows(days) for days in batches]
    given = [list(value_rows(days)) for days in batches]  # the caller's rows, built beforehand

    def batch(index: int) -> object:
        return registry.record_values(given[index])

    def raw_batch(index: int) -> object:
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany(RAW_INSERT, prebuilt[index])
        return raw.execute("COMMIT")

    compare("record_values (10,000 rows)", batch, raw_batch, calls=1, rounds=rounds, target=2.5)
    single_day = 2 * rounds * days_per_batch + 1

    def single(index: int) -> object:
        day = (FIRST_DAY + timedelta(days=single_day + index // METRICS)).isoformat()
        return registry.record_value(
            "ORGANIZATION", entity_uid(0), metric_uid=f"m{index % METRICS:02d}",
            metric_date=day, value=index,
        )  # fmt: skip

    def raw_single(index: int) -> object:
        day = (FIRST_DAY + timedelta(days=single_day + index // METRICS)).isoformat()
        now = datetime.now(UTC).isoformat(timespec="microseconds")
        row = (new_uid_bytes(), index % METRICS + 1, 1, "day", day, index, None, None, "{}")
        raw.execute("BEGIN IMMEDIATE")
        raw.execute(RAW_INSERT, (*row, now, now))
        return raw.execute("COMMIT")

    compare("record_value", single, raw_single, calls=200, rounds=rounds, target=1.5)
    registry.close()
    raw.close()


def bench_latest(folder: Path, rounds: int) -> None:
    timings = {}
    for history in (3, 365):
        path = folder / f"latest_{history}.db"
        registry = MetricRegistry(str(path))
        prepare(registry)
        registry.record_values(value_rows(range(history)))
        registry.close()
        registry = MetricRegistry(str(path))
        raw = raw_connection(path)
        entity = entity_uid(3)

        def latest(index: int, registry: MetricRegistry = registry, entity: str = entity) -> object:
            return registry.list_values("ORGANIZATION", entity, latest=True)

        def raw_latest(index: int, raw: sqlite3.Connection = raw) -> object:
            return [
                raw.execute(RAW_LATEST, (4, metric + 1)).fetchall() for metric in range(METRICS)
            ]

        assert len(latest(0).items) == METRICS
        compare(
            f"list_values(latest) {history} days",
            latest,
            raw_latest,
            calls=300,
            rounds=rounds,
            target=3.0,
        )
        samples = []
        for _ in range(rounds):
            begin = time.perf_counter()
            for index in range(300):
                latest(index)
            samples.append((time.perf_counter() - begin) / 300)
        timings[history] = statistics.median(samples)
        registry.close()
        raw.close()
    ratio = timings[365] / timings[3]
    verdict = "ok" if ratio <= 1.5 else "OVER TARGET"
    print(
        f"{'list_values(latest) 365 vs 3 days':<34} {timings[365] * 1e6:8.1f} µs vs "
        f"{timings[3] * 1e6:8.1f} µs   ratio {ratio:5.2f}x   target ≤ 1.5x  {verdict}"
    )


def bench_million(folder: Path, url: str | None) -> None:
    """1,000,000 values in batches of 100,000: rows/s, and bytes per value on disk."""
    days = 1_000_000 // (ENTITIES * METRICS)
    target = url or str(folder / "million.db")
    registry = MetricRegistry(target)
    prepare(registry)
    begin = time.perf_counter()
    step = days // 10
    for start in range(0, days, step):
        registry.record_values(value_rows(range(start, start + step)))
    seconds = time.perf_counter() - begin
    engine = "postgresql" if url else "sqlite"
    size = _database_size(registry, folder / "million.db", url)
    print(
        f"{engine}: 1,000,000 values in {seconds:.1f} s = {1_000_000 / seconds:,.0f} rows/s; "
        f"{size / 1_000_000:.0f} bytes per value (table and indexes)"
    )
    registry.close()


def _database_size(registry: MetricRegistry, path: Path, url: str | None) -> int:
    if url is None:
        return sum(
            os.path.getsize(str(path) + suffix)
            for suffix in ("", "-wal")
            if os.path.exists(str(path) + suffix)
        )
    row = registry._store.fetch_one("SELECT pg_total_relation_size('metric_value')", ())
    return int(row[0])


@contextlib.contextmanager
def fresh_schema(server: str) -> Iterator[str]:
    """A URL of ``server`` whose search_path is a new, empty schema (dropped afterwards)."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in server else "?"
    try:
        yield f"{server}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


def bench_postgres_copy(url: str, rounds: int) -> None:
    """``record_values`` of 10,000 rows vs a raw ``COPY`` of the same rows, in rows/s."""
    import psycopg

    registry = MetricRegistry(url)
    prepare(registry)
    days_per_batch = 10_000 // (ENTITIES * METRICS)
    ours, theirs = [], []
    with psycopg.connect(url, autocommit=True) as connection:
        base = 100_000
        for round_number in range(rounds):
            days = range(
                base + round_number * 2 * days_per_batch,
                base + (round_number * 2 + 1) * days_per_batch,
            )
            begin = time.perf_counter()
            registry.record_values(value_rows(days))
            ours.append(10_000 / (time.perf_counter() - begin))
            raw_days = range(days.stop, days.stop + days_per_batch)
            rows = [(uuid.UUID(bytes=row[0]), *row[1:4], date.fromisoformat(row[4]), *row[5:9],
                     datetime.fromisoformat(row[9]), datetime.fromisoformat(row[10]))
                    for row in raw_rows(raw_days)]  # fmt: skip
            begin = time.perf_counter()
            with connection.transaction(), connection.cursor() as cursor:
                columns = ", ".join(INSERT_COLUMNS)
                with cursor.copy(f"COPY metric_value ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            theirs.append(10_000 / (time.perf_counter() - begin))
    mine, raw = statistics.median(ours), statistics.median(theirs)
    print(
        f"{'postgres record_values (10,000)':<34} {mine:,.0f} rows/s   raw COPY {raw:,.0f} rows/s"
        f"   ratio {raw / mine:5.2f}x slower"
    )
    registry.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--postgres", metavar="URL")
    args = parser.parse_args()
    print(run_label("bench_values"))
    with workdir() as folder:
        bench_writes(folder, args.rounds)
        bench_latest(folder, args.rounds)
        if args.million:
            bench_million(folder, None)
        if args.postgres:
            with fresh_schema(args.postgres) as url:
                bench_postgres_copy(url, args.rounds)
            if args.million:
                with fresh_schema(args.postgres) as url:
                    bench_million(folder, url)


if __name__ == "__main__":
    main()
