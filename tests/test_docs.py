"""The README is part of the product: its examples run, and it names every public part."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from metric_registry import MetricRegistry
from metric_registry.cli import build_parser

README = (Path(__file__).parent.parent / "README.md").read_text()
PYTHON_BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def test_readme_has_python_examples() -> None:
    assert PYTHON_BLOCKS


@pytest.mark.parametrize("source", PYTHON_BLOCKS, ids=lambda source: source.splitlines()[0])
def test_readme_python_example_runs(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(source, "README.md", "exec"), {})
    assert (tmp_path / "metrics.db").exists()


PUBLIC_METHODS = sorted(
    name
    for name in vars(MetricRegistry)
    if not name.startswith("_") and callable(getattr(MetricRegistry, name))
)


@pytest.mark.parametrize("method", PUBLIC_METHODS)
def test_readme_documents_public_method(method: str) -> None:
    assert f"{method}(" in README


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix}{name}")
                found.extend(_commands(sub, f"{prefix}{name} "))
    return found


@pytest.mark.parametrize("command", _commands(build_parser()))
def test_readme_documents_cli_command(command: str) -> None:
    assert f"metric-registry {command}" in README
