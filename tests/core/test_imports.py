"""Importing the core: no server packages, no database opened, only the declared dependencies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import metric_registry

ROOT = Path(metric_registry.__file__).resolve().parent.parent
PROBE = "import json, sys; import metric_registry; print(json.dumps(sorted(sys.modules)))"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], Path]:
    """Modules loaded by ``import metric_registry`` in a fresh interpreter, and its cwd."""
    cwd = tmp_path_factory.mktemp("import-probe")
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    completed = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r}); {PROBE}"],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(completed.stdout)), cwd


@pytest.mark.parametrize(
    "package", ["strawberry", "starlette", "uvicorn", "graphql", "graphql_api", "httpx"]
)
def test_import_loads_no_server_package(loaded: tuple[set[str], Path], package: str) -> None:
    modules, _ = loaded
    assert "metric_registry" in modules
    assert sorted(m for m in modules if m == package or m.startswith(f"{package}.")) == []


def test_import_loads_only_declared_dependencies(loaded: tuple[set[str], Path]) -> None:
    modules, _ = loaded
    top_level = {name.split(".")[0] for name in modules} - set(sys.stdlib_module_names)
    allowed = {
        "metric_registry",
        "peewee",
        "pydantic",
        "pydantic_core",  # pydantic's own dependencies:
        "typing_extensions",
        "annotated_types",
        "typing_inspection",
        "psycopg",  # peewee itself imports an installed PostgreSQL driver:
        "psycopg_binary",
        "psycopg2",
        "cython_runtime",  # (made by psycopg_binary's compiled modules)
    }
    assert {name for name in top_level if not name.startswith("_")} - allowed == set()
    assert {"peewee", "pydantic"} <= top_level


def test_import_opens_no_database(loaded: tuple[set[str], Path]) -> None:
    _, cwd = loaded
    assert list(cwd.iterdir()) == []


def test_public_names() -> None:
    assert sorted(metric_registry.__all__) == sorted(
        name for name in dir(metric_registry) if not name.startswith("_") and name[0].isupper()
    )
    for name in metric_registry.__all__:
        assert getattr(metric_registry, name).__module__.startswith("metric_registry."), name
