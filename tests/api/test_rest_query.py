"""Query strings as core arguments, converted by the core model's own field types."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Strict
from starlette.datastructures import QueryParams

from graphql_api.rest.query import converters, query_arguments
from metric_registry.models import MetricListing


@pytest.mark.parametrize(
    ("query", "arguments"),
    [
        ("page=2&per_page=10", {"page": 2, "per_page": 10}),
        ("page=-3", {"page": -3}),
        ("page=two", {"page": "two"}),
        ("page=" + "9" * 5000, {"page": "9" * 5000}),  # more digits than int() takes
        ("page=", {"page": ""}),
        ("is_active=true", {"is_active": True}),
        ("is_active=false", {"is_active": False}),
        ("is_active=True", {"is_active": "True"}),
        ("sort=+uid", {"sort": "+uid"}),  # an unencoded plus arrives as a space
        ("sort=%2Buid", {"sort": "+uid"}),
        ("sort=-name", {"sort": "-name"}),
        ("search=+ar", {"search": " ar"}),
        ("value_type=days", {"value_type": "days"}),
        ("valuetype=days", {"valuetype": "days"}),  # unknown: the core refuses it
    ],
)
def test_values_are_converted_by_the_field_type(query: str, arguments: dict[str, object]) -> None:
    assert query_arguments(MetricListing, QueryParams(query)) == (arguments, [])


def test_a_repeated_parameter_is_refused() -> None:
    arguments, refused = query_arguments(MetricListing, QueryParams("page=1&page=2"))
    assert arguments == {"page": 1}
    assert [(error.field, error.code) for error in refused] == [("page", "invalid_type")]


class Other(BaseModel):
    count: int | None = None
    flag: Annotated[bool, Strict()] = False
    sort: str = "-value"
    name: str = ""


def test_any_model_is_read_the_same_way() -> None:
    assert set(converters(Other)) == {"count", "flag", "sort"}
    query = QueryParams("count=3&flag=true&sort= value&name=7")
    assert query_arguments(Other, query) == (
        {"count": 3, "flag": True, "sort": "+value", "name": "7"},
        [],
    )


def test_the_listing_converters_follow_the_core_model() -> None:
    assert set(converters(MetricListing)) == {"is_active", "sort", "page", "per_page"}
