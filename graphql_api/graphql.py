"""PLACEHOLDER: the GraphQL helper replaces this module (graphql_routes)."""

from starlette.routing import BaseRoute

from metric_registry import MetricRegistry


def graphql_routes(registry: MetricRegistry, *, graphiql: bool) -> list[BaseRoute]:
    return []
