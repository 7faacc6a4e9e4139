"""The pages a browser opens: GraphiQL on ``GET /graphql``, the landing page ``/`` and the REST
API's page ``/docs``.

Every asset they load is served by this server from ``graphql_api/static`` (pinned, with
licenses, refreshed by ``scripts/refresh_static.py``); their Content-Security-Policy allows
nothing from another host.
"""

from .api_docs import api_docs_page
from .graphiql import graphiql_page
from .landing import landing_endpoint
from .site import KNOWN_PLACES, Place, served_places

__all__ = [
    "KNOWN_PLACES",
    "Place",
    "api_docs_page",
    "graphiql_page",
    "landing_endpoint",
    "served_places",
]
