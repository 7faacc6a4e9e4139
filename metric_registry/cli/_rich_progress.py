"""The import's progress bar drawn by ``rich``: rows done, rows per second, time left."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ._value_files import Progress as Advance


class RowsColumn(ProgressColumn):
    """``12,000 rows 4,100 rows/s``: counted in rows, whatever the bar measures."""

    def render(self, task: Task) -> Text:
        rows: int = task.fields.get("rows", 0)
        elapsed = task.elapsed or 0.0
        rate = rows / elapsed if elapsed > 0 else 0.0
        return Text(f"{rows:,} rows {rate:,.0f} rows/s")


@contextlib.contextmanager
def rich_progress(total_bytes: int | None) -> Iterator[Advance]:
    columns: list[ProgressColumn] = [TextColumn("importing"), BarColumn(), RowsColumn()]
    if total_bytes is not None:
        columns[2:2] = [TaskProgressColumn()]
        columns.append(TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("import", total=total_bytes, rows=0)

        def advance(rows: int, done_bytes: int | None) -> None:
            progress.update(task, completed=done_bytes or 0, rows=rows)

        yield advance
