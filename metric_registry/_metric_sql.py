"""The metric statements, compiled once per registry, and rows turned back into ``Metric``."""

from __future__ import annotations

from typing import Any, Final

import peewee as pw

from ._sql import Slot, Statement, column, compile_query, like, slots_for
from ._store import Dialect
from .models import ContextType, Metric, PeriodDefinition, StorageUnit, ValueType

COLUMNS: Final = (
    "uid",
    "name",
    "context_type",
    "description",
    "formula",
    "value_type",
    "storage_unit",
    "is_snapshot",
    "period_definition",
    "is_active",
    "created_at",
    "updated_at",
)
UPDATABLE: Final = ("name", "description", "formula", "is_active", "updated_at")
FILTERS: Final = ("is_active", "value_type", "context_type", "search")
SORTABLE: Final = ("uid", "name", "context_type", "value_type", "created_at", "updated_at")


class MetricStatements:
    """Every metric statement for one database; list shapes are compiled on first use."""

    def __init__(self, table: type[pw.Model], dialect: Dialect) -> None:
        self._table = table
        self._dialect = dialect
        self._columns = [column(table, name) for name in COLUMNS]
        uid = self._uid = column(table, "uid")
        self.insert = compile_query(table.insert(slots_for(table, COLUMNS)))
        self.select = compile_query(table.select(*self._columns).where(uid == Slot("uid")))
        locked = table.select(*self._columns).where(uid == Slot("uid"))
        if table._meta.database.for_update:
            locked = locked.for_update()
        self.select_for_update = compile_query(locked)
        self.update = compile_query(
            table.update(slots_for(table, UPDATABLE)).where(uid == Slot("uid"))
        )
        self.delete = compile_query(table.delete().where(uid == Slot("uid")))
        self._pages: dict[tuple[tuple[str, ...], str, bool], Statement] = {}
        self._counts: dict[tuple[str, ...], Statement] = {}

    def page(self, filters: tuple[str, ...], sort: str, descending: bool) -> Statement:
        key = (filters, sort, descending)
        statement = self._pages.get(key)
        if statement is None:
            table = self._table
            order = [column(table, sort), self._uid] if sort != "uid" else [self._uid]
            query = (
                self._filtered(table.select(*self._columns), filters)
                .order_by(*[field.desc() if descending else field.asc() for field in order])
                .limit(Slot("limit"))
                .offset(Slot("offset"))
            )
            statement = self._pages[key] = compile_query(query)
        return statement

    def count(self, filters: tuple[str, ...]) -> Statement:
        statement = self._counts.get(filters)
        if statement is None:
            table = self._table
            query = self._filtered(table.select(pw.fn.COUNT(pw.SQL("*"))), filters)
            statement = self._counts[filters] = compile_query(query)
        return statement

    def _filtered(self, query: Any, filters: tuple[str, ...]) -> Any:
        table = self._table
        for name in filters:
            if name == "search":
                matches = like(self._uid, Slot(name)) | like(column(table, "name"), Slot(name))
                query = query.where(matches)
            else:
                query = query.where(column(table, name) == Slot(name))
        return query

    def to_metric(self, row: Any) -> Metric:
        from_db_time = self._dialect.from_db_time
        period = row[8]
        return Metric.model_construct(
            uid=row[0],
            name=row[1],
            context_type=ContextType(row[2]),
            description=row[3],
            formula=row[4],
            value_type=ValueType(row[5]),
            storage_unit=StorageUnit(row[6]),
            is_snapshot=bool(row[7]),
            period_definition=None if period is None else PeriodDefinition(period),
            is_active=bool(row[9]),
            created_at=from_db_time(row[10]),
            updated_at=from_db_time(row[11]),
        )

    def to_row(self, metric: Metric) -> dict[str, object]:
        """Column values for ``metric``: enums as their plain string values."""
        to_db_time = self._dialect.to_db_time
        period = metric.period_definition
        return {
            "uid": metric.uid,
            "name": metric.name,
            "context_type": metric.context_type.value,
            "description": metric.description,
            "formula": metric.formula,
            "value_type": metric.value_type.value,
            "storage_unit": metric.storage_unit.value,
            "is_snapshot": metric.is_snapshot,
            "period_definition": None if period is None else period.value,
            "is_active": metric.is_active,
            "created_at": to_db_time(metric.created_at),
            "updated_at": to_db_time(metric.updated_at),
        }
