"""Files of values read as a stream of rows: CSV with a header row, or JSON Lines.

A ``ValueFile`` hands its rows to the core one at a time and remembers only what a report
needs: the file line of each row (``RowLines``, a few numbers for a regular file) and the
lines it could not read (``LineError``, at most ``MAX_REPORTED``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, Final

from ._value_text import loads, number_from_text

MAX_REPORTED: Final = 100
STDIN: Final = "-"
FORMATS: Final = ("csv", "jsonl")
EXTENSIONS: Final = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
METADATA_COLUMNS: Final = ("_metadata", "metadata")
COLUMNS: Final = (
    "context_type",
    "entity_uid",
    "metric_uid",
    "time_unit",
    "metric_date",
    "value",
    "timezone",
    "_metadata",
)
REQUIRED_COLUMNS: Final = ("context_type", "entity_uid", "metric_uid", "metric_date", "value")
_CELL_LIMIT: Final = 1 << 20  # a 64 KiB metadata object, quoted, fits many times over
_PROGRESS_EVERY: Final = 1000

Progress = Callable[[int, int | None], None]
"""Told ``(rows read, bytes read or None)`` every so often."""


def format_of(path: str, given: str | None) -> str | None:
    """``--format`` if given, else the one the file's extension names (None: cannot tell)."""
    if given is not None:
        return given
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


@dataclass(frozen=True, slots=True)
class LineError:
    """A refused row or line: ``line`` 0 when no single line is to blame."""

    line: int
    field: str
    code: str
    message: str


class RowLines:
    """The file line of each row handed on, found by its 0-based position in the stream.

    Stored as breakpoints where ``line - position`` changes (a blank line, a row over several
    lines, a line that could not be read), so a regular file needs one.
    """

    def __init__(self) -> None:
        self.rows = 0
        self._positions = array("q")
        self._offsets = array("q")

    def add(self, line: int) -> None:
        offset = line - self.rows
        if not self._offsets or self._offsets[-1] != offset:
            self._positions.append(self.rows)
            self._offsets.append(offset)
        self.rows += 1

    def line_of(self, position: int) -> int:
        index = bisect_right(self._positions, position) - 1
        return position + self._offsets[index] if index >= 0 else 0


class ValueFile:
    """One file of values (a path, or ``-`` for stdin) being read in ``file_format``."""

    def __init__(self, path: str, file_format: str) -> None:
        self.path = path
        self.shown = "<stdin>" if path == STDIN else path
        self.format = file_format
        self.lines = RowLines()
        self.errors: list[LineError] = []
        self.error_count = 0
        self.progress: Progress | None = None
        self._line = 0  # the last line read whole
        if path == STDIN:
            self._binary: IO[bytes] = sys.stdin.buffer
        else:
            self._binary = open(path, "rb")  # noqa: SIM115 (closed by close())
        self.size = _regular_file_size(self._binary)
        self._text = io.TextIOWrapper(self._binary, encoding="utf-8-sig", newline="")

    def close(self) -> None:
        if self.path == STDIN:
            self._text.detach()  # leave sys.stdin usable
        else:
            self._text.close()

    def rows(self) -> Iterator[dict[str, Any]]:
        """The rows as mappings of value fields; unreadable lines are kept in ``errors``."""
        try:
            yield from self._csv_rows() if self.format == "csv" else self._json_rows()
        except UnicodeDecodeError as exc:
            where = f"after line {self._line}" if self._line else "at its start"
            self._refuse(0, "file", "invalid_format", f"is not UTF-8 text {where}: {exc.reason}")
        self._report_progress()

    def _refuse(self, line: int, field: str, code: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(LineError(line, field, code, message))

    def _handed_on(self, line: int) -> None:
        self.lines.add(line)
        if self.lines.rows % _PROGRESS_EVERY == 0:
            self._report_progress()

    def _report_progress(self) -> None:
        if self.progress is not None:
            self.progress(self.lines.rows, self._bytes_read())

    def _bytes_read(self) -> int | None:
        if self.size is None:
            return None
        try:
            return self._binary.tell()
        except OSError:
            return None

    def _json_rows(self) -> Iterator[dict[str, Any]]:
        for line, text in enumerate(self._text, 1):
            self._line = line
            if not text.strip():
                continue
            try:
                row = loads(text)
            except ValueError as exc:  # JSONDecodeError, or a number too long to convert
                self._refuse(line, "line", "invalid_format", _not_json(exc))
            else:
                self._handed_on(line)
                yield row
            if self.error_count >= MAX_REPORTED:
                return

    def _csv_rows(self) -> Iterator[dict[str, Any]]:
        csv.field_size_limit(max(csv.field_size_limit(), _CELL_LIMIT))
        reader = csv.reader(self._text)
        header: tuple[str, ...] | None = None
        last_line = 0
        try:
            for cells in reader:
                line, last_line = last_line + 1, reader.line_num
                self._line = last_line
                if not cells:
                    continue
                if header is None:
                    header = self._header(cells, line)
                    if header is None:
                        return
                    continue
                row = self._csv_row(header, cells, line)
                if row is not None:
                    self._handed_on(line)
                    yield row
                if self.error_count >= MAX_REPORTED:
                    return
        except csv.Error as exc:
            self._refuse(last_line + 1, "row", "invalid_format", f"is not valid CSV: {exc}")

    def _header(self, cells: list[str], line: int) -> tuple[str, ...] | None:
        names = tuple(cell.strip() for cell in cells)
        known = ", ".join(COLUMNS)
        for name in names:
            if name not in COLUMNS and name not in METADATA_COLUMNS:
                message = f"column {name!r} is not a field of a value (columns: {known})"
                self._refuse(line, "header", "unknown_field", message)
        for name in sorted({name for name in names if names.count(name) > 1}):
            self._refuse(line, "header", "invalid_format", f"column {name!r} appears twice")
        for name in REQUIRED_COLUMNS:
            if name not in names:
                self._refuse(line, "header", "required", f"needs a column {name!r}")
        return None if self.error_count else names

    def _csv_row(
        self, header: tuple[str, ...], cells: list[str], line: int
    ) -> dict[str, Any] | None:
        if len(cells) != len(header):
            message = f"has {len(cells)} cells, the header names {len(header)} columns"
            self._refuse(line, "row", "invalid_format", message)
            return None
        row: dict[str, Any] = {}
        for name, cell in zip(header, cells, strict=True):
            if cell == "":
                continue  # an empty cell is a missing field: its default, or `required`
            if name == "value":
                row[name] = number_from_text(cell)
            elif name in METADATA_COLUMNS:
                try:
                    row[name] = json.loads(cell)
                except json.JSONDecodeError as exc:
                    self._refuse(line, name, "invalid_format", _not_json(exc))
                    return None
            else:
                row[name] = cell
        return row


def _not_json(exc: ValueError) -> str:
    """The decoder's complaint, placed in the line or cell (not in its own "line 1")."""
    if isinstance(exc, json.JSONDecodeError):
        return f"is not valid JSON: {exc.msg} at character {exc.pos + 1}"
    return f"is not valid JSON: {exc}"


def _regular_file_size(binary: IO[bytes]) -> int | None:
    """The size of a regular file (also one redirected to stdin), None for a pipe or tty."""
    try:
        status = os.fstat(binary.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None
