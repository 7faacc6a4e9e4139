"""The ``metric-registry`` command: tokens, metrics and the server from a shell.

Exit codes: 0 ok; 1 a refused request (validation, conflict, not found) with the reason on
stderr; 2 bad usage. Output is JSON on stdout, except ``token create``, which prints the
secret alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Final, NoReturn

from ..errors import MetricRegistryError, ValidationError
from . import metrics, serve, tokens
from ._options import Handler, UsageError

__all__ = ["build_parser", "main", "run"]

EXIT_OK: Final = 0
EXIT_REFUSED: Final = 1
EXIT_USAGE: Final = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except UsageError as exc:
        parser.error(str(exc))
    except ValidationError as exc:
        print("error: invalid input", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error.field}: {error.code}: {error.message}", file=sys.stderr)
        return EXIT_REFUSED
    except MetricRegistryError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return EXIT_REFUSED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metric-registry", description="A catalog of metric definitions."
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    serve.add_commands(commands)
    tokens.add_commands(commands)
    metrics.add_commands(commands)
    return parser


def run() -> NoReturn:
    sys.exit(main())
