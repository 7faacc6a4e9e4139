"""The ``--db`` option: where the database is, and how to show it without its password."""

from __future__ import annotations

import argparse
import os
import re
from typing import Final

from .._urls import display_url
from ..registry import DEFAULT_DATABASE, MetricRegistry

DATABASE_VARIABLE: Final = "METRIC_REGISTRY_DB"


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default=None,
        help=f"a SQLite path or a database URL (default: ${DATABASE_VARIABLE}, else "
        f"{DEFAULT_DATABASE})",
    )


def database_target(args: argparse.Namespace) -> str:
    """``--db``, else ``$METRIC_REGISTRY_DB``, else ``metrics.db`` in the working directory."""
    return str(getattr(args, "db", None) or os.environ.get(DATABASE_VARIABLE) or DEFAULT_DATABASE)


def open_registry(args: argparse.Namespace) -> MetricRegistry:
    return MetricRegistry(database_target(args))


def without_password(text: str, target: str) -> str:
    """``text`` (a message that may quote the database ``target``) fit to print."""
    text = text.replace(target, display_url(target))
    password = _password_in(target)  # also when the URL is too malformed to parse
    return text.replace(password, "***") if password else text


def _password_in(target: str) -> str | None:
    """The password of a URL's ``user:password@`` part, found even in a malformed URL."""
    _, separator, rest = target.partition("://")
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    userinfo, at, _ = authority.rpartition("@")
    _, colon, password = userinfo.partition(":")
    return password if separator and at and colon and password else None
