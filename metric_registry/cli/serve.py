"""``serve`` and ``schema``: the commands that need the server extra."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Final, NoReturn

from ..models import TokenScope
from ..registry import MetricRegistry
from ._options import add_database_option, database_target, positive_int

SERVER_EXTRA_HINT: Final = (
    "metric-registry serve needs the server extra: pip install 'metric-registry[server]'"
)


def add_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the GraphQL and REST server")
    add_database_option(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=positive_int, default=1)
    serve.add_argument("--no-graphiql", dest="graphiql", action="store_false")
    serve.set_defaults(handler=_serve)

    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(handler=_schema)


def _serve(args: argparse.Namespace) -> int:
    try:
        from graphql_api.server import serve
    except ImportError:
        _fail_without_server_extra()
    database = database_target(args)
    with MetricRegistry(database) as registry:
        if not registry.list_tokens():
            issued = registry.issue_token("default", TokenScope.WRITE)
            print(
                "No tokens yet: issued the write token 'default' (shown once, keep it):\n"
                f"{issued.secret}",
                flush=True,
            )
    serve(database, host=args.host, port=args.port, workers=args.workers, graphiql=args.graphiql)
    return 0


def _schema(args: argparse.Namespace) -> int:
    try:
        from graphql_api.schema import sdl
    except ImportError:
        _fail_without_server_extra()
    print(sdl())
    return 0


def _fail_without_server_extra() -> NoReturn:
    print(SERVER_EXTRA_HINT, file=sys.stderr)
    raise SystemExit(1)
