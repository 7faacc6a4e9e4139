"""The schema steps, in order. Each takes the migration's transaction and the peewee database
(which only builds SQL here: every statement runs in the transaction)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import peewee as pw

from .._store import Transaction
from .._tables import define_tables

Step = Callable[[Transaction, pw.Database], None]


def create_table(transaction: Transaction, model: type[pw.Model]) -> None:
    """``CREATE TABLE IF NOT EXISTS`` and its indexes, as peewee would write them."""
    schema: Any = getattr(model, "_schema")  # noqa: B009 (peewee's schema manager, untyped)
    context = model._meta.database.get_sql_context
    transaction.execute(*context().sql(schema._create_table(safe=True)).query())
    for index in schema._create_indexes(safe=True):
        transaction.execute(*context().sql(index).query())


def _create_metrics(transaction: Transaction, database: pw.Database) -> None:
    create_table(transaction, define_tables(database, schema_version=1).metric)


def _create_tokens(transaction: Transaction, database: pw.Database) -> None:
    create_table(transaction, define_tables(database, schema_version=2).token)


def _add_search_text(transaction: Transaction, database: pw.Database) -> None:
    """A case-folded copy of uid and name, so search is Unicode-aware on SQLite too."""
    transaction.execute("ALTER TABLE metric ADD COLUMN search_text TEXT NOT NULL DEFAULT ''")
    _fold_names(transaction, database, lambda uid, name: f"{uid}\n{name}".casefold())
    transaction.execute("CREATE INDEX metric_search_text ON metric (search_text)")


def _search_name_alone(transaction: Transaction, database: pw.Database) -> None:
    """``search_text`` holds the case-folded name alone: a search matches within the uid or
    within the name, never across the two."""
    _fold_names(transaction, database, lambda uid, name: name.casefold())
    transaction.execute("DROP INDEX metric_search_text")
    transaction.execute("CREATE INDEX metric_search_text_uid ON metric (search_text, uid)")


def _fold_names(
    transaction: Transaction, database: pw.Database, fold: Callable[[str, str], str]
) -> None:
    rows = transaction.execute("SELECT id, uid, name FROM metric").fetchall()
    mark = database.param
    for row_id, uid, name in rows:
        transaction.execute(
            f"UPDATE metric SET search_text = {mark} WHERE id = {mark}", (fold(uid, name), row_id)
        )


def _create_values(transaction: Transaction, database: pw.Database) -> None:
    tables = define_tables(database, schema_version=5)
    create_table(transaction, tables.entity)
    create_table(transaction, tables.metric_value)


STEPS: Final[tuple[tuple[str, Step], ...]] = (
    ("create metric", _create_metrics),
    ("create api_token", _create_tokens),
    ("add metric.search_text", _add_search_text),
    ("metric.search_text: the name alone", _search_name_alone),
    ("create entity and metric_value", _create_values),
)
