"""The ``metric-registry`` command: tokens, metrics, entities, values and the server from a
shell.

Exit codes: 0 ok (also when the reader closes stdout early, as ``| head`` does); 1 a refused
request (validation, conflict, not found, a database that cannot be opened or used) with the
reason on stderr; 2 bad usage, with the command's usage on stderr. Output is JSON on stdout,
except ``token create``, which prints the secret alone, ``schema``, and ``value export`` (CSV
or JSON Lines).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from collections.abc import Sequence
from typing import Final, NoReturn

from ..errors import MetricRegistryError, ValidationError
from . import entities, metrics, serve, tokens, values
from ._database_option import database_target, without_password
from ._output import report, silence_closed_stdout, tolerate_narrow_terminals
from ._parser import CommandParser, UsageError

__all__ = ["build_parser", "main", "run"]

EXIT_OK: Final = 0
EXIT_REFUSED: Final = 1
EXIT_USAGE: Final = 2


def main(argv: Sequence[str] | None = None) -> int:
    tolerate_narrow_terminals()
    args, unrecognized = build_parser().parse_known_args(argv)
    command: CommandParser = args.command_parser
    if unrecognized:
        command.reject_unrecognized(unrecognized)
    if args.handler is None:
        command.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        code: int = args.handler(args)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_closed_stdout()
        return EXIT_OK
    except UsageError as exc:
        command.error(str(exc))
    except ValidationError as exc:
        report("error: invalid input")
        for error in exc.errors:
            report(f"  {error.field}: {error.code}: {error.message}")
        return EXIT_REFUSED
    except MetricRegistryError as exc:
        report(without_password(f"error: {exc.message}", database_target(args)))
        return EXIT_REFUSED
    except Exception as exc:  # never a traceback, which could show a database password
        report(without_password(f"error: {_one_line(exc)}", database_target(args)))
        return EXIT_REFUSED
    return code


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="metric-registry", description="A catalog of metric definitions.")
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {_installed_version()}",
        help="print the version and exit",
    )
    commands = parser.add_subparsers(
        title="commands", metavar="COMMAND", parser_class=CommandParser
    )
    serve.add_commands(commands)
    tokens.add_commands(commands)
    metrics.add_commands(commands)
    entities.add_commands(commands)
    values.add_commands(commands)
    return parser


def run() -> NoReturn:
    sys.exit(main())


def _one_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return f"unexpected {type(exc).__name__}: {lines[0]}" if lines else f"unexpected {exc!r}"


def _installed_version() -> str:
    try:
        return importlib.metadata.version("metric-registry")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"
