"""A progress bar on stderr while a file is imported, when stderr is a terminal.

The bar is drawn by ``rich`` (the ``cli`` extra), imported only here and only then: the core
never needs it, and without it an import simply runs without a bar.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from ._value_files import Progress


def _ignore(rows: int, done_bytes: int | None) -> None:
    pass


@contextlib.contextmanager
def progress_bar(total_bytes: int | None) -> Iterator[Progress]:
    """Yields the function to tell how far the import is: ``(rows, bytes read or None)``.

    With ``total_bytes`` (a regular file's size) the bar fills and shows the time left;
    without it (a pipe) it shows the rows and their rate.
    """
    if not sys.stderr.isatty():
        yield _ignore
        return
    try:
        from ._rich_progress import rich_progress
    except ImportError:  # rich is not installed: no bar
        yield _ignore
        return
    with rich_progress(total_bytes) as advance:
        yield advance
