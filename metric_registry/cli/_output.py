"""Writing results: JSON on stdout, messages on stderr; output never fails after the work.

A terminal that cannot encode the text gets JSON's lossless ``\\u`` escapes on stdout and
Python's ``\\x`` escapes on stderr. A reader that closes the pipe early ends the command
quietly (see ``silence_closed_stdout``).
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel


def tolerate_narrow_terminals() -> None:
    """Escape what the terminal cannot encode instead of failing on it."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def silence_closed_stdout() -> None:
    """After a ``BrokenPipeError``: point stdout at /dev/null so no later flush fails."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is no real file (e.g. captured in-process)
        pass
    finally:
        os.close(devnull)


def report(message: str) -> None:
    print(message, file=sys.stderr)


def print_json(value: Any) -> None:
    print(_dumps(_plain(value), indent=2))


def print_json_array(items: Iterable[Any]) -> None:
    """One JSON array, written item by item, as ``print_json`` would write the whole list."""
    opening = "["
    for item in items:
        body = _dumps(_plain(item), indent=2).replace("\n", "\n  ")
        sys.stdout.write(f"{opening}\n  {body}")
        opening = ","
    print("[]" if opening == "[" else "\n]")


def print_json_lines(items: Iterable[Any]) -> None:
    """One compact JSON object per line, each flushed as soon as it is written."""
    for item in items:
        print(_dumps(_plain(item)), flush=True)


def _plain(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def _dumps(value: Any, indent: int | None = None) -> str:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    if _stdout_can_encode(text):
        return text
    return json.dumps(value, indent=indent, ensure_ascii=True)


def _stdout_can_encode(text: str) -> bool:
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
