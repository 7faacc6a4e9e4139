"""The ``metric-registry`` command: tokens, metrics and the server from a shell.

Exit codes: 0 ok; 1 a refused request (validation, conflict, not found) with the reason on
stderr; 2 bad usage. Output is JSON on stdout, except ``token create``, which prints the
secret alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final, NoReturn

from pydantic import BaseModel

from .errors import MetricRegistryError, ValidationError
from .models import (
    MUTABLE_FIELDS,
    ContextType,
    MetricCreate,
    PeriodDefinition,
    StorageUnit,
    TokenScope,
    ValueType,
)
from .registry import DEFAULT_DATABASE, MetricRegistry

DATABASE_VARIABLE: Final = "METRIC_REGISTRY_DB"
SERVER_EXTRA_HINT: Final = (
    "metric-registry serve needs the server extra: pip install 'metric-registry[server]'"
)
EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Bad usage found after parsing (e.g. --json that is not a JSON object)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except UsageError as exc:
        parser.error(str(exc))
    except ValidationError as exc:
        print("error: invalid input", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.field}: {error.code}: {error.message}", file=sys.stderr)
        return EXIT_REFUSED
    except MetricRegistryError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metric-registry", description="A catalog of metric definitions."
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the GraphQL and REST server")
    _add_database(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_positive_int, default=1)
    serve.add_argument("--no-graphiql", dest="graphiql", action="store_false")
    serve.set_defaults(handler=_serve)

    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(handler=_schema)

    _add_token_commands(commands)
    _add_metric_commands(commands)
    return parser


def _add_database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help=f"a SQLite path or a database URL (default: ${DATABASE_VARIABLE}, else "
        f"{DEFAULT_DATABASE})",
    )


def _add_token_commands(commands: Any) -> None:
    token = commands.add_parser("token", help="issue, list and revoke bearer tokens")
    actions = token.add_subparsers(title="token commands", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="issue a token and print its secret once")
    create.add_argument("name")
    create.add_argument("--scope", choices=[scope.value for scope in TokenScope], default="read")
    create.set_defaults(handler=_token_create)
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.set_defaults(handler=_token_list)
    revoke = actions.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("name")
    revoke.set_defaults(handler=_token_revoke)
    for action in (create, listing, revoke):
        _add_database(action)


def _add_metric_commands(commands: Any) -> None:
    metric = commands.add_parser("metric", help="create, read, list, update, delete metrics")
    actions = metric.add_subparsers(title="metric commands", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create a metric")
    create.add_argument("--uid")
    create.add_argument("--context-type", choices=_values(ContextType))
    create.add_argument("--value-type", choices=_values(ValueType))
    create.add_argument("--storage-unit", choices=_values(StorageUnit))
    create.add_argument("--period-definition", choices=_values(PeriodDefinition))
    create.add_argument("--snapshot", dest="is_snapshot", action="store_true", default=None)
    create.set_defaults(handler=_metric_create)

    update = actions.add_parser("update", help="change a metric's mutable fields")
    update.add_argument("uid")
    update.set_defaults(handler=_metric_update)

    for action in (create, update):
        action.add_argument("--name")
        action.add_argument("--description")
        action.add_argument("--formula")
        active = action.add_mutually_exclusive_group()
        active.add_argument("--active", dest="is_active", action="store_true", default=None)
        active.add_argument("--inactive", dest="is_active", action="store_false")
        action.add_argument(
            "--json",
            dest="document",
            metavar="OBJECT",
            help="fields as a JSON object ('-' reads stdin); options given as well win",
        )

    get = actions.add_parser("get", help="print one metric")
    get.add_argument("uid")
    get.set_defaults(handler=_metric_get)

    delete = actions.add_parser("delete", help="delete a metric nothing refers to")
    delete.add_argument("uid")
    delete.set_defaults(handler=_metric_delete)

    listing = actions.add_parser("list", help="list metrics, one page at a time")
    active = listing.add_mutually_exclusive_group()
    active.add_argument("--active", dest="is_active", action="store_true", default=None)
    active.add_argument("--inactive", dest="is_active", action="store_false")
    listing.add_argument("--value-type", choices=_values(ValueType))
    listing.add_argument("--context-type", choices=_values(ContextType))
    listing.add_argument("--search")
    listing.add_argument(
        "--sort", default="+uid", help="+field or -field, written --sort=-created_at (default +uid)"
    )
    listing.add_argument("--page", type=int, default=1)
    listing.add_argument("--per-page", type=int, default=25)
    listing.set_defaults(handler=_metric_list)

    for action in (create, update, get, delete, listing):
        _add_database(action)


def _values(enum: type[Any]) -> list[str]:
    return [member.value for member in enum]


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _open(args: argparse.Namespace) -> MetricRegistry:
    return MetricRegistry(_database(args))


def _database(args: argparse.Namespace) -> str:
    """``--db``, else ``$METRIC_REGISTRY_DB``, else ``metrics.db`` in the working directory."""
    return str(args.db or os.environ.get(DATABASE_VARIABLE) or DEFAULT_DATABASE)


def _print_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    print(json.dumps(value, indent=2, ensure_ascii=False))


def _fields(args: argparse.Namespace, names: Sequence[str]) -> dict[str, Any]:
    """The fields of a create/update: the --json object, overlaid by explicit options."""
    fields: dict[str, Any] = {}
    if args.document is not None:
        text = sys.stdin.read() if args.document == "-" else args.document
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--json is not valid JSON: {exc}") from None
        if not isinstance(document, dict):
            raise UsageError("--json must be a JSON object")
        fields.update(document)
    fields.update({name: getattr(args, name) for name in names if getattr(args, name) is not None})
    return fields


def _serve(args: argparse.Namespace) -> int:
    try:
        from graphql_api.server import serve
    except ImportError:
        _fail(SERVER_EXTRA_HINT)
    database = _database(args)
    with MetricRegistry(database) as registry:
        if not registry.list_tokens():
            issued = registry.issue_token("default", TokenScope.WRITE)
            print(
                "No tokens yet: issued the write token 'default' (shown once, keep it):\n"
                f"{issued.secret}",
                flush=True,
            )
    serve(database, host=args.host, port=args.port, workers=args.workers, graphiql=args.graphiql)
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    try:
        from graphql_api.schema import sdl
    except ImportError:
        _fail(SERVER_EXTRA_HINT)
    print(sdl())
    return EXIT_OK


def _fail(message: str) -> NoReturn:
    print(message, file=sys.stderr)
    raise SystemExit(EXIT_REFUSED)


def _token_create(args: argparse.Namespace) -> int:
    with _open(args) as registry:
        print(registry.issue_token(args.name, args.scope).secret)
    return EXIT_OK


def _token_list(args: argparse.Namespace) -> int:
    with _open(args) as registry:
        _print_json([token.model_dump(mode="json") for token in registry.list_tokens()])
    return EXIT_OK


def _token_revoke(args: argparse.Namespace) -> int:
    with _open(args) as registry:
        registry.revoke_token(args.name)
    return EXIT_OK


_CREATE_OPTIONS: Final = tuple(MetricCreate.model_fields)
_UPDATE_OPTIONS: Final = MUTABLE_FIELDS


def _metric_create(args: argparse.Namespace) -> int:
    with _open(args) as registry:
        _print_json(registry.create_metric(_fields(args, _CREATE_OPTIONS)))
    return EXIT_OK


def _metric_update(args: argparse.Namespace) -> int:
    with _open(args) as registry:
        _print_json(registry.update_metric(args.uid, _fields(args, _UPDATE_OPTIONS)))
    return EXIT_OK


def _metric_get(args: argparse.Namespace) -> int:
    with _open(args) as registry:
        _print_json(registry.get_metric(args.uid))
    return EXIT_OK


def _metric_delete(args: argparse.Namespace) -> int:
    with _open(args) as registry:
        registry.delete_metric(args.uid)
        _print_json({"deleted": args.uid})
    return EXIT_OK


def _metric_list(args: argparse.Namespace) -> int:
    with _open(args) as registry:
        page = registry.list_metrics(
            is_active=args.is_active,
            value_type=args.value_type,
            context_type=args.context_type,
            search=args.search,
            sort=args.sort,
            page=args.page,
            per_page=args.per_page,
        )
        _print_json(page)
    return EXIT_OK


def run() -> NoReturn:
    sys.exit(main())
