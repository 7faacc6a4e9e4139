"""The registry's own compiled statements never scan the metric table on 100,000 rows.

The rows are written with raw ``executemany`` into the file of a registry already created
(in the formats ``test_store::test_sqlite_row_format`` pins down). Two states are checked:
the registry that was open during the bulk insert (no planner statistics), and a registry
reopened afterwards (which runs ANALYZE once the table has grown).

What is asserted, for the page and count statement of every documented filter and sort:
- no plan line is a bare ``SCAN <table>``: every scan walks an index;
- an equality filter (is_active, value_type, context_type) is either a SEARCH on an index
  or a walk of the sort's index in order (which stops at LIMIT);
- with no filter, a page walks the sort's index: no temporary B-tree to sort.
``search`` is a substring match (``LIKE '%…%'``): no index can seek it, so it is only
required to walk an index (never the table) — it visits rows until the page is full.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from metric_registry import MetricRegistry
from tests.spec import METRIC_FIELDS

ROWS = 100_000
CONTEXT_TYPES = ["ORGANIZATION", "PARTY", "USER"]
VALUE_TYPES = ["currency", "percentage", "days", "count", "ratio"]
SORTS = ["uid", "name", "context_type", "value_type", "created_at", "updated_at"]
EQUALITY_FILTERS = ["is_active", "value_type", "context_type"]
BULK_COLUMNS = METRIC_FIELDS
VALUES = {
    "is_active": True,
    "value_type": "currency",
    "context_type": "PARTY",
    "search": "%ar%",
    "limit": 25,
    "offset": 0,
}


def bulk_rows() -> Iterator[tuple[object, ...]]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for number in range(ROWS):
        stamp = (start + timedelta(seconds=number)).isoformat(timespec="microseconds")
        yield (
            f"bulk_{number:06d}",
            f"Bulk metric {(number * 7919) % ROWS:06d}",
            CONTEXT_TYPES[number % 3],
            None,
            None,
            VALUE_TYPES[number % 5],
            "raw",
            number % 2,
            None,
            int(number % 4 != 0),
            stamp,
            stamp,
        )


@pytest.fixture(scope="module")
def big_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, MetricRegistry]]:
    path = str(tmp_path_factory.mktemp("plans") / "metrics.db")
    with MetricRegistry(path) as registry:
        registry.create_metric(uid="seed", name="Seed", value_type="currency")
        with closing(sqlite3.connect(path)) as connection, connection:
            stored = {row[1] for row in connection.execute("PRAGMA table_info(metric)")}
            rows = bulk_rows()
            columns = list(BULK_COLUMNS)
            if "search_text" in stored:  # a case-folded copy of the name, if the core keeps one
                columns.append("search_text")
                rows = ((*row, row[1].casefold()) for row in rows)
            assert stored - {"id"} == set(columns), stored
            marks = ", ".join("?" * len(columns))
            connection.executemany(
                f"INSERT INTO metric ({', '.join(columns)}) VALUES ({marks})", rows
            )
        yield path, registry


@pytest.fixture(params=["open-during-insert", "reopened"])
def planned(
    request: pytest.FixtureRequest, big_database: tuple[str, MetricRegistry]
) -> Iterator[MetricRegistry]:
    path, registry = big_database
    if request.param == "open-during-insert":
        yield registry
    else:
        with MetricRegistry(path) as reopened:
            yield reopened


def plan(registry: MetricRegistry, statement: object) -> list[str]:
    sql, slots = statement.sql, statement.slots  # type: ignore[attr-defined]
    connection = registry._store.database.connection()
    rows = connection.execute(f"EXPLAIN QUERY PLAN {sql}", [VALUES[slot] for slot in slots])
    return [row[3] for row in rows.fetchall()]


def assert_no_table_scan(lines: list[str]) -> None:
    bare = [line for line in lines if re.fullmatch(r"SCAN \w+", line)]
    assert bare == [], lines


def test_bulk_rows_read_back_through_the_registry(
    big_database: tuple[str, MetricRegistry],
) -> None:
    _, registry = big_database
    assert registry.list_metrics(per_page=1).total_items == ROWS + 1
    page = registry.list_metrics(value_type="currency", is_active=False, sort="-uid", per_page=2)
    assert [metric.uid for metric in page.items] == ["bulk_099980", "bulk_099960"]
    assert page.items[0].created_at == datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=99980)
    assert registry.get_metric("bulk_000001").context_type == "PARTY"


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", SORTS)
def test_unfiltered_page_walks_the_sort_index(
    planned: MetricRegistry, sort: str, descending: bool
) -> None:
    lines = plan(planned, planned._metrics.statements.page((), sort, descending))
    assert_no_table_scan(lines)
    assert not any("TEMP B-TREE" in line for line in lines), lines
    assert any(
        re.search(rf"USING (COVERING )?INDEX metric_{sort}(_uid)?\b", line) for line in lines
    )


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("filter_", EQUALITY_FILTERS)
def test_filtered_page_uses_an_index(
    planned: MetricRegistry, filter_: str, sort: str, descending: bool
) -> None:
    lines = plan(planned, planned._metrics.statements.page((filter_,), sort, descending))
    assert_no_table_scan(lines)
    searches_filter = any(
        re.search(rf"SEARCH \w+ USING (COVERING )?INDEX \w+ \({filter_}=\?", line) for line in lines
    )
    walks_sort = any(
        re.search(rf"SCAN \w+ USING (COVERING )?INDEX metric_{sort}(_uid)?\b", line)
        for line in lines
    ) and not any("TEMP B-TREE" in line for line in lines)
    assert searches_filter or walks_sort, lines


@pytest.mark.parametrize("filter_", EQUALITY_FILTERS)
def test_filtered_count_searches_an_index(planned: MetricRegistry, filter_: str) -> None:
    lines = plan(planned, planned._metrics.statements.count((filter_,)))
    assert_no_table_scan(lines)
    assert any(re.search(rf"SEARCH \w+ USING .*INDEX \w+ \({filter_}=\?\)", line) for line in lines)


@pytest.mark.parametrize("filters", [(), ("search",)], ids=["all", "search"])
def test_whole_table_count_walks_an_index(planned: MetricRegistry, filters: tuple[str]) -> None:
    lines = plan(planned, planned._metrics.statements.count(filters))
    assert_no_table_scan(lines)
    assert any("INDEX" in line for line in lines), lines


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("sort", SORTS)
def test_search_page_walks_an_index(planned: MetricRegistry, sort: str, descending: bool) -> None:
    lines = plan(planned, planned._metrics.statements.page(("search",), sort, descending))
    assert_no_table_scan(lines)
    assert any("INDEX" in line for line in lines), lines


def test_combined_filters_use_an_index(planned: MetricRegistry) -> None:
    statement = planned._metrics.statements.page(tuple(EQUALITY_FILTERS), "created_at", True)
    assert_no_table_scan(plan(planned, statement))


def test_plans_are_read_from_the_registry_statements(planned: MetricRegistry) -> None:
    # Guard against asserting on the wrong SQL: this is the statement list_metrics runs.
    statement = planned._metrics.statements.page(("value_type",), "name", True)
    assert statement.slots == ("value_type", "limit", "offset")
    assert re.search(
        r'FROM "metric" .*WHERE \("t1"\."value_type" = \?\) '
        r'ORDER BY "t1"\."name" DESC, "t1"\."uid" DESC LIMIT \? OFFSET \?$',
        statement.sql,
    ), statement.sql
    assert Path(planned._store.database.database).name == "metrics.db"
