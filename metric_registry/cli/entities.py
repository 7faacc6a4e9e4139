"""``entity register|get|list|delete``: the entities values are measured about, JSON out."""

from __future__ import annotations

import argparse
from typing import Any

from ..models import ContextType, Entity, Page
from ..models.entities import canonical_uuid
from ._database_option import add_database_option, open_registry
from ._output import print_json
from ._paging import add_paging_options, print_listing
from ._parser import choices_of


def add_context_argument(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    """The ``CONTEXT`` positional: ORGANIZATION, PARTY or USER (any case)."""
    parser.add_argument(
        "context_type",
        metavar="CONTEXT",
        nargs="?" if optional else None,
        type=str.upper,
        choices=choices_of(ContextType),
        help=f"the entity's context: {', '.join(choices_of(ContextType))} (any case)",
    )


def add_commands(commands: Any) -> None:
    entity = commands.add_parser("entity", help="register, read, list, delete entities")
    actions = entity.add_subparsers(title="entity commands", metavar="ACTION")

    register = actions.add_parser(
        "register",
        help="register an entity (or rename a registered one)",
        description="Register an entity and print it. Registering one again is no error: "
        "it is returned, renamed when --name gives another name.",
    )
    add_context_argument(register)
    register.add_argument("uid", metavar="UID", help="a UUID, any case")
    register.add_argument("--name", help="a display label, at most 255 characters")
    register.set_defaults(handler=_register)

    get = actions.add_parser("get", help="print one entity")
    add_context_argument(get)
    get.add_argument("uid", metavar="UID", help="the entity to print")
    get.set_defaults(handler=_get)

    delete = actions.add_parser("delete", help="delete an entity no value refers to")
    add_context_argument(delete)
    delete.add_argument("uid", metavar="UID", help="the entity to delete")
    delete.set_defaults(handler=_delete)

    _add_list(actions)
    for action in actions.choices.values():
        add_database_option(action)


def _add_list(actions: Any) -> None:
    listing = actions.add_parser(
        "list", help="list a context's entities in uid order: one page, or every page with --all"
    )
    add_context_argument(listing)
    listing.add_argument("--search", help="text to find in uid or name, case-insensitively")
    add_paging_options(listing, "entity")
    listing.set_defaults(handler=_list)


def _register(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        print_json(registry.register_entity(args.context_type, args.uid, args.name))
    return 0


def _get(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        print_json(registry.get_entity(args.context_type, args.uid))
    return 0


def _delete(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        registry.delete_entity(args.context_type, args.uid)
    uid = canonical_uuid(args.uid) or args.uid
    print_json({"deleted": {"context_type": args.context_type, "uid": uid}})
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:

        def fetch(page: int, per_page: int) -> Page[Entity]:
            return registry.list_entities(
                args.context_type, search=args.search, page=page, per_page=per_page
            )

        print_listing(args, fetch)
    return 0
