"""The parser every command uses: help with defaults, suggestions for mistyped options."""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence
from enum import Enum
from typing import Any, NoReturn

MAX_PORT = 65535


class UsageError(Exception):
    """Bad usage found after parsing (e.g. --json that is not a JSON object)."""


class DefaultsFormatter(argparse.HelpFormatter):
    """Adds ``(default: …)`` to an option's help when it has a default worth showing."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if (
            not action.option_strings
            or "(default" in text
            or default is None
            or default is argparse.SUPPRESS
            or isinstance(default, bool)
        ):
            return text
        return f"{text} (default: %(default)s)"


class CommandParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` that knows which command it parses and suggests close options.

    Parsing leaves ``command_parser`` (the innermost command named) and ``handler`` (``None``
    for a group such as ``metric`` alone) in the namespace.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        super().__init__(*args, **kwargs)
        self.set_defaults(command_parser=self, handler=None)

    def reject_unrecognized(self, arguments: Sequence[str]) -> NoReturn:
        message = f"unrecognized arguments: {' '.join(arguments)}"
        hints = [
            f"did you mean {match}?"
            for argument in arguments
            if argument.startswith("-")
            for match in self._close_options(argument.partition("=")[0])
        ]
        self.error("; ".join([message, *hints]))

    def _close_options(self, typed: str) -> list[str]:
        options = [option for action in self._actions for option in action.option_strings]
        return difflib.get_close_matches(typed, options, n=1)


def choices_of(enum: type[Enum]) -> list[str]:
    return [str(member.value) for member in enum]


def whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None


def positive_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_PORT:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to {MAX_PORT}, not {text!r}"
        )
    return value
