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
STORED_COLUMNS: Final = (*COLUMNS, "search_text")
"""What a row holds: the metric, and a case-folded copy of its uid and name to search in."""
UPDATABLE: Final = ("name", "description", "formula", "is_active", "updated_at", "search_text")
FILTERS: Final = ("is_active", "value_type", "context_type", "search")
SORTABLE: Final = ("uid", "name", "context_type", "value_type", "created_at", "updated_at")


class MetricStatements:
    """Every metric statement for one database; list shapes are compiled on first use."""

    def __init__(self, table: type[pw.Model], dialect: Dialect) -> None:
        self._table = table
        self._dialect = dialect
        self._columns = [column(table, name) for name in COLUMNS]
        uid = self._uid = column(table, "uid")
        self.insert = compile_query(table.insert(slots_for(table, STORED_COLUMNS)))
        assert self.insert.slots == STORED_COLUMNS, "to_row() gives values in this order"
        self.select = compile_query(table.select(*self._columns).where(uid == Slot("uid")))
        locked = table.select(*self._columns).where(uid == Slot("uid"))
        if table._meta.database.for_update:
            locked = locked.for_update()
        self.select_for_update = compile_query(locked)
        self.update = compile_query(
            table.update(slots_for(table, UPDATABLE)).where(uid == Slot("uid"))
        )
        assert self.update.slots == (*UPDATABLE, "uid"), "update_metric() relies on this order"
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
                query = query.where(like(column(table, "search_text"), Slot(name)))
            else:
                query = query.where(column(table, name) == Slot(name))
        return query

    def to_metric(self, row: Any) -> Metric:
        from_db_time = self._dialect.from_db_time
        period = row[8]
        return Metric.trusted(
            {
                "uid": row[0],
                "name": row[1],
                "context_type": _CONTEXT_TYPES[row[2]],
                "description": row[3],
                "formula": row[4],
                "value_type": _VALUE_TYPES[row[5]],
                "storage_unit": _STORAGE_UNITS[row[6]],
                "is_snapshot": bool(row[7]),
                "period_definition": None if period is None else _PERIODS[period],
                "is_active": bool(row[9]),
                "created_at": from_db_time(row[10]),
                "updated_at": from_db_time(row[11]),
            }
        )

    def to_row(self, metric: Metric) -> tuple[object, ...]:
        """Column values of ``metric`` in ``STORED_COLUMNS`` order, enums as plain strings."""
        fields = metric.__dict__
        to_db_time = self._dialect.to_db_time
        created_at = to_db_time(fields["created_at"])
        updated_at = (
            created_at
            if fields["updated_at"] is fields["created_at"]
            else to_db_time(fields["updated_at"])
        )
        period = fields["period_definition"]
        return (
            fields["uid"],
            fields["name"],
            fields["context_type"].value,
            fields["description"],
            fields["formula"],
            fields["value_type"].value,
            fields["storage_unit"].value,
            fields["is_snapshot"],
            None if period is None else period.value,
            fields["is_active"],
            created_at,
            updated_at,
            search_text(fields["uid"], fields["name"]),
        )


def search_text(uid: str, name: str) -> str:
    """What ``search`` looks in: uid and name, case-folded (Unicode-aware on every engine)."""
    return f"{uid}\n{name}".casefold()


_CONTEXT_TYPES: Final = {member.value: member for member in ContextType}
_VALUE_TYPES: Final = {member.value: member for member in ValueType}
_STORAGE_UNITS: Final = {member.value: member for member in StorageUnit}
_PERIODS: Final = {member.value: member for member in PeriodDefinition}
