"""The ``metric-registry`` command: JSON out, exit codes 0/1/2, ``--db`` after each command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from metric_registry import MetricRegistry
from metric_registry.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def test_metric_create_prints_the_metric_as_json(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    code, out, err = run(
        capsys,
        "metric",
        "create",
        "--uid",
        "dso",
        "--name",
        " DSO ",
        "--value-type",
        "days",
        "--snapshot",
        "--db",
        db,
    )
    assert (code, err) == (0, "")
    metric = json.loads(out)
    assert metric["uid"] == "dso"
    assert metric["name"] == "DSO"
    assert metric["value_type"] == "days"
    assert metric["is_snapshot"] is True
    assert metric["created_at"].endswith("Z")
    assert MetricRegistry(db).get_metric("dso").name == "DSO"


def test_json_document_and_options_merge_with_options_winning(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    document = json.dumps({"uid": "total_ar", "name": "From JSON", "storage_unit": "cents"})
    code, out, _ = run(
        capsys, "metric", "create", "--json", document, "--name", "From option", "--db", db
    )
    assert code == 0
    assert json.loads(out)["name"] == "From option"
    assert json.loads(out)["storage_unit"] == "cents"


@pytest.mark.parametrize(
    ("argv", "expected_in_stderr"),
    [
        (["metric", "create", "--uid", "Bad", "--name", "x"], "uid: invalid_format"),
        (
            ["metric", "create", "--json", '{"uid": "a", "name": "b", "valuetype": "count"}'],
            "valuetype: unknown_field",
        ),
        (["metric", "get", "missing"], "not found"),
        (["metric", "update", "missing", "--name", "x"], "not found"),
        (["metric", "delete", "missing"], "not found"),
        (["token", "revoke", "missing"], "not found"),
        (["metric", "list", "--per-page", "101"], "per_page: out_of_range"),
        (["metric", "list", "--sort", "colour"], "sort: invalid_choice"),
    ],
    ids=[
        "invalid-uid",
        "unknown-field",
        "get-missing",
        "update-missing",
        "delete-missing",
        "revoke-missing",
        "per-page",
        "sort",
    ],
)
def test_refused_requests_exit_1_with_the_reason_on_stderr(
    capsys: pytest.CaptureFixture[str], db: str, argv: list[str], expected_in_stderr: str
) -> None:
    code, out, err = run(capsys, *argv, "--db", db)
    assert code == 1
    assert out == ""
    assert expected_in_stderr in err


def test_conflict_exits_1_and_keeps_the_first(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert run(capsys, "metric", "create", "--uid", "dso", "--name", "First", "--db", db)[0] == 0
    code, _, err = run(capsys, "metric", "create", "--uid", "dso", "--name", "Second", "--db", db)
    assert code == 1
    assert "already exists" in err
    assert MetricRegistry(db).get_metric("dso").name == "First"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["metric"],
        ["metric", "frobnicate"],
        ["metric", "create", "--value-type", "Currency"],
        ["metric", "create", "--json", "{not json"],
        ["metric", "create", "--json", "[1, 2]"],
        ["metric", "update", "dso", "--active", "--inactive"],
        ["token", "create", "ci", "--scope", "admin"],
        ["serve", "--workers", "0"],
    ],
    ids=[
        "nothing",
        "no-action",
        "unknown-action",
        "bad-choice",
        "bad-json",
        "json-not-object",
        "active-and-inactive",
        "bad-scope",
        "zero-workers",
    ],
)
def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage:" in err


def test_update_list_and_delete(capsys: pytest.CaptureFixture[str], db: str) -> None:
    for uid in ("alpha", "beta", "gamma"):
        assert (
            run(capsys, "metric", "create", "--uid", uid, "--name", uid.title(), "--db", db)[0] == 0
        )
    code, out, _ = run(
        capsys, "metric", "update", "beta", "--inactive", "--formula", "a / b", "--db", db
    )
    assert code == 0
    assert json.loads(out)["is_active"] is False
    assert json.loads(out)["formula"] == "a / b"

    code, out, _ = run(
        capsys, "metric", "list", "--active", "--sort=-uid", "--per-page", "1", "--db", db
    )
    page = json.loads(out)
    assert code == 0
    assert [item["uid"] for item in page["items"]] == ["gamma"]
    assert (page["total_items"], page["total_pages"], page["per_page"]) == (2, 2, 1)

    assert run(capsys, "metric", "delete", "alpha", "--db", db)[0] == 0
    code, out, _ = run(capsys, "metric", "get", "alpha", "--db", db)
    assert code == 1


def test_tokens_create_list_revoke(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(capsys, "token", "create", "ci", "--scope", "write", "--db", db)
    secret = out.strip()
    assert code == 0
    assert out == secret + "\n"
    assert secret.startswith("mr_")
    assert MetricRegistry(db).verify_token(secret) is not None

    code, out, _ = run(capsys, "token", "list", "--db", db)
    assert code == 0
    assert json.loads(out) == [
        {"name": "ci", "scope": "write", "created_at": json.loads(out)[0]["created_at"]}
    ]
    assert secret not in out

    assert run(capsys, "token", "revoke", "ci", "--db", db)[0] == 0
    assert MetricRegistry(db).verify_token(secret) is None


def test_db_defaults_to_the_environment_then_metrics_db(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("METRIC_REGISTRY_DB", str(tmp_path / "from-env.db"))
    assert run(capsys, "metric", "create", "--uid", "env", "--name", "Env")[0] == 0
    assert MetricRegistry(str(tmp_path / "from-env.db")).get_metric("env").uid == "env"

    monkeypatch.delenv("METRIC_REGISTRY_DB")
    assert run(capsys, "metric", "create", "--uid", "local", "--name", "Local")[0] == 0
    assert MetricRegistry(str(tmp_path / "metrics.db")).get_metric("local").uid == "local"


def test_unopenable_database_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "metric", "list", "--db", str(tmp_path / "missing-dir" / "x.db"))
    assert code == 1
    assert "cannot open database" in err


def test_console_script_runs_as_a_module(db: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "metric_registry", "token", "create", "ci", "--db", db],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("mr_")


def test_serve_without_the_server_extra_says_what_to_install(db: str) -> None:
    hide_server = (
        "import sys; sys.modules['graphql_api.server'] = None; "
        "from metric_registry.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", hide_server, "serve", "--db", db],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "pip install 'metric-registry[server]'" in result.stderr
