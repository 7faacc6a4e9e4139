"""``value import FILE``: a CSV or JSON Lines file of values recorded in one transaction.

The file is read as a stream into ``record_values``: memory stays flat however long it is.
Nothing is written unless every row is accepted; a refused row is reported on stderr as
``FILE:LINE: field: code: message`` (the core names rows by position, ``values[17].value``;
``ValueFile.lines`` turns the position back into the file's line).
"""

from __future__ import annotations

import argparse
import re
from typing import Any, Final

from ..errors import ALREADY_EXISTS, ConflictError, ValidationError
from ..models import RecordSummary
from ..models.values import ON_CONFLICT
from ..registry import MetricRegistry
from ._database_option import open_registry
from ._output import print_json, report
from ._parser import UsageError
from ._progress import progress_bar
from ._value_files import FORMATS, MAX_REPORTED, LineError, ValueFile, format_of

_ROW_FIELD: Final = re.compile(r"values\[(\d+)\](?:\.(.+))?")
_ROW_MESSAGE: Final = re.compile(r"values\[(\d+)\]: (.*)", re.DOTALL)


class _RollBack(Exception):  # noqa: N818 (control flow, not an error)
    """Raised inside the import's transaction to undo it (a dry run, unreadable lines)."""


def add_command(actions: Any) -> None:
    command = actions.add_parser(
        "import",
        help="record the values of a CSV or JSON Lines file, all or none",
        description="Record every value of FILE in one transaction and print what was done. "
        "CSV has a header row naming the value fields (context_type, entity_uid, metric_uid, "
        "time_unit, metric_date, value, timezone, _metadata as JSON text); JSON Lines has one "
        "object per line. If any row is refused, each is reported as FILE:LINE and nothing is "
        "written.",
    )
    command.add_argument("file", metavar="FILE", help="the file to read; '-' reads stdin")
    command.add_argument(
        "--format",
        dest="file_format",
        choices=FORMATS,
        default=None,
        help="the file's format (default: from its extension: .csv, .jsonl or .ndjson)",
    )
    command.add_argument(
        "--on-conflict",
        choices=ON_CONFLICT,
        default="error",
        help="a value whose entity, metric, time unit and date are recorded already: refuse "
        "the import, skip the row, or update the stored value",
    )
    command.add_argument(
        "--register-entities",
        action="store_true",
        help="register unknown entities on the way (else a row naming one is refused)",
    )
    command.add_argument(
        "--dry-run",
        action="store_true",
        help="check every row against the database, then write nothing",
    )
    command.set_defaults(handler=_import)


def _import(args: argparse.Namespace) -> int:
    file_format = format_of(args.file, args.file_format)
    if file_format is None:
        raise UsageError(f"cannot tell the format of {args.file!r}: give --format csv|jsonl")
    try:
        source = ValueFile(args.file, file_format)
    except OSError as exc:
        report(f"error: cannot read {args.file}: {exc.strerror or exc}")
        return 1
    try:
        with open_registry(args) as registry, progress_bar(source.size) as advance:
            source.progress = advance
            summary, refused = import_values(
                registry, source, args.on_conflict, args.register_entities, args.dry_run
            )
    finally:
        source.close()
    if refused:
        for problem in refused[:MAX_REPORTED]:
            where = f"{source.shown}:{problem.line}" if problem.line else source.shown
            report(f"{where}: {problem.field}: {problem.code}: {problem.message}")
        shown = f", the first {MAX_REPORTED} shown" if len(refused) > MAX_REPORTED else ""
        problems = f"{len(refused)} problem{'s' if len(refused) > 1 else ''}{shown}"
        report(f"error: {source.shown}: {problems}; nothing was written")
        return 1
    assert summary is not None
    print_json({**summary.model_dump(), "rows": source.lines.rows, "dry_run": args.dry_run})
    return 0


def import_values(
    registry: MetricRegistry,
    source: ValueFile,
    on_conflict: str,
    register_entities: bool,
    dry_run: bool,
) -> tuple[RecordSummary | None, list[LineError]]:
    """What recording every row of ``source`` did (or would do), or what was refused, by line.

    The rows go to ``record_values`` inside an outer transaction, rolled back for a dry run
    or when the file had lines that could not be read: either way every row has been checked
    against the database as a real import would check it.
    """
    summary: RecordSummary | None = None
    refused: list[LineError] = []
    try:
        with registry.atomic():
            summary = registry.record_values(
                source.rows(), on_conflict=on_conflict, register_entities=register_entities
            )
            if dry_run or source.errors:
                raise _RollBack
    except _RollBack:
        pass
    except ValidationError as exc:
        refused = [_located(error.field, error.code, error.message, source) for error in exc.errors]
    except ConflictError as exc:
        if exc.code != ALREADY_EXISTS:
            raise
        refused = [_conflict(exc.message, source)]
    return summary, sorted([*source.errors, *refused], key=lambda problem: problem.line)


def _located(field: str, code: str, message: str, source: ValueFile) -> LineError:
    """A core error naming ``values[17].value`` as the line of row 17 and its field."""
    match = _ROW_FIELD.fullmatch(field)
    if match is None:
        return LineError(0, field, code, message)
    return LineError(source.lines.line_of(int(match[1])), match[2] or "row", code, message)


def _conflict(message: str, source: ValueFile) -> LineError:
    match = _ROW_MESSAGE.fullmatch(message)
    if match is None:
        return LineError(0, "row", ALREADY_EXISTS, message)
    return LineError(source.lines.line_of(int(match[1])), "row", ALREADY_EXISTS, match[2])
