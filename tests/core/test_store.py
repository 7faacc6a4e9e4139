"""Opening databases (paths, URLs, :memory:), pragmas, indexes, stored formats, isolation."""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from metric_registry import (
    ConflictError,
    DatabaseOpenError,
    MetricRegistry,
    NotFoundError,
    ValidationError,
)

from ._support import all_metrics, is_postgres, raw_connection, raw_rows, unraisable

# -- SQLite connection settings --------------------------------------------------------------

PRAGMAS = [
    pytest.param("journal_mode", lambda value: value == "wal", id="journal_mode=wal"),
    pytest.param("synchronous", lambda value: value == 2, id="synchronous=FULL"),
    pytest.param("busy_timeout", lambda value: value >= 5000, id="busy_timeout>=5000"),
    pytest.param("foreign_keys", lambda value: value == 1, id="foreign_keys=on"),
]


def pragma(registry: MetricRegistry, name: str) -> Any:
    connection = registry._store.database.connection()
    return connection.execute(f"PRAGMA {name}").fetchone()[0]


@pytest.mark.parametrize(("name", "check"), PRAGMAS)
def test_pragmas_on_the_registry_connection(sqlite_path: str, name: str, check: Any) -> None:
    with MetricRegistry(sqlite_path) as registry:
        assert check(pragma(registry, name)), pragma(registry, name)


@pytest.mark.parametrize(("name", "check"), PRAGMAS)
def test_pragmas_on_another_thread_connection(sqlite_path: str, name: str, check: Any) -> None:
    seen: list[Any] = []
    with MetricRegistry(sqlite_path) as registry:

        def work() -> None:
            registry.create_metric(uid="from_thread", name="From thread")
            seen.append(pragma(registry, name))
            registry.close()

        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
        assert len(seen) == 1
        assert check(seen[0]), seen


def test_wal_is_recorded_in_the_file(sqlite_path: str) -> None:
    with MetricRegistry(sqlite_path) as registry:
        registry.create_metric(uid="m", name="M")
    assert raw_rows(sqlite_path, "PRAGMA journal_mode") == [("wal",)]


# -- opening: paths, URLs, :memory: ----------------------------------------------------------


def test_sqlite_url_with_a_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with MetricRegistry("sqlite:///relative.db") as registry:
        registry.create_metric(uid="via_url", name="Via URL")
    assert (tmp_path / "relative.db").is_file()
    with MetricRegistry(str(tmp_path / "relative.db")) as registry:
        assert [m.uid for m in all_metrics(registry)] == ["via_url"]


def test_sqlite_url_with_an_absolute_path(tmp_path: Path) -> None:
    path = tmp_path / "sub dir" / "absolute.db"
    path.parent.mkdir()
    with MetricRegistry(f"sqlite:///{path}") as registry:  # four slashes: "sqlite:////tmp/…"
        registry.create_metric(uid="via_url", name="Via URL")
    with MetricRegistry(str(path)) as registry:
        assert [m.uid for m in all_metrics(registry)] == ["via_url"]


def test_memory_database_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with MetricRegistry(":memory:") as registry:
        created = registry.create_metric(uid="m", name="M")
        assert registry.get_metric("m") == created
        registry.issue_token("t")
        assert [token.name for token in registry.list_tokens()] == ["t"]
    assert list(tmp_path.iterdir()) == []


def test_memory_database_is_shared_by_the_threads_of_one_registry() -> None:
    with MetricRegistry(":memory:") as registry:
        registry.create_metric(uid="from_main", name="From main")
        seen: list[Any] = []

        def work(number: int) -> None:
            seen.append(registry.get_metric("from_main").uid)
            registry.create_metric(uid=f"from_thread_{number}", name="From thread")

        workers = [threading.Thread(target=work, args=(number,)) for number in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert seen == ["from_main"] * 4
        assert [m.uid for m in all_metrics(registry)] == [
            "from_main",
            *(f"from_thread_{number}" for number in range(4)),
        ]


def test_memory_databases_are_separate() -> None:
    with MetricRegistry(":memory:") as first, MetricRegistry(":memory:") as second:
        first.create_metric(uid="only_first", name="First")
        assert all_metrics(second) == ()


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("mysql://user@localhost/metrics", id="mysql"),
        pytest.param("http://example.com/metrics.db", id="http"),
        pytest.param("postgresql+asyncpg://user@localhost/metrics", id="sqlalchemy-async-driver"),
        pytest.param("oracle://scott@db", id="oracle"),
    ],
)
def test_unsupported_url_scheme_is_a_clear_error(
    target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    scheme = target.split("://")[0]
    with pytest.raises(DatabaseOpenError, match=re.escape(repr(scheme))) as caught:
        MetricRegistry(target)
    assert caught.value.code == "database_unavailable"
    assert "sqlite" in caught.value.message
    assert "postgresql" in caught.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("target", ["", "   ", None, 5])
def test_no_database_is_a_clear_error(target: Any) -> None:
    with pytest.raises(DatabaseOpenError, match="database"):
        MetricRegistry(target)


# -- isolation and sharing -------------------------------------------------------------------


def test_two_registries_on_two_databases_never_meet(
    database_url: str, another_database_url: str
) -> None:
    with MetricRegistry(database_url) as first, MetricRegistry(another_database_url) as second:
        first.create_metric(uid="shared_uid", name="First", value_type="ratio")
        second.create_metric(uid="shared_uid", name="Second", value_type="days")
        first.create_metric(uid="only_first", name="Only first")
        first.issue_token("first-token")
        assert [m.uid for m in all_metrics(first)] == ["only_first", "shared_uid"]
        assert [(m.uid, m.name) for m in all_metrics(second)] == [("shared_uid", "Second")]
        assert second.list_tokens() == []
        second.delete_metric("shared_uid")
        assert first.get_metric("shared_uid").name == "First"


def test_two_registries_on_one_database_see_each_other(database_url: str) -> None:
    with MetricRegistry(database_url) as first, MetricRegistry(database_url) as second:
        created = first.create_metric(uid="m", name="M")
        assert second.get_metric("m") == created
        updated = second.update_metric("m", name="Changed")
        assert first.get_metric("m") == updated
        with pytest.raises(ConflictError):
            second.create_metric(uid="m", name="Again")


# -- the uid index and what the rows look like -----------------------------------------------


def test_uid_index_exists_and_is_unique(registry: MetricRegistry, database_url: str) -> None:
    if is_postgres(database_url):
        definitions = [
            row[0]
            for row in raw_rows(
                database_url,
                "SELECT indexdef FROM pg_indexes"
                " WHERE schemaname = current_schema() AND tablename = 'metric'",
            )
        ]
        assert any(
            re.search(r"^CREATE UNIQUE INDEX \S+ ON \S*metric USING btree \(uid\)$", definition)
            for definition in definitions
        ), definitions
    else:
        indexes = raw_rows(database_url, "PRAGMA index_list(metric)")
        unique = [
            [column[2] for column in raw_rows(database_url, f"PRAGMA index_info({row[1]})")]
            for row in indexes
            if row[2] == 1
        ]
        assert ["uid"] in unique, indexes


def test_unique_index_refuses_a_duplicate_written_around_the_registry(
    registry: MetricRegistry, database_url: str
) -> None:
    registry.create_metric(uid="m", name="M")
    with raw_connection(database_url) as connection:
        cursor = connection.execute("SELECT * FROM metric")
        columns = ", ".join(item[0] for item in cursor.description if item[0] != "id")
        cursor.fetchall()
        with pytest.raises(Exception, match=r"(?i)unique") as caught:
            connection.execute(f"INSERT INTO metric ({columns}) SELECT {columns} FROM metric")
    assert type(caught.value).__name__ in {"IntegrityError", "UniqueViolation"}
    assert [metric.uid for metric in all_metrics(registry)] == ["m"]


def test_sqlite_row_format(sqlite_path: str) -> None:
    # The formats test_query_plans writes its bulk rows in.
    with MetricRegistry(sqlite_path) as registry:
        registry.create_metric(uid="m", name="M", is_snapshot=True, is_active=False)
    (row,) = raw_rows(
        sqlite_path,
        "SELECT created_at, updated_at, is_snapshot, is_active, typeof(is_active),"
        " context_type, value_type FROM metric",
    )
    stamp = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00"
    assert re.fullmatch(stamp, row[0])
    assert row[1] == row[0]
    assert row[2:] == (1, 0, "integer", "ORGANIZATION", "count")


def test_conflict_is_translated_from_the_driver_error(registry: MetricRegistry) -> None:
    registry.create_metric(uid="m", name="M")
    with pytest.raises(ConflictError) as caught:
        registry.create_metric(uid="m", name="M")
    cause = caught.value.__cause__
    assert cause is not None
    assert isinstance(cause, sqlite3.IntegrityError) or type(cause).__module__.startswith("psycopg")


@pytest.mark.parametrize("field", ["name", "description", "formula"])
def test_nul_character(registry: MetricRegistry, field: str) -> None:
    """Text with U+0000 is refused on every engine (PostgreSQL cannot store it)."""
    payload = {"uid": "m", "name": "N", field: "before\x00after"}
    with pytest.raises(ValidationError) as refused:
        registry.create_metric(payload)
    assert [(item.field, item.code) for item in refused.value.errors] == [(field, "invalid_format")]
    assert all_metrics(registry) == ()


@pytest.mark.parametrize(
    "make_target",
    [
        pytest.param(lambda tmp: str(tmp / "no such dir" / "metrics.db"), id="missing-directory"),
        pytest.param(str, id="a-directory"),
        pytest.param(
            lambda tmp: (
                (tmp / "junk.db").write_bytes(b"not a database" * 100) and str(tmp / "junk.db")
            ),
            id="not-a-database",
        ),
        pytest.param(
            lambda tmp: "postgresql://someone:s3cret@127.0.0.1:1/metrics", id="unreachable-server"
        ),
    ],
)
def test_database_that_cannot_be_opened(tmp_path: Path, make_target: Any) -> None:
    target = make_target(tmp_path)
    with unraisable() as reports:
        with pytest.raises(DatabaseOpenError) as caught:
            MetricRegistry(target)
        assert caught.value.code == "database_unavailable"
        assert "s3cret" not in caught.value.message
        del caught
    assert reports == []


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda registry: registry.get_metric("a\x00b"), id="get"),
        pytest.param(lambda registry: registry.update_metric("a\x00b", name="x"), id="update"),
        pytest.param(lambda registry: registry.delete_metric("a\x00b"), id="delete"),
        pytest.param(lambda registry: registry.revoke_token("a\x00b"), id="revoke"),
    ],
)
def test_nul_in_a_lookup_key_is_not_found(registry: MetricRegistry, operation: Any) -> None:
    registry.create_metric(uid="a", name="A")
    with pytest.raises(NotFoundError):
        operation(registry)


def test_nul_in_search_is_refused(registry: MetricRegistry) -> None:
    registry.create_metric(uid="a", name="A")
    with pytest.raises(ValidationError) as refused:
        registry.list_metrics(search="a\x00")
    assert [(item.field, item.code) for item in refused.value.errors] == [
        ("search", "invalid_format")
    ]
    assert registry.verify_token("mr_" + "\x00" * 43) is None
