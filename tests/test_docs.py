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
def test_readme_python_example_runs_again_and_again(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for _ in range(2):
        namespace: dict[str, object] = {}
        exec(compile(source, "README.md", "exec"), namespace)
        registry = namespace.get("registry")
        if isinstance(registry, MetricRegistry):
            registry.close()
    assert list(tmp_path.glob("*.db"))  # it wrote a file of its own,
    assert not (tmp_path / "metrics.db").exists()  # not the server's default one


def test_readme_embedding_example_serves_with_the_token_it_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from starlette.testclient import TestClient

    [source] = [block for block in PYTHON_BLOCKS if "create_app(" in block]
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(source, "README.md", "exec"), namespace)
    [line] = capsys.readouterr().out.splitlines()
    secret = line.removeprefix("export TOKEN=")
    with TestClient(namespace["app"]) as client:  # type: ignore[arg-type]
        assert client.get("/api/metrics").status_code == 401
        response = client.get("/api/metrics", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200, response.text


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
