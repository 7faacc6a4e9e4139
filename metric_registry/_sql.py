"""SQL built once by peewee with named slots, then reused with plain parameter tuples.

Peewee spends far longer building a query than SQLite spends running it, so every statement
the registry runs is compiled here once per database and kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import peewee as pw


class _Mark:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class Slot(pw.Node):
    """A named parameter placeholder inside a peewee query."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.mark = _Mark(name)

    def __sql__(self, ctx: Any) -> Any:
        return ctx.value(self.mark, converter=False)


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    slots: tuple[str, ...]
    table: str
    """The table the statement reads or writes first: the key of its constraint errors."""

    def params(self, values: Mapping[str, object]) -> tuple[object, ...]:
        return tuple([values[name] for name in self.slots])


def compile_query(query: Any) -> Statement:
    sql, params = query.sql()
    slots = []
    for param in params:
        if not isinstance(param, _Mark):
            raise TypeError(f"literal parameter {param!r} in a prepared statement")
        slots.append(param.name)
    return Statement(sql, tuple(slots), query.model._meta.table_name)


def column(model: type[pw.Model], name: str) -> Any:
    """The field ``name`` of a model class made at run time."""
    return model._meta.fields[name]


def slots_for(model: type[pw.Model], names: tuple[str, ...]) -> dict[Any, Slot]:
    """``{Model.field: Slot(field)}`` for an INSERT or UPDATE of ``names``."""
    fields = model._meta.fields
    return {fields[name]: Slot(name) for name in names}


def escape_like(text: str) -> str:
    """``text`` as a LIKE operand that matches itself anywhere (with ``ESCAPE '\\'``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def like(field: Any, slot: Slot) -> Any:
    """``field LIKE pattern ESCAPE '\\'``, spelled out: peewee turns LIKE into GLOB on SQLite."""
    return pw.NodeList((field, pw.SQL("LIKE"), slot, pw.SQL("ESCAPE '\\'")))


_NAMED_SLOT: Final = re.compile(r"(?<![:\w]):([a-z_]+)\b")


def statement_from_text(text: str, mark: str, table: str) -> Statement:
    """A statement written as SQL text with ``:name`` slots (for shapes peewee cannot build,
    such as recursive CTEs), its slots replaced by the driver's placeholder ``mark``."""
    slots = tuple(_NAMED_SLOT.findall(text))
    return Statement(_NAMED_SLOT.sub(lambda _: mark, text), slots, table)
