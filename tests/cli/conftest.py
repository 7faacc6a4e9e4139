"""Fixtures for the CLI tests: the real ``main`` in-process, and the real process."""

from __future__ import annotations

from pathlib import Path

import pytest

from metric_registry.cli import main

from ._support import Result, Runner


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Runner:
    """``cli("metric", "list", ...)`` runs ``main`` in-process: (exit code, stdout, stderr)."""

    def run(*argv: str) -> Result:
        try:
            code = main(list(argv))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
