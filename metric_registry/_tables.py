"""The tables, as peewee models defined per database so that registries never share a binding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import peewee as pw

TIMESTAMP = "TIMESTAMPTZ"
"""Stored as ISO-8601 text with microseconds on SQLite, as ``timestamptz`` on PostgreSQL."""


class TimestampField(pw.Field):
    field_type = TIMESTAMP


@dataclass(frozen=True)
class Tables:
    schema_version: type[pw.Model]
    metric: type[pw.Model]
    token: type[pw.Model]
    entity: type[pw.Model]
    metric_value: type[pw.Model]


SEARCH_TEXT_SINCE: Final = 3
"""The schema version whose step added ``metric.search_text``."""


def define_tables(database: pw.Database, *, schema_version: int | None = None) -> Tables:
    """Fresh model classes bound to ``database`` alone (``Model.bind`` is process-global).

    With ``schema_version``, the tables as that version had them: a migration step builds
    from the version before it, never from the live models.
    """
    postgres = isinstance(database, pw.PostgresqlDatabase)
    collation = '"C"' if postgres else None  # SQLite's order

    class ValueUidField(pw.Field):
        """16 bytes: a BLOB on SQLite, a ``uuid`` on PostgreSQL."""

        field_type = "UUID" if postgres else "BLOB"

    class LocalDateField(pw.Field):
        """``YYYY-MM-DD`` text on SQLite (sorts as dates), a ``date`` on PostgreSQL."""

        field_type = "DATE" if postgres else "TEXT"

    class _Table(pw.Model):
        class Meta:
            legacy_table_names = False

    _Table._meta.set_database(database)

    class SchemaVersionTable(_Table):
        version = pw.IntegerField(primary_key=True)
        name = pw.CharField(max_length=100)
        applied_at = TimestampField()

        class Meta:
            table_name = "schema_version"

    class MetricTable(_Table):
        id = pw.BigAutoField()
        uid = pw.CharField(max_length=64, collation=collation)
        name = pw.CharField(max_length=255, collation=collation)
        context_type = pw.CharField(max_length=16)
        description = pw.TextField(null=True)
        formula = pw.TextField(null=True)
        value_type = pw.CharField(max_length=16)
        storage_unit = pw.CharField(max_length=8)
        is_snapshot = pw.BooleanField()
        period_definition = pw.CharField(max_length=32, null=True)
        is_active = pw.BooleanField()
        created_at = TimestampField()
        updated_at = TimestampField()
        if schema_version is None or schema_version >= SEARCH_TEXT_SINCE:
            search_text = pw.TextField()

        class Meta:
            table_name = "metric"
            indexes = (
                (("uid",), True),
                (("name", "uid"), False),
                (("context_type", "uid"), False),
                (("value_type", "uid"), False),
                (("is_active", "uid"), False),
                (("created_at", "uid"), False),
                (("updated_at", "uid"), False),
            )

    class TokenTable(_Table):
        id = pw.BigAutoField()
        name = pw.CharField(max_length=64)
        scope = pw.CharField(max_length=8)
        secret_hash = pw.CharField(max_length=64)
        created_at = TimestampField()

        class Meta:
            table_name = "api_token"
            indexes = (
                (("name",), True),
                (("secret_hash",), True),
            )

    class EntityTable(_Table):
        id = pw.BigAutoField()
        context_type = pw.CharField(max_length=16)
        uid = pw.CharField(max_length=36)
        name = pw.CharField(max_length=255, null=True, collation=collation)
        search_text = pw.TextField()
        created_at = TimestampField()
        updated_at = TimestampField()

        class Meta:
            table_name = "entity"
            indexes = ((("context_type", "uid"), True),)

    class MetricValueTable(_Table):
        id = pw.BigAutoField()
        uid = ValueUidField()
        metric_id = pw.ForeignKeyField(
            MetricTable, field=MetricTable.id, column_name="metric_id", index=False
        )
        entity_id = pw.ForeignKeyField(
            EntityTable, field=EntityTable.id, column_name="entity_id", index=False
        )
        time_unit = pw.CharField(max_length=8)
        metric_date = LocalDateField()
        value_cents = pw.BigIntegerField(null=True)
        value_raw = pw.DoubleField(null=True)
        timezone = pw.CharField(max_length=64, null=True)
        metadata = pw.TextField()
        created_at = TimestampField()
        updated_at = TimestampField()

        class Meta:
            table_name = "metric_value"
            indexes = (
                (("uid",), True),
                (("entity_id", "time_unit", "metric_id", "metric_date"), True),
                (("metric_id", "time_unit", "entity_id", "metric_date"), False),
            )
            constraints = (pw.Check("(value_cents IS NULL) <> (value_raw IS NULL)"),)

    return Tables(
        schema_version=SchemaVersionTable,
        metric=MetricTable,
        token=TokenTable,
        entity=EntityTable,
        metric_value=MetricValueTable,
    )
