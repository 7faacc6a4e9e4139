"""Lighter resolvers only where strawberry's per-field wrapper does no work."""

from __future__ import annotations

from graphql_api.graphql.fields import lighten_resolvers
from graphql_api.graphql.schema import build_schema

STRAWBERRYS = {
    "Mutation.createMetric",  # a permission class; a union an exception handler fills
    "Mutation.updateMetric",
    "Mutation.deleteMetric",
    "Query.metrics",  # input objects and enums to convert
}


def test_plain_fields_and_built_in_scalar_arguments_get_a_lighter_resolver() -> None:
    lightened = set(lighten_resolvers(build_schema()))

    assert {"Query.metric", "Metric.uid", "Metric.createdAt", "MetricPage.items"} <= lightened
    assert not STRAWBERRYS & lightened
