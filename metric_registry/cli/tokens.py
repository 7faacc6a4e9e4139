"""``token create|list|revoke``: bearer tokens for the server."""

from __future__ import annotations

import argparse
from typing import Any, Final

from ..models import TokenScope
from ._database_option import add_database_option, open_registry
from ._output import print_json, report
from ._parser import choices_of

READ_ONLY_NOTE: Final = "note: issued a read-only token; use --scope write to allow changes"


def add_commands(commands: Any) -> None:
    token = commands.add_parser("token", help="issue, list and revoke bearer tokens")
    actions = token.add_subparsers(title="token commands", metavar="ACTION")
    create = actions.add_parser(
        "create",
        help="issue a token and print its secret once",
        description="Issue a token and print its secret alone on stdout; it is shown once.",
    )
    create.add_argument("name", help="a name to list and revoke the token by")
    create.add_argument(
        "--scope",
        choices=choices_of(TokenScope),
        default=None,
        help="what the token may do: read (queries and GET only: read-only, the least "
        "privilege) or write (everything) (default: read)",
    )
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.set_defaults(handler=_list)
    revoke = actions.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("name", help="the name the token was issued under")
    revoke.set_defaults(handler=_revoke)
    for action in (create, listing, revoke):
        add_database_option(action)


def _create(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        print(registry.issue_token(args.name, args.scope or TokenScope.READ).secret, flush=True)
    if args.scope is None:
        report(READ_ONLY_NOTE)
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        print_json([token.model_dump(mode="json") for token in registry.list_tokens()])
    return 0


def _revoke(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        registry.revoke_token(args.name)
    return 0
