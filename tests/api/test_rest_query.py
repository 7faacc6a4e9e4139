"""Query strings as core arguments, converted by the core model's own field types."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Strict
from starlette.datastructures import QueryParams

from graphql_api.rest.query import QueryShape, converters, query_arguments
from metric_registry import FieldError
from metric_registry.models import MetricListing
from metric_registry.models.values import ValueListing


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


def test_a_list_field_reads_comma_separated_text() -> None:
    query = QueryParams("metric_uids=dso,total_ar&latest=true&include_metadata=false")

    assert query_arguments(ValueListing, query) == (
        {"metric_uids": ["dso", "total_ar"], "latest": True, "include_metadata": False},
        [],
    )
    assert set(converters(ValueListing)) == {
        "metric_uids",
        "latest",
        "include_metadata",
        "sort",
        "page",
        "per_page",
    }


SHAPE = QueryShape(
    ValueListing,
    renamed={"metric_uid": "metric_uids"},
    from_path=frozenset({"context_type", "entity_uid"}),
)


def test_a_shape_renames_and_refuses_what_the_path_gives() -> None:
    arguments, refused = SHAPE.arguments(
        QueryParams("metric_uid=a,b&context_type=USER&metric_uids=c&page=2&page=3")
    )

    assert arguments == {"metric_uids": ["a", "b"], "page": 2}
    assert [(error.field, error.code) for error in refused] == [
        ("context_type", "unknown_field"),
        ("metric_uids", "unknown_field"),
        ("page", "invalid_type"),
    ]


def test_a_shape_names_errors_as_the_client_wrote_them() -> None:
    errors = [
        FieldError("metric_uids", "not_found", "x"),
        FieldError("metric_uids.0", "invalid_type", "x"),
        FieldError("latest", "invalid_type", "x"),
    ]

    assert [error.field for error in SHAPE.shown(errors)] == [
        "metric_uid",
        "metric_uid.0",
        "latest",
    ]


def test_a_shapes_parameters_are_the_models_fields_the_path_does_not_give() -> None:
    assert SHAPE.names() == {
        "metric_uid": "metric_uids",
        "time_unit": "time_unit",
        "start_date": "start_date",
        "end_date": "end_date",
        "as_of": "as_of",
        "include_metadata": "include_metadata",
        "page": "page",
        "per_page": "per_page",
        "latest": "latest",
        "sort": "sort",
    }
