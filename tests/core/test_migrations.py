"""Schema steps: recorded once, not re-run on reopen, missing ones applied, newer refused."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from metric_registry import DatabaseOpenError, MetricRegistry
from metric_registry._migrations import SCHEMA_VERSION, STEPS

from ._support import all_metrics, is_postgres, raw_connection, raw_rows, unraisable

EXPECTED_STEPS = [
    (1, "create metric"),
    (2, "create api_token"),
    (3, "add metric.search_text"),
    (4, "metric.search_text: the name alone"),
    (5, "create entity and metric_value"),
]


def recorded(url: str) -> list[tuple[object, ...]]:
    return raw_rows(url, "SELECT version, name, applied_at FROM schema_version ORDER BY version")


def test_steps_are_recorded(database_url: str) -> None:
    with MetricRegistry(database_url) as registry:
        assert registry.schema_version == SCHEMA_VERSION == len(STEPS) == 5
    assert [row[:2] for row in recorded(database_url)] == EXPECTED_STEPS


def test_reopening_keeps_data_and_does_not_rerun_steps(database_url: str) -> None:
    with MetricRegistry(database_url) as registry:
        created = registry.create_metric(uid="kept", name="Kept", value_type="currency")
        updated = registry.update_metric("kept", description="still here")
        issued = registry.issue_token("kept-token", "write")
    first = recorded(database_url)
    for _ in range(2):
        with MetricRegistry(database_url) as reopened:
            assert all_metrics(reopened) == (updated,)
            assert reopened.get_metric("kept").created_at == created.created_at
            token = reopened.verify_token(issued.secret)
            assert token is not None
            assert token.name == "kept-token"
    assert recorded(database_url) == first


def test_missing_step_is_applied_on_open(database_url: str) -> None:
    with MetricRegistry(database_url) as registry:
        kept = registry.create_metric(uid="kept", name="Kept")
    with raw_connection(database_url) as connection:
        connection.execute("DROP TABLE api_token")
        connection.execute("DELETE FROM schema_version WHERE version = 2")
    with MetricRegistry(database_url) as reopened:
        assert all_metrics(reopened) == (kept,)
        reopened.issue_token("works-again")
        assert [token.name for token in reopened.list_tokens()] == ["works-again"]
    assert [row[:2] for row in recorded(database_url)] == EXPECTED_STEPS


def test_a_newer_schema_is_refused(database_url: str) -> None:
    MetricRegistry(database_url).close()
    mark = "%s" if is_postgres(database_url) else "?"
    now = datetime.now(UTC)
    applied: object = now if is_postgres(database_url) else now.isoformat()
    with raw_connection(database_url) as connection:
        connection.execute(
            "INSERT INTO schema_version (version, name, applied_at)"
            f" VALUES ({mark}, {mark}, {mark})",
            (99, "from the future", applied),
        )
    with unraisable() as reports:
        with pytest.raises(DatabaseOpenError, match="99") as caught:
            MetricRegistry(database_url)
        assert caught.value.code == "database_unavailable"
        assert "upgrade" in caught.value.message
        del caught
    assert reports == []  # the refused registry closed its connection
    assert [row[0] for row in recorded(database_url)] == [1, 2, 3, 4, 5, 99]


def test_registries_opening_one_new_database_at_once(database_url: str) -> None:
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def open_and_write(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            with MetricRegistry(database_url) as registry:
                registry.create_metric(uid=f"m{number}", name=f"M {number}")
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=open_and_write, args=(n,)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert [row[:2] for row in recorded(database_url)] == EXPECTED_STEPS
    with MetricRegistry(database_url) as registry:
        assert [m.uid for m in all_metrics(registry)] == ["m0", "m1", "m2", "m3"]


# The schema written by the first release (43ac734), as SQLite printed it.
FIRST_RELEASE_SCHEMA = [
    'CREATE TABLE "schema_version" ("version" INTEGER NOT NULL PRIMARY KEY,'
    ' "name" VARCHAR(100) NOT NULL, "applied_at" TEXT NOT NULL)',
    'CREATE TABLE "metric" ("id" INTEGER NOT NULL PRIMARY KEY, "uid" VARCHAR(64) NOT NULL,'
    ' "name" VARCHAR(255) NOT NULL, "context_type" VARCHAR(16) NOT NULL, "description" TEXT,'
    ' "formula" TEXT, "value_type" VARCHAR(16) NOT NULL, "storage_unit" VARCHAR(8) NOT NULL,'
    ' "is_snapshot" INTEGER NOT NULL, "period_definition" VARCHAR(32),'
    ' "is_active" INTEGER NOT NULL, "created_at" TEXT NOT NULL, "updated_at" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "metric_uid" ON "metric" ("uid")',
    'CREATE INDEX "metric_name_uid" ON "metric" ("name", "uid")',
    'CREATE INDEX "metric_context_type_uid" ON "metric" ("context_type", "uid")',
    'CREATE INDEX "metric_value_type_uid" ON "metric" ("value_type", "uid")',
    'CREATE INDEX "metric_is_active_uid" ON "metric" ("is_active", "uid")',
    'CREATE INDEX "metric_created_at_uid" ON "metric" ("created_at", "uid")',
    'CREATE INDEX "metric_updated_at_uid" ON "metric" ("updated_at", "uid")',
    'CREATE TABLE "api_token" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(64) NOT NULL,'
    ' "scope" VARCHAR(8) NOT NULL, "secret_hash" VARCHAR(64) NOT NULL,'
    ' "created_at" TEXT NOT NULL)',
    'CREATE UNIQUE INDEX "api_token_name" ON "api_token" ("name")',
    'CREATE UNIQUE INDEX "api_token_secret_hash" ON "api_token" ("secret_hash")',
    "INSERT INTO schema_version VALUES (1, 'create metric', '2026-01-01T00:00:00.000000+00:00')",
    "INSERT INTO schema_version VALUES (2, 'create api_token', '2026-01-01T00:00:00.000000+00:00')",
    "INSERT INTO metric (uid, name, context_type, value_type, storage_unit, is_snapshot,"
    " is_active, created_at, updated_at) VALUES ('old_metric', 'Old \u00c9clair', 'PARTY',"
    " 'days', 'raw', 0, 1, '2026-01-01T00:00:00.000000+00:00',"
    " '2026-01-01T00:00:00.000000+00:00')",
]


def test_a_database_of_the_first_release_opens_and_works(sqlite_path: str) -> None:
    with raw_connection(sqlite_path) as connection:
        for statement in FIRST_RELEASE_SCHEMA:
            connection.execute(statement)
    with MetricRegistry(sqlite_path) as registry:
        old = registry.get_metric("old_metric")
        assert (old.name, old.context_type, old.value_type) == ("Old \u00c9clair", "PARTY", "days")
        registry.create_metric(uid="new_metric", name="New")
        registry.update_metric("old_metric", name="Old renamed")
        assert [m.uid for m in registry.list_metrics(search="METRIC").items] == [
            "new_metric",
            "old_metric",
        ]
        assert [m.uid for m in registry.list_metrics(search="renamed").items] == ["old_metric"]


def test_step_4_stops_search_from_matching_across_uid_and_name(database_url: str) -> None:
    with MetricRegistry(database_url) as registry:
        registry.create_metric(uid="ab", name="CD")
    newline = "chr(10)" if is_postgres(database_url) else "char(10)"
    with raw_connection(database_url) as connection:  # the file as step 3 left it
        connection.execute("DROP INDEX metric_search_text_uid")
        connection.execute("CREATE INDEX metric_search_text ON metric (search_text)")
        connection.execute(f"UPDATE metric SET search_text = uid || {newline} || lower(name)")
        connection.execute("DELETE FROM schema_version WHERE version = 4")
    with MetricRegistry(database_url) as reopened:
        assert reopened.list_metrics(search="b\nc").total_items == 0
        assert [m.uid for m in reopened.list_metrics(search="cd").items] == ["ab"]
    assert raw_rows(database_url, "SELECT search_text FROM metric") == [("cd",)]
    assert [row[:2] for row in recorded(database_url)] == EXPECTED_STEPS
