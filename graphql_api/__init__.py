"""The HTTP faces of metric-registry: GraphQL at /graphql and REST at /api/metrics."""

from .app import create_app

__all__ = ["create_app"]
