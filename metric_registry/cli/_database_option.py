"""What every command shares: the ``--db`` option, argument types, bad usage found late."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from enum import Enum
from typing import Final

from ..registry import DEFAULT_DATABASE, MetricRegistry

DATABASE_VARIABLE: Final = "METRIC_REGISTRY_DB"

Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """Bad usage found after parsing (e.g. --json that is not a JSON object)."""


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help=f"a SQLite path or a database URL (default: ${DATABASE_VARIABLE}, else "
        f"{DEFAULT_DATABASE})",
    )


def database_target(args: argparse.Namespace) -> str:
    """``--db``, else ``$METRIC_REGISTRY_DB``, else ``metrics.db`` in the working directory."""
    return str(args.db or os.environ.get(DATABASE_VARIABLE) or DEFAULT_DATABASE)


def open_registry(args: argparse.Namespace) -> MetricRegistry:
    return MetricRegistry(database_target(args))


def choices_of(enum: type[Enum]) -> list[str]:
    return [str(member.value) for member in enum]


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
