"""Output never fails once the work is done: narrow terminals and closed pipes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from metric_registry import MetricRegistry

from ._support import process_environment, run_process

NAME = "Déjà vu ✓"


def test_an_ascii_terminal_gets_valid_json_with_escapes(db: str) -> None:
    created = run_process(
        "metric", "create", "--uid", "deja_vu", "--name", NAME, "--db", db, PYTHONIOENCODING="ascii"
    )
    assert (created.returncode, created.stderr) == (0, "")
    assert created.stdout.isascii()
    assert json.loads(created.stdout)["name"] == NAME

    listed = run_process("metric", "list", "--db", db, PYTHONIOENCODING="ascii")
    assert listed.returncode == 0
    assert json.loads(listed.stdout)["items"][0]["name"] == NAME


def test_an_ascii_terminal_gets_error_messages_with_escapes(db: str) -> None:
    result = run_process("metric", "get", "déjà", "--db", db, PYTHONIOENCODING="ascii")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == "error: metric 'd\\xe9j\\xe0' not found\n"


def test_a_utf8_terminal_gets_the_text_as_is(db: str) -> None:
    created = run_process(
        "metric", "create", "--uid", "deja_vu", "--name", NAME, "--db", db, PYTHONIOENCODING="utf-8"
    )
    assert created.returncode == 0
    assert f'"name": "{NAME}"' in created.stdout


@pytest.fixture(scope="module")
def big_catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    """300 metrics whose listing is far bigger than a pipe's buffer."""
    path = str(tmp_path_factory.mktemp("pipe") / "big.db")
    with MetricRegistry(path) as registry:
        for number in range(300):
            registry.create_metric(
                uid=f"metric_{number:03}", name=f"Metric {number}", description="x" * 2000
            )
    return path


@pytest.mark.parametrize(
    ("argv", "first_line"),
    [
        (["metric", "list", "--per-page", "100"], "{\n"),
        (["metric", "list", "--all"], "[\n"),
        (["metric", "list", "--all", "--format", "jsonl"], '{"uid": "metric_000", '),
    ],
    ids=["page", "all-json", "all-jsonl"],
)
def test_a_closed_pipe_ends_the_command_quietly(
    big_catalog: str, argv: list[str], first_line: str
) -> None:
    reader = subprocess.Popen(
        [sys.executable, "-m", "metric_registry", *argv, "--db", big_catalog],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=process_environment(),
    )
    assert reader.stdout is not None
    assert reader.stderr is not None
    assert reader.stdout.readline().startswith(first_line)
    reader.stdout.close()
    errors = reader.stderr.read()
    reader.stderr.close()
    assert reader.wait(timeout=60) == 0
    assert errors == ""
