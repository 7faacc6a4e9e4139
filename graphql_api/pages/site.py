"""What is where: the places a server offers, as the landing page and ``serve`` list them.

One table of the places this project knows; an application lists those whose path it really
routes, so a page added (or left out, as GraphiQL with ``--no-graphiql``) shows up, or
not, on the landing page and in ``serve``'s greeting at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from starlette.routing import BaseRoute, Mount, Route


@dataclass(frozen=True)
class Place:
    """One place of the server: ``key`` names it in JSON, ``label`` for people."""

    key: str
    label: str
    path: str
    what: str
    needs_token: bool = True


GRAPHIQL: Final = Place(
    "graphiql", "GraphiQL", "/graphql", "the GraphQL IDE in a browser", needs_token=False
)
KNOWN_PLACES: Final = (
    Place("graphql", "GraphQL", "/graphql", "POST queries and mutations"),
    GRAPHIQL,
    Place("rest", "REST", "/api/metrics", "the /api/metrics endpoints"),
    # The API docs and the OpenAPI document: listed as soon as the app routes them.
    Place("docs", "API docs", "/docs", "the REST API, browsable", needs_token=False),
    Place("openapi", "OpenAPI", "/openapi.json", "the REST API's description", needs_token=False),
    Place("health", "Health", "/healthz", "liveness check", needs_token=False),
)


def served_places(routes: Iterable[BaseRoute], *, graphiql: bool) -> tuple[Place, ...]:
    """The known places that ``routes`` serve, in the table's order."""
    paths = {route.path for route in routes if isinstance(route, Route | Mount)}
    return tuple(
        place
        for place in KNOWN_PLACES
        if place.path in paths and (graphiql or place is not GRAPHIQL)
    )
