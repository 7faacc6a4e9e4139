"""Rows to read models and back, by column name, with decoders derived from the model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, Generic, TypeVar, get_args

from ._database import Dialect
from .models import ReadModel

ModelT = TypeVar("ModelT", bound=ReadModel)
Convert = Callable[[Any], Any]


class RowCodec(Generic[ModelT]):
    """Decodes rows whose columns are ``columns`` (the model's fields) into ``model``, and
    encodes a model into those columns: enums as their values, timestamps as the engine
    stores them."""

    def __init__(self, model: type[ModelT], columns: Sequence[str], dialect: Dialect) -> None:
        self.model = model
        self.columns = tuple(columns)
        self._pairs: list[tuple[str, Convert | None]] = []
        self._encoders: list[tuple[int, Convert]] = []
        for position, name in enumerate(self.columns):
            kind = _plain_type(model.model_fields[name].annotation)
            decode: Convert | None = None
            if isinstance(kind, type) and issubclass(kind, Enum):
                decode = {member.value: member for member in kind}.__getitem__
                self._encoders.append((position, _enum_value))
            elif kind is bool:
                decode = bool
            elif kind is datetime:
                decode = dialect.from_db_time
                self._encoders.append((position, dialect.to_db_time))
            self._pairs.append((name, decode))

    def decode(self, row: Sequence[Any]) -> ModelT:
        return self.model.trusted(
            {
                name: value if decode is None or value is None else decode(value)
                for (name, decode), value in zip(self._pairs, row, strict=True)
            }
        )

    def encode(self, record: ModelT) -> list[Any]:
        fields = record.__dict__
        row = [fields[name] for name in self.columns]
        for position, encode in self._encoders:
            value = row[position]
            if value is not None:
                row[position] = encode(value)
        return row


def _enum_value(member: Enum) -> Any:
    return member.value


def _plain_type(annotation: Any) -> Any:
    """``X`` of ``X | None``; the annotation itself otherwise."""
    kinds = [kind for kind in get_args(annotation) if kind is not type(None)]
    return kinds[0] if len(kinds) == 1 else annotation
