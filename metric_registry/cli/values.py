"""``value record|get|list|update|delete|import|export``: metric values from the shell.

One value's commands print it as JSON (``_metadata`` included); ``import`` and ``export``
stream files of values (``_value_import``, ``_value_export``).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..models import DEFAULT_PER_PAGE, MAX_PER_PAGE, TimeUnit
from ..models.entities import canonical_uuid
from ..models.values import VALUE_SORTS
from . import _value_export, _value_import
from ._database_option import add_database_option, open_registry
from ._output import print_json
from ._parser import UsageError, choices_of, whole_number
from ._value_text import number_from_text
from .entities import add_context_argument


def add_commands(commands: Any) -> None:
    value = commands.add_parser(
        "value", help="record, read, list, update, delete, import, export values"
    )
    actions = value.add_subparsers(title="value commands", metavar="ACTION")
    _add_record(actions)

    get = actions.add_parser("get", help="print one value")
    get.add_argument("uid", metavar="UID", help="the value's uid")
    get.set_defaults(handler=_get)

    update = actions.add_parser(
        "update",
        help="change a value's number, timezone or metadata",
        description="Change the editable fields of a value and print it; the others never change.",
    )
    update.add_argument("uid", metavar="UID", help="the value to change")
    _add_editable_fields(
        update, value_required=False, timezone_help="a tz database zone; '' clears it (UTC)"
    )
    update.set_defaults(handler=_update)

    delete = actions.add_parser("delete", help="delete a value")
    delete.add_argument("uid", metavar="UID", help="the value to delete")
    delete.set_defaults(handler=_delete)

    _add_list(actions)
    _value_import.add_command(actions)
    _value_export.add_command(actions)
    for action in actions.choices.values():
        add_database_option(action)


def _add_record(actions: Any) -> None:
    record = actions.add_parser(
        "record",
        help="record one value of a registered entity",
        usage="%(prog)s CONTEXT ENTITY_UID --metric UID --date YYYY-MM-DD --value N [options]",
        description="Record one value and print it. --value is kept exact: an integer "
        "literal stays an integer (cents never pass through a float).",
    )
    add_context_argument(record)
    record.add_argument("entity_uid", metavar="ENTITY_UID", help="a registered entity's UUID")
    record.add_argument("--metric", dest="metric_uid", required=True, help="the metric's uid")
    record.add_argument(
        "--date",
        dest="metric_date",
        required=True,
        metavar="YYYY-MM-DD",
        help="the date the value represents (a month's or a year's first day for those units)",
    )
    record.add_argument(
        "--time-unit",
        choices=choices_of(TimeUnit),
        default=TimeUnit.DAY.value,
        help="the period the value covers",
    )
    _add_editable_fields(
        record,
        value_required=True,
        timezone_help="the tz database zone its days begin in (default: none, read as UTC)",
    )
    record.set_defaults(handler=_record)


def _add_editable_fields(
    parser: argparse.ArgumentParser, *, value_required: bool, timezone_help: str
) -> None:
    parser.add_argument(
        "--value",
        required=value_required,
        metavar="N",
        help="the number: a whole number of cents for a cents metric",
    )
    parser.add_argument("--timezone", metavar="TZ", help=timezone_help)
    parser.add_argument("--metadata", metavar="JSON", help="a JSON object stored with the value")


def _add_list(actions: Any) -> None:
    listing = actions.add_parser(
        "list",
        help="list one entity's values (one page)",
        description="Print one page of an entity's values: by default the 90 days up to "
        "today (UTC), newest first. For every value of an entity, use value export.",
    )
    add_context_argument(listing)
    listing.add_argument("entity_uid", metavar="ENTITY_UID", help="the entity's UUID")
    listing.add_argument(
        "--metric",
        dest="metric_uids",
        action="append",
        metavar="UID",
        help="only this metric (repeat for more; default: every metric)",
    )
    listing.add_argument(
        "--time-unit", choices=choices_of(TimeUnit), default=TimeUnit.DAY.value, help="one unit"
    )
    listing.add_argument("--start-date", metavar="YYYY-MM-DD", help="the first date, inclusive")
    listing.add_argument("--end-date", metavar="YYYY-MM-DD", help="the last date (default: today)")
    listing.add_argument(
        "--latest", action="store_true", help="only the newest value per metric; ignores dates"
    )
    listing.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="with --latest: the newest on or before this date"
    )
    listing.add_argument(
        "--include-metadata", action="store_true", help="show _metadata (else null)"
    )
    listing.add_argument(
        "--sort",
        default="-metric_date",
        help=f"+field or -field over {', '.join(VALUE_SORTS)}, written --sort=-value",
    )
    listing.add_argument("--page", type=whole_number, default=1, help="the page to print")
    listing.add_argument(
        "--per-page",
        type=whole_number,
        default=DEFAULT_PER_PAGE,
        help=f"values per page, 1-{MAX_PER_PAGE}",
    )
    listing.set_defaults(handler=_list)


def _editable_fields(args: argparse.Namespace) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if args.value is not None:
        fields["value"] = number_from_text(args.value)
    if args.timezone is not None:
        fields["timezone"] = args.timezone or None
    if args.metadata is not None:
        try:
            fields["metadata"] = json.loads(args.metadata)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--metadata is not valid JSON: {exc}") from None
    return fields


def _record(args: argparse.Namespace) -> int:
    fields = {
        "metric_uid": args.metric_uid,
        "metric_date": args.metric_date,
        "time_unit": args.time_unit,
    }
    fields.update(_editable_fields(args))
    with open_registry(args) as registry:
        print_json(registry.record_value(args.context_type, args.entity_uid, fields))
    return 0


def _get(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        print_json(registry.get_value(args.uid))
    return 0


def _update(args: argparse.Namespace) -> int:
    changes = _editable_fields(args)
    if not changes:
        raise UsageError("give at least one of --value, --timezone, --metadata")
    with open_registry(args) as registry:
        print_json(registry.update_value(args.uid, changes))
    return 0


def _delete(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        registry.delete_value(args.uid)
    print_json({"deleted": canonical_uuid(args.uid) or args.uid})
    return 0


def _list(args: argparse.Namespace) -> int:
    with open_registry(args) as registry:
        page = registry.list_values(
            args.context_type,
            args.entity_uid,
            metric_uids=args.metric_uids,
            time_unit=args.time_unit,
            start_date=args.start_date,
            end_date=args.end_date,
            latest=args.latest,
            as_of=args.as_of,
            include_metadata=args.include_metadata,
            sort=args.sort,
            page=args.page,
            per_page=args.per_page,
        )
        print_json(page)
    return 0
