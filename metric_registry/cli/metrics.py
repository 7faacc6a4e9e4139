"""``metric create|get|list|update|delete``: the Python API from the shell, JSON out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from enum import Enum
from typing import Any, Final

from ..models import (
    MUTABLE_FIELDS,
    ContextType,
    Metric,
    MetricCreate,
    Page,
    PeriodDefinition,
    StorageUnit,
    ValueType,
)
from ._database_option import add_database_option, open_registry
from ._output import print_json
from ._paging import add_paging_options, print_listing
from ._parser import UsageError, choices_of

_CREATE_OPTIONS: Final = tuple(MetricCreate.model_fields)
_UPDATE_OPTIONS: Final = MUTABLE_FIELDS
_REQUIRED_WITHOUT_JSON: Final = {"uid": "--uid", "name": "--name"}


def add_commands(commands: Any) -> None:
    metric = commands.add_parser("metric", help="create, read, list, update, delete metrics")
    actions = metric.add_subparsers(title="metric commands", metavar="ACTION")
    _add_create_and_update(actions)

    get = actions.add_parser("get", help="print one metric")
    get.add_argument("uid", help="the metric to print")
    get.set_defaults(handler=_get)

    delete = actions.add_parser("delete", help="delete a metric nothing refers to")
    delete.add_argument("uid", help="the metric to delete")
    delete.set_defaults(handler=_delete)

    _add_list(actions)
    for action in actions.choices.values():
        add_database_option(action)


def _add_create_and_update(actions: Any) -> None:
    create = actions.add_parser(
        "create",
        help="create a metric",
        usage="%(prog)s (--uid UID --name NAME | --json OBJECT) [options]",
        description="Create a metric and print it. --uid and --name are required unless "
        "--json gives the fields (then the library reports what is missing).",
    )
    create.add_argument("--uid", help="snake_case, unique; never changes")
    for field, enum in (
        ("context_type", ContextType),
        ("value_type", ValueType),
        ("storage_unit", StorageUnit),
    ):
        create.add_argument(
            f"--{field.replace('_', '-')}",
            choices=choices_of(enum),
            help=f"never changes (default: {_library_default(field)})",
        )
    create.add_argument(
        "--period-definition",
        choices=choices_of(PeriodDefinition),
        help="how a value's metric_date is read; never changes (default: none)",
    )
    create.add_argument(
        "--snapshot",
        dest="is_snapshot",
        action="store_true",
        default=None,
        help="values are point-in-time snapshots; never changes",
    )
    create.set_defaults(handler=_create)

    update = actions.add_parser("update", help="change a metric's mutable fields")
    update.add_argument("uid", help="the metric to change")
    update.set_defaults(handler=_update)

    for action in (create, update):
        action.add_argument("--name", help="1-255 characters, surrounding whitespace stripped")
        action.add_argument("--description", help="free text, at most 10,000 characters")
        action.add_argument("--formula", help="free text, at most 4,000 characters")
        _add_active_filter(action, "mark the metric active", "retire the metric")
        action.add_argument(
            "--json",
            dest="document",
            metavar="OBJECT",
            help="fields as a JSON object ('-' reads stdin); options given as well win",
        )


def _add_list(actions: Any) -> None:
    listing = actions.add_parser("list", help="list metrics: one page, or every page with --all")
    _add_active_filter(listing, "only active metrics", "only inactive metrics")
    listing.add_argument("--value-type", choices=choices_of(ValueType), help="only this type")
    listing.add_argument("--context-type", choices=choices_of(ContextType), help="only this one")
    listing.add_argument("--search", help="text to find in uid or name, case-insensitively")
    listing.add_argument(
        "--sort", default="+uid", help="+field or -field, written --sort=-created_at"
    )
    add_paging_options(listing, "metric")
    listing.set_defaults(handler=_list)


def _add_active_filter(parser: argparse.ArgumentParser, active: str, inactive: str) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--active", dest="is_active", action="store_true", default=None, help=active)
    group.add_argument("--inactive", dest="is_active", action="store_false", help=inactive)


def _library_default(field: str) -> str:
    default = MetricCreate.model_fields[field].default
    return str(default.value if isinstance(default, Enum) else default)


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
    missing = [
        option for field, option in _REQUIRED_WITHOUT_JSON.items() if getattr(args, field) is None
    ]
    if args.document is None and missing:
        raise UsageError(
            f"the following arguments are required: {', '.join(missing)} "
            f"(or give {'it' if len(missing) == 1 else 'them'} inside --json)"
        )
    fields = _fields(args, _CREATE_OPTIONS)
    with open_registry(args) as registry:
        print_json(registry.create_metric(fields))
    return 0


def _update(args: argparse.Namespace) -> int:
    fields = _fields(args, _UPDATE_OPTIONS)
    with open_registry(args) as registry:
        print_json(registry.update_metric(args.uid, fields))
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

        def fetch(page: int, per_page: int) -> Page[Metric]:
            return registry.list_metrics(page=page, **_listing(args, per_page))

        print_listing(args, fetch)
    return 0


def _listing(args: argparse.Namespace, per_page: int) -> dict[str, Any]:
    return {
        "is_active": args.is_active,
        "value_type": args.value_type,
        "context_type": args.context_type,
        "search": args.search,
        "sort": args.sort,
        "per_page": per_page,
    }
