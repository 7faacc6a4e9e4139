"""Bad usage exits 2 with a hint; help shows every option with its default."""

from __future__ import annotations

import argparse
import importlib.metadata
from pathlib import Path

import pytest

from metric_registry import MetricRegistry
from metric_registry.cli import build_parser

from ._support import Runner

READ_ONLY_NOTE = "note: issued a read-only token; use --scope write to allow changes\n"


@pytest.mark.parametrize(
    ("argv", "usage", "hint"),
    [
        (["metric", "create", "--nmae", "X"], "metric create", "did you mean --name?"),
        (["metric", "list", "--per_page", "5"], "metric list", "did you mean --per-page?"),
        (["metric", "list", "--sort-by=uid"], "metric list", "did you mean --sort?"),
        (["token", "create", "ci", "--scpoe", "write"], "token create", "did you mean --scope?"),
        (["serve", "--prot", "8001"], "serve", "did you mean --port?"),
    ],
)
def test_a_mistyped_option_gets_the_command_usage_and_a_suggestion(
    cli: Runner, argv: list[str], usage: str, hint: str
) -> None:
    code, out, err = cli(*argv)
    assert (code, out) == (2, "")
    assert err.startswith(f"usage: metric-registry {usage} ")
    assert hint in err


def test_an_unknown_option_with_nothing_close_gets_no_suggestion(cli: Runner) -> None:
    code, _, err = cli("metric", "get", "dso", "--zzzzzz")
    assert code == 2
    assert "unrecognized arguments: --zzzzzz" in err
    assert "did you mean" not in err


def test_version(cli: Runner) -> None:
    version = importlib.metadata.version("metric-registry")
    assert cli("--version") == (0, f"metric-registry {version}\n", "")


@pytest.mark.parametrize(
    ("argv", "listed"),
    [
        ([], ["serve", "schema", "token", "metric"]),
        (["metric"], ["create", "get", "list", "update", "delete"]),
        (["token"], ["create", "list", "revoke"]),
    ],
    ids=["bare", "metric", "token"],
)
def test_a_command_group_alone_prints_its_help_to_stderr_and_exits_2(
    cli: Runner, argv: list[str], listed: list[str]
) -> None:
    code, out, err = cli(*argv)
    assert (code, out) == (2, "")
    assert err.startswith("usage: metric-registry")
    assert "commands:" in err
    for command in listed:
        assert f"    {command} " in err


def _leaf_parsers(
    parser: argparse.ArgumentParser, name: str = "metric-registry"
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(name, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                found.extend(_leaf_parsers(sub, f"{name} {command}"))
    return found


@pytest.mark.parametrize(("name", "parser"), _leaf_parsers(build_parser()), ids=lambda x: x)
def test_every_option_has_help_and_shows_its_default(
    name: str, parser: argparse.ArgumentParser
) -> None:
    flat_help = " ".join(parser.format_help().split())
    for action in parser._actions:
        if not action.option_strings:
            continue
        assert action.help, f"{name} {action.option_strings[0]} has no help"
        if action.default not in (None, argparse.SUPPRESS) and not isinstance(action.default, bool):
            assert f"(default: {action.default})" in flat_help, action.option_strings


def test_token_create_without_scope_issues_a_read_token_and_says_so(cli: Runner, db: str) -> None:
    code, out, err = cli("token", "create", "ci", "--db", db)
    assert code == 0
    assert err == READ_ONLY_NOTE
    assert out.count("\n") == 1
    token = MetricRegistry(db).verify_token(out.strip())
    assert token is not None
    assert token.scope == "read"


@pytest.mark.parametrize("scope", ["read", "write"])
def test_token_create_with_a_scope_adds_no_note(cli: Runner, db: str, scope: str) -> None:
    code, out, err = cli("token", "create", "ci", "--scope", scope, "--db", db)
    assert (code, err) == (0, "")
    assert out.startswith("mr_")


def test_token_create_help_says_the_default_is_read_only(cli: Runner) -> None:
    _, out, _ = cli("token", "create", "--help")
    flat = " ".join(out.split())
    assert "(default: read)" in flat
    assert "read-only" in flat


@pytest.mark.parametrize(
    ("argv", "missing"),
    [
        (["--name", "Days Sales Outstanding"], "--uid (or give it inside --json)"),
        (["--uid", "dso"], "--name (or give it inside --json)"),
        ([], "--uid, --name (or give them inside --json)"),
    ],
    ids=["no-uid", "no-name", "neither"],
)
def test_metric_create_needs_uid_and_name_unless_json_is_given(
    cli: Runner, db: str, argv: list[str], missing: str
) -> None:
    code, out, err = cli("metric", "create", *argv, "--db", db)
    assert (code, out) == (2, "")
    assert err.startswith("usage: metric-registry metric create (--uid UID --name NAME | --json")
    assert f"the following arguments are required: {missing}" in err
    assert not Path(db).exists()


def test_metric_create_from_json_lets_the_core_report_a_missing_uid(cli: Runner, db: str) -> None:
    code, out, err = cli("metric", "create", "--json", '{"name": "DSO"}', "--db", db)
    assert (code, out) == (1, "")
    assert "uid: required" in err
