"""The entity book (SPEC §9.1): who values are measured about, registered idempotently."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final

import peewee as pw

from ._codec import RowCodec
from ._sql import Slot, column, compile_query, escape_like, like, slots_for
from ._store import Store, Transaction
from ._validation import parse
from .errors import IN_USE, ConflictError, FieldError, NotFoundError, ValidationError, shown
from .models import ContextType, Page
from .models.entities import Entity, EntityInput, EntityListing, canonical_uuid

COLUMNS: Final = tuple(Entity.model_fields)
TABLE: Final = "entity"
MAX_REPORTED_ERRORS: Final = 100


class EntityBook:
    """Entities, each keyed by ``(context_type, uid)``."""

    def __init__(self, store: Store, table: type[pw.Model], clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        self._codec = RowCodec(Entity, COLUMNS, store.dialect)
        fields = [column(table, name) for name in COLUMNS]
        key = (column(table, "context_type") == Slot("context_type")) & (
            column(table, "uid") == Slot("uid")
        )
        self._select = compile_query(table.select(*fields, column(table, "id")).where(key))
        self._insert = compile_query(
            table.insert(slots_for(table, (*COLUMNS, "search_text"))).on_conflict_ignore()
        )
        self._rename = compile_query(
            table.update(slots_for(table, ("name", "search_text", "updated_at"))).where(key)
        )
        self._delete = compile_query(table.delete().where(key))
        in_context = column(table, "context_type") == Slot("context_type")
        searched = like(column(table, "search_text"), Slot("search")) | like(
            column(table, "uid"), Slot("search")
        )
        self._lists = {
            search: (
                compile_query(
                    table.select(*fields)
                    .where(in_context & searched if search else in_context)
                    .order_by(column(table, "uid"))
                    .limit(Slot("limit"))
                    .offset(Slot("offset"))
                ),
                compile_query(
                    table.select(pw.fn.COUNT(pw.SQL("*"))).where(
                        in_context & searched if search else in_context
                    )
                ),
            )
            for search in (False, True)
        }
        store.on_violation(TABLE, "foreign_key", _in_use)

    def register(self, context_type: object, uid: object, name: object = None) -> Entity:
        given = _parse_entity({"context_type": context_type, "uid": uid, "name": name}, "")
        with self._store.transaction() as transaction:
            return self.register_in(transaction, given)[0]

    def register_many(self, rows: Iterable[Mapping[str, Any]]) -> list[Entity]:
        registered: list[Entity] = []
        errors: list[FieldError] = []
        with self._store.transaction() as transaction:
            transaction.lock_writers(TABLE)  # rows in another order must not deadlock
            for index, row in enumerate(rows):
                try:
                    given = _parse_entity(row, f"entities[{index}].")
                except ValidationError as exc:
                    errors.extend(exc.errors)
                    if len(errors) >= MAX_REPORTED_ERRORS:
                        break
                    continue
                if not errors:
                    registered.append(self.register_in(transaction, given)[0])
            if errors:
                raise ValidationError(errors[:MAX_REPORTED_ERRORS])
        return registered

    def register_in(self, transaction: Transaction, given: EntityInput) -> tuple[Entity, int]:
        """Register ``given`` inside ``transaction``: the entity and its row id."""
        key = {"context_type": given.context_type.value, "uid": given.uid}
        row = transaction.run(self._select, key).fetchone()
        now = self._clock()
        if row is None:
            entity = Entity.trusted({**given.__dict__, "created_at": now, "updated_at": now})
            transaction.run(self._insert, self._row_values(entity))
            row = transaction.run(self._select, key).fetchone()
        current = self._codec.decode(row[:-1])
        if given.name is not None and given.name != current.name:
            current = current.model_copy(update={"name": given.name, "updated_at": now})
            transaction.run(self._rename, self._row_values(current))
        return current, row[-1]

    def _row_values(self, entity: Entity) -> dict[str, object]:
        values = dict(zip(COLUMNS, self._codec.encode(entity), strict=True))
        values["search_text"] = (entity.name or "").casefold()
        return values

    def get(self, context_type: object, uid: object) -> Entity:
        return self._codec.decode(self.lookup(context_type, uid)[:-1])

    def id_of(self, context_type: str, uid: str) -> int | None:
        """The row id of a registered entity (its uid canonical), or None."""
        values = {"context_type": context_type, "uid": uid}
        row = self._store.fetch_one(self._select.sql, self._select.params(values))
        return None if row is None else int(row[-1])

    def lookup(self, context_type: object, uid: object) -> Any:
        """The stored row (its columns, then its id) of an entity; ``NotFoundError`` if none."""
        key = _key(context_type, uid)
        row = self._store.fetch_one(self._select.sql, self._select.params(key))
        if row is None:
            raise NotFoundError("entity", f"{key['context_type']}/{key['uid']}")
        return row

    def list(self, query: Mapping[str, Any]) -> Page[Entity]:
        given = {name: value for name, value in query.items() if value not in (None, "")}
        listing = parse(EntityListing, given)
        page_statement, count_statement = self._lists[listing.search is not None]
        values: dict[str, object] = {
            "context_type": listing.context_type.value,
            "search": escape_like((listing.search or "").casefold()),
            "limit": listing.per_page,
            "offset": (listing.page - 1) * listing.per_page,
        }
        with self._store.snapshot():
            total: int = self._store.fetch_one(count_statement.sql, count_statement.params(values))[
                0
            ]
            rows = self._store.fetch_all(page_statement.sql, page_statement.params(values))
        return Page[Entity].model_construct(
            items=tuple(map(self._codec.decode, rows)),
            page=listing.page,
            per_page=listing.per_page,
            total_pages=math.ceil(total / listing.per_page),
            total_items=total,
        )

    def delete(self, context_type: object, uid: object) -> None:
        key = _key(context_type, uid)
        with self._store.transaction() as transaction:
            deleted = transaction.run(self._delete, key).rowcount
        if deleted == 0:
            raise NotFoundError("entity", f"{key['context_type']}/{key['uid']}")


def _parse_entity(row: object, prefix: str) -> EntityInput:
    if not isinstance(row, Mapping):
        field = prefix.rstrip(".") or "body"
        raise ValidationError.single(field, "invalid_type", "must be an object")
    given = {key: value for key, value in row.items() if not (key == "name" and value is None)}
    return parse(EntityInput, given, prefix)


def _key(context_type: object, uid: object) -> dict[str, str]:
    """A lookup key; a uid that is no UUID, or an unknown context, can name no entity."""
    if not isinstance(context_type, str) or context_type not in ContextType._value2member_map_:
        allowed = ", ".join(member.value for member in ContextType)
        raise ValidationError.single(
            "context_type", "invalid_choice", f"must be one of {allowed}, got {shown(context_type)}"
        )
    canonical = canonical_uuid(uid) if isinstance(uid, str) else None
    if canonical is None:
        raise NotFoundError("entity", f"{context_type}/{uid}")
    return {"context_type": context_type, "uid": canonical}


def _in_use(values: Mapping[str, object]) -> ConflictError:
    return ConflictError(
        IN_USE, f"entity {values['context_type']}/{values['uid']} has recorded values"
    )
