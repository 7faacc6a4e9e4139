"""``serve``: the application under uvicorn (uvloop + httptools), in one or more workers."""

from __future__ import annotations

import gc
import os
from typing import Final

import uvicorn
from starlette.applications import Starlette

from metric_registry import MetricRegistry

from .app import create_app

DATABASE_VARIABLE: Final = "METRIC_REGISTRY_SERVE_DATABASE"
GRAPHIQL_VARIABLE: Final = "METRIC_REGISTRY_SERVE_GRAPHIQL"
FACTORY: Final = "graphql_api.server:app_from_environment"


def serve(database: str, *, host: str, port: int, workers: int, graphiql: bool) -> None:
    """Serve ``database`` until interrupted; each worker process opens its own registry."""
    # Worker processes import the factory by name: these two variables are how they learn
    # what to serve, and only this function sets them.
    os.environ[DATABASE_VARIABLE] = database
    os.environ[GRAPHIQL_VARIABLE] = "1" if graphiql else "0"
    uvicorn.run(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
    )


def app_from_environment() -> Starlette:
    """The application of one worker, configured by ``serve``."""
    try:
        database = os.environ[DATABASE_VARIABLE]
    except KeyError:
        raise RuntimeError(
            f"{FACTORY} is started by graphql_api.server.serve(), which sets {DATABASE_VARIABLE}"
        ) from None
    graphiql = os.environ.get(GRAPHIQL_VARIABLE, "1") == "1"
    app = create_app(MetricRegistry(database), graphiql=graphiql)
    # Everything built so far lives as long as the worker: keep the cyclic collector from
    # walking it again and again under load (about 5% of a GraphQL read).
    gc.freeze()
    return app
