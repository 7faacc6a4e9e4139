"""``serve`` and ``schema``: the commands that need the server extra."""

from __future__ import annotations

import argparse
from typing import Any, Final, NoReturn

from ..registry import MetricRegistry
from ._database_option import add_database_option, database_target
from ._greeting import greeting, issue_first_token
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
        description="Run the GraphQL and REST server. Once the port is bound, print where "
        "everything is; on a database with no tokens, issue a write token named 'default' and "
        "print it once. A port that cannot be bound issues nothing and exits 1.",
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
    serve.add_argument(
        "--no-access-log",
        dest="access_log",
        action="store_false",
        help="do not log one line a request (method, path, status, time) on stderr",
    )
    serve.set_defaults(handler=_serve)

    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(handler=_schema)


def _serve(args: argparse.Namespace) -> int:
    database = database_target(args)
    try:
        from graphql_api.server import CannotListenError, Listening, serve
    except ImportError:
        _fail_without_server_extra()
    with MetricRegistry(database) as registry:  # opens (and migrates) it: fails before binding
        if registry.in_memory:
            raise UsageError(IN_MEMORY_REFUSAL)

    def greet(listening: Listening) -> None:
        issued, token_count = issue_first_token(database)
        print(greeting(listening, database, issued, token_count), flush=True)

    try:
        serve(
            database,
            host=args.host,
            port=args.port,
            workers=args.workers,
            graphiql=args.graphiql,
            access_log=args.access_log,
            on_listening=greet,
        )
    except CannotListenError as exc:
        hint = " (another server there? choose another --port)" if exc.in_use else ""
        report(f"error: {exc}{hint}; no token was issued")
        return 1
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
