"""A query string as the core's arguments, read by the fields of the core's own input model.

Only transport is decided here: a query string holds text, so a value is converted where the
model's field type makes its spelling unambiguous ("2" → 2 for an integer field, "true" /
"false" for a boolean one, a leading space in a sort → "+", since an unencoded plus in a query
is a space). Every other value, and every unknown name, goes to the core as given: the core
refuses what it does not take (``unknown_field``, ``invalid_type``…).
"""

from __future__ import annotations

import re
import types
from typing import Annotated, Any, Final, Union, get_args, get_origin

from pydantic import BaseModel
from starlette.datastructures import QueryParams

from metric_registry import FieldError

SIGNED_FIELDS: Final = frozenset({"sort"})
"""Fields whose value starts with ``+`` or ``-``."""
_INTEGER: Final = re.compile(r"[+-]?[0-9]+")
_BOOLEANS: Final = {"true": True, "false": False}


def base_types(annotation: Any) -> frozenset[Any]:
    """The types an annotation admits, without ``None`` and ``Annotated`` metadata."""
    if get_origin(annotation) is Annotated:
        return base_types(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return frozenset().union(*(base_types(arg) for arg in get_args(annotation)))
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
    return found


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
