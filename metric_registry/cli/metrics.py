"""``metric create|get|list|update|delete``: the Python API from the shell, JSON out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, Final

from ..models import (
    MUTABLE_FIELDS,
    ContextType,
    MetricCreate,
    PeriodDefinition,
    StorageUnit,
    ValueType,
)
from ._options import UsageError, add_database_option, choices_of, open_registry
from ._output import print_json

_CREATE_OPTIONS: Final = tuple(MetricCreate.model_fields)
_UPDATE_OPTIONS: Final = MUTABLE_FIELDS


def add_commands(commands: Any) -> None:
    metric = commands.add_parser("metric", help="create, read, list, update, delete metrics")
    actions = metric.add_subparsers(title="metric commands", required=True, metavar="ACTION")

    create = actions.add_parser("create", help="create a metric")
    create.add_argument("--uid")
    create.add_argument("--context-type", choices=choices_of(ContextType))
    create.add_argument("--value-type", choices=choices_of(ValueType))
    create.add_argument("--storage-unit", choices=choices_of(StorageUnit))
    create.add_argument("--period-definition", choices=choices_of(PeriodDefinition))
    create.add_argument("--snapshot", dest="is_snapshot", action="store_true", default=None)
    create.set_defaults(handler=_create)

    update = actions.add_parser("update", help="change a metric's mutable fields")
    update.add_argument("uid")
    update.set_defaults(handler=_update)

    for action in (create, update):
        action.add_argument("--name")
        action.add_argument("--description")
        action.add_argument("--formula")
        _add_active_filter(action)
        action.add_argument(
            "--json",
            dest="document",
            metavar="OBJECT",
            help="fields as a JSON object ('-' reads stdin); options given as well win",
        )

    get = actions.add_parser("get", help="print one metric")
    get.add_argument("uid")
    get.set_defaults(handler=_get)

    delete = actions.add_parser("delete", help="delete a metric nothing refers to")
    delete.add_argument("uid")
    delete.set_defaults(handler=_delete)

    listing = actions.add_parser("list", help="list metrics, one page at a time")
    _add_active_filter(listing)
    listing.add_argument("--value-type", choices=choices_of(ValueType))
    listing.add_argument("--context-type", choices=choices_of(ContextType))
    listing.add_argument("--search")
    listing.add_argument(
        "--sort", default="+uid", help="+field or -field, written --sort=-created_at (default +uid)"
    )
    listing.add_argument("--page", type=int, default=1)
    listing.add_argument("--per-page", type=int, default=25)
    listing.set_defaults(handler=_list)

    for action in (create, update, get, delete, listing):
        add_database_option(action)


def _add_active_filter(parser: argparse.ArgumentParser) -> None:
    active = parser.add_mutually_exclusive_group()
    active.add_argument("--active", dest="is_active", action="store_true", default=None)
    active.add_argument("--inactive", dest="is_active", action="store_false")


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


def _create(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        print_json(registry.create_metric(_fields(args, _CREATE_OPTIONS)))
    return 0


def _update(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        print_json(registry.update_metric(args.uid, _fields(args, _UPDATE_OPTIONS)))
    return 0


def _get(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        print_json(registry.get_metric(args.uid))
    return 0


def _delete(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        registry.delete_metric(args.uid)
        print_json({"deleted": args.uid})
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        page = registry.list_metrics(
            is_active=args.is_active,
            value_type=args.value_type,
            context_type=args.context_type,
            search=args.search,
            sort=args.sort,
            page=args.page,
            per_page=args.per_page,
        )
        print_json(page)
    return 0
