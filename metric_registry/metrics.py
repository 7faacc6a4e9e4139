"""The metric book: the rules of a metric definition (SPEC §2) and the statements that keep it."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, Final

import peewee as pw

from ._codec import RowCodec
from ._sql import Slot, Statement, column, compile_query, escape_like, like, slots_for
from ._store import Store
from ._validation import merge_input, parse
from .errors import (
    ALREADY_EXISTS,
    IN_USE,
    ConflictError,
    FieldError,
    NotFoundError,
    ValidationError,
    shown,
)
from .models import (
    IMMUTABLE_FIELDS,
    LISTING_FILTERS,
    MUTABLE_FIELDS,
    NOT_NULL_FIELDS,
    Metric,
    MetricCreate,
    MetricListing,
    MetricUpdate,
    Page,
    storable,
)

COLUMNS: Final = tuple(Metric.model_fields)
STORED_COLUMNS: Final = (*COLUMNS, "search_text")
"""What a row holds: the metric, and its case-folded name to search in."""
UPDATABLE: Final = (*MUTABLE_FIELDS, "updated_at", "search_text")
TABLE: Final = "metric"
Clock = Callable[[], datetime]


def search_text(name: str) -> str:
    """What ``search`` looks in besides the uid: the name, case-folded (Unicode-aware on
    every engine)."""
    return name.casefold()


class MetricStatements:
    """Every metric statement for one database; list shapes are compiled on first use."""

    def __init__(self, table: type[pw.Model]) -> None:
        self._table = table
        self._columns = [column(table, name) for name in COLUMNS]
        uid = self._uid = column(table, "uid")
        self.insert = compile_query(table.insert(slots_for(table, STORED_COLUMNS)))
        self.select = compile_query(table.select(*self._columns).where(uid == Slot("uid")))
        self.select_with_id = compile_query(
            table.select(*self._columns, column(table, "id")).where(uid == Slot("uid"))
        )
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
            query = self._filtered(self._table.select(pw.fn.COUNT(pw.SQL("*"))), filters)
            statement = self._counts[filters] = compile_query(query)
        return statement

    def _filtered(self, query: Any, filters: tuple[str, ...]) -> Any:
        table = self._table
        for name in filters:
            if name == "search":
                pattern = Slot(name)
                query = query.where(
                    like(self._uid, pattern) | like(column(table, "search_text"), pattern)
                )
            else:
                query = query.where(column(table, name) == Slot(name))
        return query


class MetricBook:
    """Metric definitions: every rule of SPEC §2, on one store."""

    def __init__(self, store: Store, table: type[pw.Model], clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self.statements = MetricStatements(table)
        self._codec = RowCodec(Metric, COLUMNS, store.dialect)
        store.on_violation(TABLE, "unique", _uid_taken)
        store.on_violation(TABLE, "foreign_key", _in_use)

    def row_values(self, metric: Metric) -> dict[str, object]:
        values = dict(zip(COLUMNS, self._codec.encode(metric), strict=True))
        values["search_text"] = search_text(metric.name)
        return values

    def create(self, data: Mapping[str, Any] | None, fields: Mapping[str, Any]) -> Metric:
        given = parse(MetricCreate, merge_input(data, fields))
        now = self._clock()
        metric = Metric.trusted({**given.__dict__, "created_at": now, "updated_at": now})
        with self._store.transaction() as transaction:
            transaction.run(self.statements.insert, self.row_values(metric))
        return metric

    def get(self, uid: str) -> Metric:
        _check_uid_argument(uid)
        row = self._store.fetch_one(self.statements.select.sql, (uid,))
        if row is None:
            raise NotFoundError("metric", uid)
        return self._codec.decode(row)

    def lookup(self, uid: str) -> tuple[int, Metric] | None:
        """The row id and the metric stored under ``uid``, or None (also for a uid no
        metric could have: one with a NUL character or a lone surrogate, which the drivers
        refuse to send)."""
        if not storable(uid):
            return None
        row = self._store.fetch_one(self.statements.select_with_id.sql, (uid,))
        return None if row is None else (row[-1], self._codec.decode(row[:-1]))

    def list(self, query: Mapping[str, Any] | None, parameters: Mapping[str, Any]) -> Page[Metric]:
        given = merge_input(query, parameters)
        for name in LISTING_FILTERS:  # a filter given as None, or an empty search, is no filter
            if name in given and given[name] in (None, ""):
                del given[name]
        listing = parse(MetricListing, given)
        filters = tuple(name for name in LISTING_FILTERS if getattr(listing, name) is not None)
        values: dict[str, object] = {name: _plain(getattr(listing, name)) for name in filters}
        if "search" in values:
            values["search"] = escape_like(str(values["search"]).casefold())
        descending, field = listing.sort[0] == "-", listing.sort[1:]
        values["limit"] = listing.per_page
        values["offset"] = (listing.page - 1) * listing.per_page
        statements = self.statements
        count, page = statements.count(filters), statements.page(filters, field, descending)
        with self._store.snapshot():
            total_items: int = self._store.fetch_one(count.sql, count.params(values))[0]
            rows = self._store.fetch_all(page.sql, page.params(values))
        return Page[Metric].model_construct(
            items=tuple(map(self._codec.decode, rows)),
            page=listing.page,
            per_page=listing.per_page,
            total_pages=math.ceil(total_items / listing.per_page),
            total_items=total_items,
        )

    def update(
        self, uid: str, data: Mapping[str, Any] | None, changes: Mapping[str, Any]
    ) -> Metric:
        _check_uid_argument(uid)
        given = parse(MetricUpdate, merge_input(data, changes))
        requested = {name: getattr(given, name) for name in given.model_fields_set}
        null_errors = [
            FieldError(name, "invalid_type", "must not be null")
            for name in sorted(requested)
            if name in NOT_NULL_FIELDS and requested[name] is None
        ]
        if null_errors:
            raise ValidationError(null_errors)
        statements = self.statements
        with self._store.transaction() as transaction:
            row = transaction.run(statements.select_for_update, {"uid": uid}).fetchone()
            if row is None:
                raise NotFoundError("metric", uid)
            current = self._codec.decode(row)
            _check_immutables(current, requested)
            changed = {
                name: value
                for name, value in requested.items()
                if name in MUTABLE_FIELDS and getattr(current, name) != value
            }
            if not changed:
                return current
            updated = current.model_copy(update={**changed, "updated_at": self._clock()})
            transaction.run(statements.update, self.row_values(updated))
        return updated

    def delete(self, uid: str) -> None:
        _check_uid_argument(uid)
        with self._store.transaction() as transaction:
            deleted = transaction.run(self.statements.delete, {"uid": uid}).rowcount
        if deleted == 0:
            raise NotFoundError("metric", uid)


def _uid_taken(values: Mapping[str, object]) -> ConflictError:
    return ConflictError(ALREADY_EXISTS, f"a metric with uid {shown(values['uid'])} already exists")


def _in_use(values: Mapping[str, object]) -> ConflictError:
    uid = shown(values["uid"])
    return ConflictError(IN_USE, f"metric {uid} has recorded values; deactivate it instead")


def _check_uid_argument(uid: object) -> None:
    """A uid to look up: a string, and one that could have been stored."""
    if not isinstance(uid, str):
        raise ValidationError.single("uid", "invalid_type", "must be a string")
    if not storable(uid):
        raise NotFoundError("metric", uid)


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def _check_immutables(current: Metric, requested: Mapping[str, object]) -> None:
    errors = [
        FieldError(
            name,
            "immutable_field",
            f"cannot change after creation: stored {_shown(getattr(current, name))}, "
            f"requested {_shown(requested[name])}",
        )
        for name in IMMUTABLE_FIELDS
        if name in requested and getattr(current, name) != requested[name]
    ]
    if errors:
        raise ValidationError(errors)


def _shown(value: object) -> str:
    return shown(_plain(value))
