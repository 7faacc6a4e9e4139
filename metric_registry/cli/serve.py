"""``serve`` and ``schema``: the commands that need the server extra."""

from __future__ import annotations

import argparse
from typing import Any, Final, NoReturn

from ..models import TokenScope
from ..registry import MetricRegistry
from ._database_option import add_database_option, database_target
from ._output import report
from ._parser import UsageError, port, positive_number

SERVER_EXTRA_HINT: Final = (
    "metric-registry serve needs the server extra: pip install 'metric-registry[server]'"
)
IN_MEMORY_REFUSAL: Final = (
    "serve needs a database file or URL: an in-memory database would be empty in every worker"
)


def add_commands(commands: Any) -> None:
    serve = commands.add_parser(
        "serve",
        help="run the GraphQL and REST server",
        description="Run the GraphQL and REST server. On a database with no tokens, issue a "
        "write token named 'default' and print it once.",
    )
    add_database_option(serve)
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on")
    serve.add_argument("--port", type=port, default=8000, help="the TCP port to listen on")
    serve.add_argument(
        "--workers", type=positive_number, default=1, help="how many worker processes to run"
    )
    serve.add_argument(
        "--no-graphiql",
        dest="graphiql",
        action="store_false",
        help="do not serve GraphiQL on GET /graphql",
    )
    serve.set_defaults(handler=_serve)

    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(handler=_schema)


def _serve(args: argparse.Namespace) -> int:
    database = database_target(args)
    try:
        from graphql_api.server import serve
    except ImportError:
        _fail_without_server_extra()
    with MetricRegistry(database) as registry:
        if registry.in_memory:
            raise UsageError(IN_MEMORY_REFUSAL)
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
    report(SERVER_EXTRA_HINT)
    raise SystemExit(1)
