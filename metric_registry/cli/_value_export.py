"""``value export``: values as CSV or JSON Lines, in the columns ``value import`` reads back.

Values are read in pages of ``PER_PAGE`` through the public reads. A series (one entity's
values of one metric in one time unit) has at most one value a date, so it is walked in date
windows of ``PER_PAGE`` days (months, years): each window is one page, however long the
history, where paging one long listing by offset would cost more with every page. An empty
window jumps to the series' next date.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, Any, Final

from ..errors import ValidationError
from ..models import MetricValue, Page, TimeUnit
from ..models.common import DATE_RULE, parse_date
from ..registry import MetricRegistry
from ._database_option import open_registry
from ._parser import UsageError, choices_of
from ._value_files import COLUMNS, EXTENSIONS, FORMATS, format_of
from .entities import add_context_argument

PER_PAGE: Final = 100
ONE_DAY: Final = timedelta(days=1)
Read = Callable[..., Page[MetricValue]]
"""A read of one series or listing, given ``start_date``/``end_date``/``sort``/``page``…"""


def add_command(actions: Any) -> None:
    command = actions.add_parser(
        "export",
        help="write values as CSV or JSON Lines, for value import",
        usage="%(prog)s [CONTEXT ENTITY_UID] [--metric UID ...] [options]",
        description="Write every value of one entity (CONTEXT ENTITY_UID, optionally only "
        "some metrics), or of one metric across entities (--metric UID alone), in every time "
        "unit and on every date unless told otherwise. The columns are those value import "
        "reads.",
    )
    add_context_argument(command, optional=True)
    command.add_argument("entity_uid", metavar="ENTITY_UID", nargs="?", help="the entity")
    command.add_argument(
        "--metric",
        dest="metric_uids",
        action="append",
        metavar="UID",
        help="with an entity: only this metric (repeat for more); alone: this metric's values "
        "of every entity",
    )
    command.add_argument(
        "--time-unit", choices=choices_of(TimeUnit), help="only this unit (default: all three)"
    )
    command.add_argument("--start-date", metavar="YYYY-MM-DD", help="the first date, inclusive")
    command.add_argument("--end-date", metavar="YYYY-MM-DD", help="the last date, inclusive")
    command.add_argument(
        "--latest", action="store_true", help="only the newest value per metric (or entity)"
    )
    command.add_argument(
        "--as-of", metavar="YYYY-MM-DD", help="with --latest: the newest on or before this date"
    )
    command.add_argument(
        "--format",
        dest="file_format",
        choices=FORMATS,
        help="the output's format (default: from --output's extension, else jsonl)",
    )
    command.add_argument(
        "--output", metavar="FILE", help="write FILE (whole, or not at all) instead of stdout"
    )
    command.set_defaults(handler=_export)


def _export(args: argparse.Namespace) -> int:
    _check_arguments(args)
    file_format = format_of(args.output or "", args.file_format) or "jsonl"
    selection = Selection(
        units=(TimeUnit(args.time_unit),) if args.time_unit else tuple(TimeUnit),
        start=_date_option(args.start_date, "start_date") or date.min,
        end=_date_option(args.end_date, "end_date") or date.max,
        latest=args.latest,
        as_of=args.as_of,
    )
    with open_registry(args) as registry:
        if args.entity_uid is not None:
            values = entity_values(
                registry, args.context_type, args.entity_uid, args.metric_uids, selection
            )
        else:
            values = metric_values(registry, args.metric_uids[0], selection)
        with _destination(args.output) as stream:
            write = _write_csv if file_format == "csv" else _write_json_lines
            write(stream, values)
    return 0


def _check_arguments(args: argparse.Namespace) -> None:
    if (args.context_type is None) != (args.entity_uid is None):
        raise UsageError("give CONTEXT and ENTITY_UID together")
    if args.entity_uid is None and len(args.metric_uids or ()) != 1:
        raise UsageError("give CONTEXT ENTITY_UID (one entity's values) or one --metric UID")
    if args.as_of is not None and not args.latest:
        raise UsageError("--as-of goes with --latest")
    if args.latest and (args.start_date or args.end_date):
        raise UsageError("--latest takes no --start-date/--end-date (use --as-of)")
    if args.output and args.file_format is None and format_of(args.output, None) is None:
        known = ", ".join(EXTENSIONS)
        raise UsageError(f"cannot tell a format from {args.output!r} ({known}): give --format")


def _date_option(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    parsed = parse_date(text)
    if parsed is None:
        raise ValidationError.single(field, "invalid_format", f"{DATE_RULE}, got {text!r:.40}")
    return parsed


@dataclass(frozen=True, slots=True)
class Selection:
    """Which values of the entity or metric: time units, dates, or only the newest."""

    units: tuple[TimeUnit, ...] = tuple(TimeUnit)
    start: date = date.min
    end: date = date.max
    latest: bool = False
    as_of: str | None = None


def entity_values(
    registry: MetricRegistry,
    context_type: str,
    entity_uid: str,
    metric_uids: list[str] | None,
    selection: Selection,
) -> Iterator[MetricValue]:
    """One entity's values: unit by unit, metric by metric (by uid), date by date."""
    read = functools.partial(registry.list_values, context_type, entity_uid, include_metadata=True)
    for unit in selection.units:
        newest = _pages(
            functools.partial(read, metric_uids=metric_uids, time_unit=unit, latest=True),
            as_of=selection.as_of,
        )
        if selection.latest:
            yield from newest
            continue
        for metric_uid in sorted(value.metric_uid for value in newest):
            series = functools.partial(read, metric_uids=[metric_uid], time_unit=unit)
            yield from _series_values(series, unit, selection)


def metric_values(
    registry: MetricRegistry, metric_uid: str, selection: Selection
) -> Iterator[MetricValue]:
    """One metric's values: unit by unit, entity by entity (by uid), date by date."""
    context_type = registry.get_metric(metric_uid).context_type
    for unit in selection.units:
        newest = _pages(
            functools.partial(
                registry.list_metric_values, metric_uid, time_unit=unit, include_metadata=True
            ),
            as_of=selection.as_of,
        )
        if selection.latest:
            yield from newest
            continue
        for entity_uid in sorted(value.entity_uid for value in newest):
            series = functools.partial(
                registry.list_values,
                context_type,
                entity_uid,
                metric_uids=[metric_uid],
                time_unit=unit,
                include_metadata=True,
            )
            yield from _series_values(series, unit, selection)


def _pages(read: Read, **query: Any) -> Iterator[MetricValue]:
    number = 1
    while True:
        page = read(sort="+metric_date", page=number, per_page=PER_PAGE, **query)
        yield from page.items
        if not page.items or number >= page.total_pages:
            return
        number += 1


def _series_values(series: Read, unit: TimeUnit, selection: Selection) -> Iterator[MetricValue]:
    end = selection.end
    window_start = _first_date(series, selection.start, end)
    while window_start is not None:
        window_end = min(_window_end(window_start, unit), end)
        found = False
        for value in _pages(series, start_date=window_start, end_date=window_end):
            found = True
            yield value
        if window_end >= end:
            return
        following = window_end + ONE_DAY
        window_start = following if found else _first_date(series, following, end)


def _first_date(series: Read, start: date, end: date) -> date | None:
    page = series(start_date=start, end_date=end, sort="+metric_date", page=1, per_page=1)
    return page.items[0].metric_date if page.items else None


def _window_end(start: date, unit: TimeUnit) -> date:
    """The last day of ``PER_PAGE`` periods of ``unit`` from ``start`` (at most date.max)."""
    if unit is TimeUnit.DAY:
        room = (date.max - start).days
        return start + timedelta(days=min(PER_PAGE - 1, room))
    months = start.month - 1 + (PER_PAGE * 12 if unit is TimeUnit.YEAR else PER_PAGE)
    year = start.year + months // 12
    if year > date.max.year:
        return date.max
    return date(year, months % 12 + 1, 1) - ONE_DAY


def export_fields(value: MetricValue) -> dict[str, Any]:
    """A value's input fields, as ``value import`` reads them."""
    return {
        "context_type": value.context_type.value,
        "entity_uid": value.entity_uid,
        "metric_uid": value.metric_uid,
        "time_unit": value.time_unit.value,
        "metric_date": value.metric_date.isoformat(),
        "value": value.value,
        "timezone": value.timezone,
        "_metadata": {} if value.metadata is None else value.metadata,
    }


def _write_json_lines(stream: IO[str], values: Iterator[MetricValue]) -> None:
    ascii_only = not (getattr(stream, "encoding", None) or "utf-8").lower().startswith("utf")
    for value in values:
        stream.write(json.dumps(export_fields(value), ensure_ascii=ascii_only) + "\n")


def _write_csv(stream: IO[str], values: Iterator[MetricValue]) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for value in values:
        fields = export_fields(value)
        number = fields["value"]
        fields["value"] = repr(number) if isinstance(number, float) else str(number)
        fields["timezone"] = fields["timezone"] or ""
        fields["_metadata"] = json.dumps(fields["_metadata"], ensure_ascii=False)
        writer.writerow([fields[name] for name in COLUMNS])


@contextlib.contextmanager
def _destination(path: str | None) -> Iterator[IO[str]]:
    """stdout, or a file that appears whole when the export succeeds (nothing otherwise)."""
    if path is None:
        yield sys.stdout
        return
    partial = f"{path}.partial-{os.getpid()}"
    try:
        with open(partial, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
