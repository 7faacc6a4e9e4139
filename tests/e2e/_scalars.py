"""Schemathesis strategies for the schema's own scalars (``Date`` and ``UUID`` are built in):
``Number`` as integers of any size and finite floats, ``JSON`` as small objects, strings and
integers. Registered once, by every test that lets schemathesis write GraphQL."""

from __future__ import annotations

from typing import Any

import schemathesis
from graphql import NameNode, ObjectFieldNode
from hypothesis import strategies as st
from schemathesis.graphql import nodes


def json_object(fields: dict[str, str]) -> Any:
    return nodes.Object(
        [
            ObjectFieldNode(name=NameNode(value=name), value=nodes.String(value))
            for name, value in fields.items()
        ]
    )


def register_graphql_scalars() -> None:
    schemathesis.graphql.scalar(
        "Number",
        st.one_of(
            st.integers().map(nodes.Int),
            st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
        ),
    )
    schemathesis.graphql.scalar(
        "JSON",
        st.one_of(
            st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), st.text(max_size=20)).map(
                json_object
            ),
            st.text(max_size=20).map(nodes.String),
            st.integers().map(nodes.Int),
        ),
    )
