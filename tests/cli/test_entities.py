"""``entity register|get|list|delete``: JSON out, idempotent registration, exit codes."""

from __future__ import annotations

import json

import pytest

from metric_registry import MetricRegistry

from ._support import Runner
from ._value_support import ACME, GLOBEX, seed


def test_entity_register_prints_the_entity_in_canonical_form(cli: Runner, db: str) -> None:
    code, out, err = cli(
        "entity", "register", "organization", ACME.upper(), "--name", "Acme", "--db", db
    )
    assert (code, err) == (0, "")
    entity = json.loads(out)
    assert entity["context_type"] == "ORGANIZATION"
    assert entity["uid"] == ACME
    assert entity["name"] == "Acme"
    assert entity["created_at"].endswith("Z")


def test_entity_register_again_returns_it_and_renames_only_when_asked(cli: Runner, db: str) -> None:
    cli("entity", "register", "PARTY", ACME, "--name", "Acme", "--db", db)
    _, out, _ = cli("entity", "register", "PARTY", ACME, "--db", db)
    assert json.loads(out)["name"] == "Acme"
    _, out, _ = cli("entity", "register", "PARTY", ACME, "--name", "Acme Corp", "--db", db)
    assert json.loads(out)["name"] == "Acme Corp"
    assert MetricRegistry(db).list_entities("PARTY").total_items == 1


def test_entity_get_prints_the_entity(cli: Runner, db: str) -> None:
    seed(db)
    code, out, _ = cli("entity", "get", "ORGANIZATION", GLOBEX, "--db", db)
    assert code == 0
    assert json.loads(out)["name"] == "Globex"


def test_entity_list_prints_a_page_in_uid_order(cli: Runner, db: str) -> None:
    seed(db)
    code, out, _ = cli("entity", "list", "ORGANIZATION", "--per-page", "1", "--db", db)
    page = json.loads(out)
    assert code == 0
    assert [item["uid"] for item in page["items"]] == [ACME]
    assert (page["total_items"], page["total_pages"]) == (2, 2)


@pytest.mark.parametrize(
    ("options", "names"),
    [
        (["--all", "--per-page", "1"], ["Acme", "Globex"]),
        (["--search", "glob"], ["Globex"]),
        (["--page", "2", "--per-page", "1"], ["Globex"]),
    ],
    ids=["all", "search", "page"],
)
def test_entity_list_as_json_lines(
    cli: Runner, db: str, options: list[str], names: list[str]
) -> None:
    seed(db)
    code, out, _ = cli("entity", "list", "ORGANIZATION", *options, "--format", "jsonl", "--db", db)
    assert code == 0
    assert [json.loads(line)["name"] for line in out.splitlines()] == names


def test_entity_list_all_prints_one_array(cli: Runner, db: str) -> None:
    seed(db)
    _, out, _ = cli("entity", "list", "ORGANIZATION", "--all", "--db", db)
    assert [item["name"] for item in json.loads(out)] == ["Acme", "Globex"]


def test_entity_delete_removes_it(cli: Runner, db: str) -> None:
    seed(db)
    code, out, _ = cli("entity", "delete", "organization", ACME.upper(), "--db", db)
    assert code == 0
    assert json.loads(out) == {"deleted": {"context_type": "ORGANIZATION", "uid": ACME}}
    assert cli("entity", "get", "ORGANIZATION", ACME, "--db", db)[0] == 1


def test_entity_delete_of_an_entity_with_values_is_refused(cli: Runner, db: str) -> None:
    seed(db)
    MetricRegistry(db).record_value(
        "ORGANIZATION", ACME, metric_uid="dso", metric_date="2026-03-01", value=40
    )
    code, out, err = cli("entity", "delete", "ORGANIZATION", ACME, "--db", db)
    assert (code, out) == (1, "")
    assert err.startswith("error: ")
    assert MetricRegistry(db).get_entity("ORGANIZATION", ACME).name == "Acme"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["entity", "register", "ORGANIZATION", "not-a-uuid"], "uid: invalid_format"),
        (["entity", "register", "USER", ACME, "--name", "x" * 256], "name: too_long"),
        (["entity", "get", "ORGANIZATION", ACME], "not found"),
        (["entity", "get", "ORGANIZATION", "nope"], "not found"),
        (["entity", "delete", "USER", ACME], "not found"),
        (["entity", "list", "ORGANIZATION", "--per-page", "101"], "per_page"),
    ],
)
def test_a_refused_entity_request_exits_1_with_the_reason(
    cli: Runner, db: str, argv: list[str], expected: str
) -> None:
    code, out, err = cli(*argv, "--db", db)
    assert (code, out) == (1, "")
    assert expected in err


@pytest.mark.parametrize(
    "argv",
    [
        ["entity", "get", "COMPANY", ACME],
        ["entity", "register", "ORGANIZATION"],
        ["entity", "list"],
        ["entity"],
    ],
    ids=["unknown-context", "no-uid", "no-context", "group-alone"],
)
def test_bad_entity_usage_exits_2(cli: Runner, db: str, argv: list[str]) -> None:
    code, out, err = cli(*argv)
    assert (code, out) == (2, "")
    assert err.startswith("usage: metric-registry entity")
