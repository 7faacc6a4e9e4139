"""Helpers for the CLI tests that run the real ``python -m metric_registry`` process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

Result = tuple[int, str, str]
Runner = Callable[..., Result]


def process_environment(**variables: str) -> dict[str, str]:
    """The environment of a ``python -m metric_registry`` child, with ``variables`` set."""
    environment = {**os.environ, **variables}
    environment.pop("METRIC_REGISTRY_DB", None)
    return environment


def run_process(*argv: str, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metric_registry", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=process_environment(**variables),
        check=False,
        timeout=60,
    )
