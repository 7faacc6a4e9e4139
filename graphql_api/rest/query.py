"""A query string as the core's arguments, read by the fields of the core's own input model.

Only transport is decided here: a query string holds text, so a value is converted where the
model's field type makes its spelling unambiguous ("2" → 2 for an integer field, "true" /
"false" for a boolean one, "a,b" → ["a", "b"] for a list one, a leading space in a sort → "+",
since an unencoded plus in a query is a space). Every other value, and every unknown name, goes
to the core as given: the core refuses what it does not take (``unknown_field``,
``invalid_type``…).

A ``QueryShape`` says how one endpoint's query string meets its listing model: the query names
that differ from the model's field names (``metric_uid`` for ``metric_uids``), and the fields
the path gives (``context_type``), which the query may not give again.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Final, Union, get_args, get_origin

from pydantic import BaseModel
from starlette.datastructures import QueryParams

from metric_registry import FieldError

SIGNED_FIELDS: Final = frozenset({"sort"})
"""Fields whose value starts with ``+`` or ``-``."""
LIST_SEPARATOR: Final = ","
_INTEGER: Final = re.compile(r"[+-]?[0-9]+")
_BOOLEANS: Final = {"true": True, "false": False}


def base_types(annotation: Any) -> frozenset[Any]:
    """The types an annotation admits, without ``None`` and ``Annotated`` metadata; a
    parametrized list counts as ``list``."""
    if get_origin(annotation) is Annotated:
        return base_types(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return frozenset().union(*(base_types(arg) for arg in get_args(annotation)))
    if get_origin(annotation) is list:
        return frozenset({list})
    return frozenset() if annotation is type(None) else frozenset({annotation})


def converters(model: type[BaseModel]) -> dict[str, Any]:
    """For each field of ``model``: how its query-string text becomes a value."""
    found: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        admitted = base_types(info.annotation)
        if name in SIGNED_FIELDS:
            found[name] = _signed
        elif bool in admitted:
            found[name] = _boolean
        elif int in admitted:
            found[name] = _integer
        elif list in admitted:
            found[name] = _comma_separated
    return found


@dataclass(frozen=True)
class QueryShape:
    """How one endpoint's query string maps onto the core model that validates it."""

    model: type[BaseModel]
    renamed: Mapping[str, str] = field(default_factory=dict)
    """Query names that differ from the model's field names: query name → field name."""
    from_path: frozenset[str] = frozenset()
    """Fields of the model that the path gives."""

    def names(self) -> dict[str, str]:
        """Each query parameter's name → the field it sets, in the model's order."""
        wire = {field: name for name, field in self.renamed.items()}
        return {
            wire.get(name, name): name
            for name in self.model.model_fields
            if name not in self.from_path
        }

    def arguments(self, query: QueryParams) -> tuple[dict[str, Any], list[FieldError]]:
        """The arguments of the core call, and the parameters refused here (given twice, given
        by the path, or spelled with the model's name where the query's differs)."""
        fields = {field: name for name, field in self.renamed.items()}
        renamed: list[tuple[str, str]] = []
        refused: list[FieldError] = []
        for name, value in query.multi_items():
            if name in self.from_path:
                refused.append(FieldError(name, "unknown_field", "is given by the path"))
            elif name in fields:
                message = f"is not a query parameter; use {fields[name]!r}"
                refused.append(FieldError(name, "unknown_field", message))
            else:
                renamed.append((self.renamed.get(name, name), value))
        arguments, repeated = query_arguments(self.model, QueryParams(renamed))
        return arguments, [*refused, *self.shown(repeated)]

    def shown(self, errors: Iterable[FieldError]) -> list[FieldError]:
        """``errors`` naming the query parameters the client wrote (``metric_uid``, not
        ``metric_uids``)."""
        wire = {field: name for name, field in self.renamed.items()}
        return [_renamed(error, wire) for error in errors]


def query_arguments(
    model: type[BaseModel], query: QueryParams
) -> tuple[dict[str, Any], list[FieldError]]:
    """The arguments of a core call that ``model`` validates, and the parameters refused here
    (a repeated one: the model takes one value per name)."""
    convert = _CONVERTERS.get(model)
    if convert is None:
        convert = _CONVERTERS[model] = converters(model)
    arguments: dict[str, Any] = {}
    refused: list[FieldError] = []
    for name, value in query.multi_items():
        if name in arguments:
            refused.append(FieldError(name, "invalid_type", "must be given at most once"))
        else:
            to_value = convert.get(name)
            arguments[name] = value if to_value is None else to_value(value)
    return arguments, refused


_CONVERTERS: dict[type[BaseModel], dict[str, Any]] = {}


def _renamed(error: FieldError, wire: Mapping[str, str]) -> FieldError:
    head, dot, rest = error.field.partition(".")
    if head not in wire:
        return error
    return FieldError(wire[head] + dot + rest, error.code, error.message)


def _integer(value: str) -> object:
    if not _INTEGER.fullmatch(value):
        return value
    try:
        return int(value)
    except ValueError:  # more digits than Python converts
        return value


def _boolean(value: str) -> object:
    return _BOOLEANS.get(value, value)


def _signed(value: str) -> str:
    return "+" + value[1:] if value.startswith(" ") else value


def _comma_separated(value: str) -> list[str]:
    return value.split(LIST_SEPARATOR)
