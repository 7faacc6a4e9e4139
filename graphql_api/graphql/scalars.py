"""``Number``: a value's number, exact at any size (SPEC §9.2).

GraphQL's ``Int`` is 32 bits and JSON clients often read numbers as doubles (53 bits), but
cents are 64-bit integers. ``Number`` is written as a JSON integer for an int (every digit,
``4611686018427387911`` stays that) and as a JSON float for a float; it reads integer and
float literals and variables as they are written, and refuses booleans and strings (also
``"12"``): a number is never guessed from text. Range and finiteness are the core's rules.
"""

from __future__ import annotations

from typing import Any, Final, NewType

import strawberry
from graphql import FloatValueNode, GraphQLError, IntValueNode, ValueNode
from strawberry.types.scalar import ScalarDefinition

from metric_registry.errors import shown

Number = NewType("Number", object)
"""An ``int`` or a ``float``, as the core stores it."""


def serialize(value: Any) -> int | float:
    if type(value) is int or type(value) is float:
        return value
    raise TypeError(f"Number cannot represent {shown(value)}")


def parse_value(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GraphQLError(f"Number cannot represent a non-numeric value: {shown(value)}")
    return value


def parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> int | float:
    """An integer or float literal as written; anything else is a GraphQL error (refused
    while the document is validated, as graphql-core's own scalars do)."""
    if isinstance(node, FloatValueNode):
        return float(node.value)
    if isinstance(node, IntValueNode):
        try:
            return int(node.value)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            message = f"Number cannot represent an integer of {len(node.value)} digits"
            raise GraphQLError(message, node) from None
    kind = node.kind.removesuffix("_value").replace("_", " ")
    raise GraphQLError(f"Number cannot represent a non-numeric value: {kind}", node)


NUMBER: Final[ScalarDefinition] = strawberry.scalar(
    name="Number",
    description=(
        "A number kept exact: a JSON integer of any size (64-bit cents included) or a JSON "
        "float. Booleans and strings are refused."
    ),
    serialize=serialize,
    parse_value=parse_value,
    parse_literal=parse_literal,
)
SCALARS: Final[dict[object, ScalarDefinition]] = {Number: NUMBER}
"""The schema's ``scalar_map``."""
