"""The value reads are index lookups whose cost does not grow with the history (SPEC §9.5).

A SQLite file with 20 metrics x 365 days for four organizations (29,200 values), written with
raw ``executemany`` in the stored formats (``test_store``'s row format: 16-byte uids,
``YYYY-MM-DD`` dates, ISO timestamps), plus SHORT, an organization with only the last three
days of the same values, and a metric with only three days for the same four organizations.

Checked for the registry's own statements (every read shape: one entity or one metric, the
newest values or a date range, groups found by skip scan or given), in three states of the
planner (the registry open during the insert, reopened, and after ANALYZE):
- no plan line scans metric_value (no ``SCAN`` of it at all, not even along an index);
- every access to a value row seeks both the fixed id and the group id (and the date range),
  so no read walks an entity's or a metric's whole history;
- the work (SQLite virtual-machine steps, counted with a progress handler, not timed) of a
  read on 365 days of history is about that on 3 days, and the newest values are the same.

On PostgreSQL (the same data, recorded through the registry and ANALYZEd), the executed
plans of every shape read metric_value through indexes only (no sequential or bitmap heap
scan), and the rows they visit (``EXPLAIN ANALYZE``: rows times loops) for 365 days of
history are about those for 3 days.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from metric_registry import MetricRegistry

from ._value_support import module_database

METRICS = [f"metric_{number:02d}" for number in range(20)]
DAYS = 365
LAST = date(2026, 3, 20)
FULL = [f"{number}{number}{number}00000-0000-4000-8000-000000000000" for number in (1, 2, 3, 4)]
LONG = FULL[0]
SHORT = "50000000-0000-4000-8000-000000000000"
SHORT_METRIC = "short_metric"
STAMP = datetime(2026, 3, 21, tzinfo=UTC).isoformat(timespec="microseconds")
VALUE_TABLE_ALIASES = ("metric_value", "v", "w", "x")


def day(offset: int) -> str:
    return (LAST - timedelta(days=offset)).isoformat()


def cents(metric: int, offset: int) -> int:
    return 1_000_000 + metric * 1000 + offset


@pytest.fixture(scope="module")
def planned_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, MetricRegistry]]:
    path = str(tmp_path_factory.mktemp("value-plans") / "metrics.db")
    with MetricRegistry(path) as registry:
        for uid in [*METRICS, SHORT_METRIC]:
            registry.create_metric(uid=uid, name=uid, storage_unit="cents")
        registry.register_entities(
            [{"context_type": "ORGANIZATION", "uid": uid} for uid in [*FULL, SHORT]]
        )
        with closing(sqlite3.connect(path)) as connection, connection:
            metric_ids = dict(connection.execute("SELECT uid, id FROM metric"))
            entity_ids = dict(connection.execute("SELECT uid, id FROM entity"))
            rows: list[tuple[Any, ...]] = []
            for entity in FULL:
                for number, metric in enumerate(METRICS):
                    days = range(DAYS)
                    rows += [(entity, metric, offset, cents(number, offset)) for offset in days]
                rows += [(entity, SHORT_METRIC, offset, offset) for offset in range(3)]
            for number, metric in enumerate(METRICS):
                rows += [(SHORT, metric, offset, cents(number, offset)) for offset in range(3)]
            rows += [(SHORT, SHORT_METRIC, offset, offset) for offset in range(3)]
            connection.executemany(
                "INSERT INTO metric_value (uid, metric_id, entity_id, time_unit, metric_date, "
                "value_cents, value_raw, timezone, metadata, created_at, updated_at) "
                "VALUES (?, ?, ?, 'day', ?, ?, NULL, NULL, '{}', ?, ?)",
                (
                    (
                        uuid.uuid4().bytes,
                        metric_ids[metric],
                        entity_ids[entity],
                        day(offset),
                        value,
                        STAMP,
                        STAMP,
                    )
                    for entity, metric, offset, value in rows
                ),
            )
        yield path, registry


@pytest.fixture(scope="module", params=["open-during-insert", "reopened", "analyzed"])
def planned(
    request: pytest.FixtureRequest, planned_file: tuple[str, MetricRegistry]
) -> Iterator[MetricRegistry]:
    path, registry = planned_file
    if request.param == "open-during-insert":
        yield registry
        return
    if request.param == "analyzed":
        with closing(sqlite3.connect(path)) as connection:
            connection.execute("ANALYZE")
    with MetricRegistry(path) as reopened:
        yield reopened


def ids(registry: MetricRegistry) -> tuple[dict[str, int], dict[str, int]]:
    connection = registry._store.database.connection()
    return (
        dict(connection.execute("SELECT uid, id FROM metric").fetchall()),
        dict(connection.execute("SELECT uid, id FROM entity").fetchall()),
    )


SHAPES = [
    pytest.param("entity_id", False, True, "-metric_date", id="entity-latest"),
    pytest.param("entity_id", False, False, "-metric_date", id="entity-dates"),
    pytest.param("entity_id", True, True, "-metric_date", id="entity-latest-of-given-metrics"),
    pytest.param("entity_id", True, False, "-metric_date", id="entity-dates-of-given-metrics"),
    pytest.param("metric_id", False, True, "-value", id="metric-latest"),
    pytest.param("metric_id", False, False, "-value", id="metric-dates"),
    pytest.param("metric_id", True, True, "-value", id="metric-latest-of-given-entities"),
    pytest.param("metric_id", True, False, "-value", id="metric-dates-of-given-entities"),
]


def parameters(
    registry: MetricRegistry, fixed: str, entity: str = LONG, metric: str = METRICS[3]
) -> dict[str, object]:
    metric_ids, entity_ids = ids(registry)
    if fixed == "entity_id":
        fixed_id, groups = entity_ids[entity], [metric_ids[m] for m in METRICS[:5]]
    else:
        fixed_id, groups = metric_ids[metric], [entity_ids[e] for e in FULL[:3]]
    return {
        "fixed": fixed_id,
        "time_unit": "day",
        "start_date": day(2),
        "end_date": day(0),
        "group_ids": str(groups),
        "limit": 25,
        "offset": 0,
    }


def statements(registry: MetricRegistry, fixed: str, given: bool, latest: bool, sort: str) -> Any:
    shape = registry._value_reads._shape(fixed, given, latest, sort)
    return [shape.page, shape.count]


def plan(registry: MetricRegistry, statement: Any, values: dict[str, object]) -> list[str]:
    connection = registry._store.database.connection()
    rows = connection.execute(
        f"EXPLAIN QUERY PLAN {statement.sql}", [values[slot] for slot in statement.slots]
    )
    return [row[3] for row in rows.fetchall()]


@pytest.mark.parametrize(("fixed", "given", "latest", "sort"), SHAPES)
def test_no_read_scans_the_values(
    planned: MetricRegistry, fixed: str, given: bool, latest: bool, sort: str
) -> None:
    values = parameters(planned, fixed)
    for statement in statements(planned, fixed, given, latest, sort):
        lines = plan(planned, statement, values)
        scans = [
            line for line in lines if re.match(rf"SCAN ({'|'.join(VALUE_TABLE_ALIASES)})\b", line)
        ]
        assert scans == [], lines


@pytest.mark.parametrize(("fixed", "given", "latest", "sort"), SHAPES)
def test_every_value_access_seeks_its_group(
    planned: MetricRegistry, fixed: str, given: bool, latest: bool, sort: str
) -> None:
    group = "metric_id" if fixed == "entity_id" else "entity_id"
    values = parameters(planned, fixed)
    for statement in statements(planned, fixed, given, latest, sort):
        lines = plan(planned, statement, values)
        rows = [line for line in lines if re.match(r"SEARCH (v|w) ", line)]
        assert rows, lines
        for line in rows:
            if line.startswith("SEARCH v USING INTEGER PRIMARY KEY"):
                assert latest, lines  # the newest row, found by the probe on w
                continue
            seeks = re.search(r"\(([^)]*)\)", line)
            assert seeks, lines
            constraints = seeks.group(1)
            assert f"{fixed}=?" in constraints, lines
            assert f"{group}=?" in constraints, lines
            assert "metric_date<" in constraints, lines
            if not latest:
                assert "metric_date>" in constraints, lines


def vm_steps(registry: MetricRegistry, statement: Any, values: dict[str, object]) -> int:
    """How many SQLite virtual-machine instructions one run of ``statement`` takes."""
    path = registry._store.database.database
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    with closing(sqlite3.connect(path)) as connection:
        connection.set_progress_handler(count, 10)
        connection.execute(statement.sql, [values[slot] for slot in statement.slots]).fetchall()
    return steps * 10


@pytest.mark.parametrize(("fixed", "given", "latest", "sort"), SHAPES)
def test_the_work_does_not_grow_with_the_history(
    planned: MetricRegistry, fixed: str, given: bool, latest: bool, sort: str
) -> None:
    """365 days of history cost about what 3 days cost (same rows returned)."""
    if fixed == "entity_id":
        long = parameters(planned, fixed, entity=LONG)
        short = parameters(planned, fixed, entity=SHORT)
    else:
        long = parameters(planned, fixed, metric=METRICS[3])
        short = parameters(planned, fixed, metric=SHORT_METRIC)
    for statement in statements(planned, fixed, given, latest, sort):
        long_steps = vm_steps(planned, statement, long)
        short_steps = vm_steps(planned, statement, short)
        assert long_steps <= 1.5 * short_steps + 200, (statement.sql, long_steps, short_steps)


def latest_of(page: Any) -> list[tuple[str, str, int | float]]:
    return [(v.metric_uid, v.metric_date.isoformat(), v.value) for v in page.items]


def test_the_newest_values_do_not_depend_on_the_history(planned: MetricRegistry) -> None:
    long = planned.list_values("ORGANIZATION", LONG, latest=True, per_page=100)
    short = planned.list_values("ORGANIZATION", SHORT, latest=True, per_page=100)
    assert latest_of(long) == latest_of(short)
    assert latest_of(long) == [
        *((metric, day(0), cents(number, 0)) for number, metric in enumerate(METRICS)),
        (SHORT_METRIC, day(0), 0),
    ]
    assert long.total_items == short.total_items == 21
    as_of = day(1)
    long = planned.list_values("ORGANIZATION", LONG, latest=True, as_of=as_of, per_page=100)
    short = planned.list_values("ORGANIZATION", SHORT, latest=True, as_of=as_of, per_page=100)
    assert latest_of(long) == latest_of(short)
    three_days = {"start_date": day(2), "end_date": day(0), "per_page": 100}
    assert latest_of(planned.list_values("ORGANIZATION", LONG, **three_days)) == latest_of(
        planned.list_values("ORGANIZATION", SHORT, **three_days)
    )


def test_the_bulk_rows_read_back_through_the_registry(planned: MetricRegistry) -> None:
    page = planned.list_metric_values(METRICS[3], per_page=100)
    assert [(v.entity_uid, v.value) for v in page.items] == [
        (entity, cents(3, 0)) for entity in [*FULL, SHORT]
    ]
    history = planned.list_values(
        "ORGANIZATION", LONG, metric_uids=[METRICS[0]], start_date=day(DAYS - 1), per_page=1
    )
    assert history.total_items == DAYS
    assert history.items[0].created_at == datetime(2026, 3, 21, tzinfo=UTC)


# -- PostgreSQL ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The same shape of data on PostgreSQL (recorded through the registry, then ANALYZEd)."""
    pytest.importorskip("psycopg")
    with (
        module_database("postgresql", tmp_path_factory) as url,
        MetricRegistry(url) as registry,
    ):
        for uid in [*METRICS, SHORT_METRIC]:
            registry.create_metric(uid=uid, name=uid, storage_unit="cents")
        rows = (
            {
                "context_type": "ORGANIZATION",
                "entity_uid": entity,
                "metric_uid": metric,
                "metric_date": day(offset),
                "value": cents(number, offset),
            }
            for entity, days in [*((entity, DAYS) for entity in FULL), (SHORT, 3)]
            for number, metric in enumerate(METRICS)
            for offset in range(days)
        )
        registry.record_values(rows, register_entities=True)
        registry.record_values(
            {
                "context_type": "ORGANIZATION",
                "entity_uid": entity,
                "metric_uid": SHORT_METRIC,
                "metric_date": day(offset),
                "value": offset,
            }
            for entity in [*FULL, SHORT]
            for offset in range(3)
        )
        import psycopg

        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("ANALYZE")
        yield url, registry


def postgres_nodes(url: str, statement: Any, values: dict[str, object]) -> list[dict[str, Any]]:
    """The nodes of the executed plan of ``statement`` (EXPLAIN ANALYZE)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        [[[plan]]] = connection.execute(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {statement.sql}",
            [values[slot] for slot in statement.slots],
        ).fetchall()
    nodes: list[dict[str, Any]] = []
    pending = [plan["Plan"]]
    while pending:
        node = pending.pop()
        nodes.append(node)
        pending.extend(node.get("Plans", []))
    return nodes


def postgres_parameters(url: str, fixed: str, entity: str, metric: str) -> dict[str, object]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        metric_ids = dict(connection.execute("SELECT uid, id FROM metric").fetchall())
        entity_ids = dict(connection.execute("SELECT uid, id FROM entity").fetchall())
    if fixed == "entity_id":
        fixed_id, groups = entity_ids[entity], [metric_ids[m] for m in METRICS[:5]]
    else:
        fixed_id, groups = metric_ids[metric], [entity_ids[e] for e in FULL[:3]]
    return {
        "fixed": fixed_id,
        "time_unit": "day",
        "start_date": LAST - timedelta(days=2),
        "end_date": LAST,
        "group_ids": groups,
        "limit": 25,
        "offset": 0,
    }


def rows_visited(nodes: list[dict[str, Any]]) -> int:
    """Rows the plan read from metric_value (its scans' rows times their loops)."""
    return sum(
        int(node["Actual Rows"] * node["Actual Loops"])
        for node in nodes
        if node.get("Relation Name") == "metric_value"
    )


@pytest.mark.postgres
@pytest.mark.parametrize(("fixed", "given", "latest", "sort"), SHAPES)
def test_postgres_reads_seek_and_visit_few_rows(
    postgres_planned: tuple[str, MetricRegistry], fixed: str, given: bool, latest: bool, sort: str
) -> None:
    url, registry = postgres_planned
    long = postgres_parameters(url, fixed, LONG, METRICS[3])
    short = postgres_parameters(url, fixed, SHORT, SHORT_METRIC)
    for statement in statements(registry, fixed, given, latest, sort):
        nodes = postgres_nodes(url, statement, long)
        scans = [
            node["Node Type"]
            for node in nodes
            if node.get("Relation Name") == "metric_value"
            and node["Node Type"] in ("Seq Scan", "Bitmap Heap Scan")
        ]
        assert scans == [], statement.sql
        visited_long = rows_visited(nodes)
        visited_short = rows_visited(postgres_nodes(url, statement, short))
        assert visited_short > 0
        assert visited_long <= 2 * visited_short + 10, (statement.sql, visited_long, visited_short)
