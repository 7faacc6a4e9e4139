"""``value record|get|list|update|delete``: JSON out with ``_metadata``, exact cents, exit codes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from metric_registry import MetricRegistry
from metric_registry.cli._value_text import loads, number_from_text

from ._support import Runner
from ._value_support import ACME, BIG_CENTS, UNREGISTERED, seed


def record(cli: Runner, db: str, *options: str, entity: str = ACME) -> tuple[int, Any, str]:
    code, out, err = cli("value", "record", "ORGANIZATION", entity, *options, "--db", db)
    return code, json.loads(out) if out else None, err


def test_value_record_prints_the_value_with_its_metadata_and_period(cli: Runner, db: str) -> None:
    seed(db)
    code, value, err = record(
        cli, db, "--metric", "total_ar", "--date", "2026-03-15", "--value", "350000000",
        "--timezone", "America/Los_Angeles", "--metadata", '{"source": "ledger"}',
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert value["value"] == 350000000
    assert value["_metadata"] == {"source": "ledger"}
    assert value["period_start_at"] == "2026-03-15T07:00:00Z"
    assert value["storage_unit"] == "cents"
    assert MetricRegistry(db).get_value(value["uid"]).value == 350000000


def test_value_record_keeps_cents_exact_past_a_double(cli: Runner, db: str) -> None:
    seed(db)
    code, out, _ = cli(
        "value", "record", "ORGANIZATION", ACME, "--metric", "total_ar", "--date",
        "2026-03-15", "--value", str(BIG_CENTS), "--db", db,
    )  # fmt: skip
    assert code == 0
    assert f'"value": {BIG_CENTS},' in out  # a JSON integer, never 4.611686018427388e+18
    uid = json.loads(out)["uid"]
    assert MetricRegistry(db).get_value(uid).value == BIG_CENTS
    _, out, _ = cli("value", "get", uid, "--db", db)
    assert loads(out)["value"] == BIG_CENTS


@pytest.mark.parametrize(
    ("options", "unit", "value"),
    [
        (["--metric", "dso", "--date", "2026-03-15", "--value", "41.25"], "day", 41.25),
        (["--metric", "dso", "--date", "2026-03-15", "--value", "-5"], "day", -5.0),
        (["--metric", "total_ar", "--date", "2026-03-15", "--value", "100.00"], "day", 100),
        (
            ["--metric", "arr", "--date", "2026-03-01", "--time-unit", "month", "--value", "7"],
            "month",
            7,
        ),
    ],
    ids=["raw", "negative", "integral-cents", "month"],
)
def test_value_record_reads_the_number_and_unit(
    cli: Runner, db: str, options: list[str], unit: str, value: object
) -> None:
    seed(db)
    code, recorded, _ = record(cli, db, *options)
    assert code == 0
    assert (recorded["time_unit"], recorded["value"]) == (unit, value)
    assert type(recorded["value"]) is type(value)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--metric", "total_ar", "--value", "12.5"], "value: invalid_type: must be a whole"),
        (["--metric", "total_ar", "--value", "lots"], "value: invalid_type: must be a number"),
        (["--metric", "total_ar", "--value", str(2**63)], "value: out_of_range"),
        (["--metric", "dso", "--value", "nan"], "value: out_of_range"),
        (["--metric", "nope", "--value", "1"], "metric_uid: not_found"),
        (
            ["--metric", "dso", "--value", "1", "--timezone", "Mars/Base"],
            "timezone: invalid_choice",
        ),
        (["--metric", "dso", "--value", "1", "--metadata", "[1]"], "_metadata: invalid_type"),
        (
            ["--metric", "arr", "--value", "1", "--time-unit", "month"],
            "metric_date: invalid_format",
        ),
        (["--metric", "arr", "--value", "1", "--time-unit", "year"], "time_unit: invalid_choice"),
    ],
)
def test_a_refused_value_record_exits_1_with_the_field(
    cli: Runner, db: str, options: list[str], expected: str
) -> None:
    seed(db)
    code, value, err = record(cli, db, "--date", "2026-03-15", *options)
    assert (code, value) == (1, None)
    assert expected in err
    assert MetricRegistry(db).list_values("ORGANIZATION", ACME, latest=True).total_items == 0


def test_value_record_of_an_unregistered_entity_or_a_taken_key_exits_1(
    cli: Runner, db: str
) -> None:
    seed(db)
    base = ["--metric", "dso", "--date", "2026-03-15", "--value", "40"]
    code, _, err = record(cli, db, *base, entity=UNREGISTERED)
    assert code == 1
    assert "entity_uid: not_found" in err
    assert record(cli, db, *base)[0] == 0
    code, _, err = record(cli, db, *base)
    assert code == 1
    assert "exists already" in err


@pytest.mark.parametrize(
    "options",
    [
        ["--date", "2026-03-15", "--value", "1"],
        ["--metric", "dso", "--value", "1"],
        ["--metric", "dso", "--date", "2026-03-15"],
        ["--metric", "dso", "--date", "2026-03-15", "--value", "1", "--metadata", "{bad"],
        ["--metric", "dso", "--date", "2026-03-15", "--value", "1", "--time-unit", "week"],
    ],
    ids=["no-metric", "no-date", "no-value", "metadata-not-json", "unknown-unit"],
)
def test_bad_value_record_usage_exits_2(cli: Runner, db: str, options: list[str]) -> None:
    code, value, err = record(cli, db, *options)
    assert (code, value) == (2, None)
    assert err.startswith("usage: metric-registry value record")


@pytest.fixture
def recorded(cli: Runner, db: str) -> str:
    seed(db)
    _, value, _ = record(
        cli, db, "--metric", "total_ar", "--date", "2026-03-15", "--value", "100",
        "--timezone", "Europe/Paris",
    )  # fmt: skip
    return str(value["uid"])


def test_value_get_prints_the_value(cli: Runner, db: str, recorded: str) -> None:
    code, out, _ = cli("value", "get", recorded.upper(), "--db", db)
    assert code == 0
    assert json.loads(out)["uid"] == recorded
    assert json.loads(out)["_metadata"] == {}


def test_value_update_changes_the_editable_fields(cli: Runner, db: str, recorded: str) -> None:
    code, out, _ = cli(
        "value", "update", recorded, "--value", str(BIG_CENTS), "--timezone", "",
        "--metadata", '{"note": "restated"}', "--db", db,
    )  # fmt: skip
    assert code == 0
    assert f'"value": {BIG_CENTS},' in out
    value = json.loads(out)
    assert (value["timezone"], value["_metadata"]) == (None, {"note": "restated"})
    stored = MetricRegistry(db).get_value(recorded)
    assert (stored.value, stored.timezone) == (BIG_CENTS, None)


@pytest.mark.parametrize(
    ("argv", "code", "expected"),
    [
        (["--value", "0.5"], 1, "value: invalid_type"),
        (["--timezone", "Nowhere"], 1, "timezone: invalid_choice"),
        ([], 2, "give at least one of --value, --timezone, --metadata"),
        (["--metadata", "{"], 2, "--metadata is not valid JSON"),
    ],
)
def test_a_refused_value_update_changes_nothing(
    cli: Runner, db: str, recorded: str, argv: list[str], code: int, expected: str
) -> None:
    result = cli("value", "update", recorded, *argv, "--db", db)
    assert (result[0], result[1]) == (code, "")
    assert expected in result[2]
    assert MetricRegistry(db).get_value(recorded).value == 100


def test_value_delete_removes_it(cli: Runner, db: str, recorded: str) -> None:
    code, out, _ = cli("value", "delete", recorded, "--db", db)
    assert (code, json.loads(out)) == (0, {"deleted": recorded})
    assert cli("value", "get", recorded, "--db", db)[0] == 1


@pytest.mark.parametrize("command", ["get", "delete"])
@pytest.mark.parametrize("uid", [UNREGISTERED, "not-a-uuid"])
def test_a_missing_value_is_not_found(cli: Runner, db: str, command: str, uid: str) -> None:
    seed(db)
    code, out, err = cli("value", command, uid, "--db", db)
    assert (code, out) == (1, "")
    assert "not found" in err
    assert cli("value", "update", uid, "--value", "1", "--db", db)[0] == 1


@pytest.fixture
def history(db: str) -> None:
    seed(db)
    rows = [
        {"metric_uid": metric, "metric_date": f"2026-03-{day:02d}", "value": value + day}
        for metric, value in (("dso", 40.5), ("total_ar", 1000))
        for day in (1, 2, 3)
    ]
    with MetricRegistry(db) as registry:
        registry.record_values(
            {**row, "context_type": "ORGANIZATION", "entity_uid": ACME, "_metadata": {"d": 1}}
            for row in rows
        )


def listed(cli: Runner, db: str, *options: str) -> list[tuple[str, str, object]]:
    code, out, err = cli("value", "list", "organization", ACME, *options, "--db", db)
    assert (code, err) == (0, ""), err
    return [(v["metric_uid"], v["metric_date"], v["value"]) for v in json.loads(out)["items"]]


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--latest"], [("dso", "2026-03-03", 43.5), ("total_ar", "2026-03-03", 1003)]),
        (
            ["--latest", "--as-of", "2026-03-01"],
            [("dso", "2026-03-01", 41.5), ("total_ar", "2026-03-01", 1001)],
        ),
        (
            ["--metric", "dso", "--start-date", "2026-03-02", "--end-date", "2026-03-03"],
            [("dso", "2026-03-03", 43.5), ("dso", "2026-03-02", 42.5)],
        ),
        (
            [
                "--metric",
                "total_ar",
                "--end-date",
                "2026-03-31",
                "--sort=+value",
                "--per-page",
                "2",
            ],
            [("total_ar", "2026-03-01", 1001), ("total_ar", "2026-03-02", 1002)],
        ),
        (
            [
                "--metric",
                "dso",
                "--metric",
                "total_ar",
                "--end-date",
                "2026-03-31",
                "--page",
                "3",
                "--per-page",
                "2",
            ],
            [("dso", "2026-03-01", 41.5), ("total_ar", "2026-03-01", 1001)],
        ),
        (["--time-unit", "month", "--end-date", "2026-03-31"], []),
    ],
    ids=["latest", "as-of", "dates", "sort", "page", "unit"],
)
def test_value_list_filters_and_pages(
    cli: Runner, db: str, options: list[str], expected: list[tuple[str, str, object]]
) -> None:
    assert listed(cli, db, *options) == expected


@pytest.mark.usefixtures("history")
def test_value_list_shows_metadata_only_when_asked(cli: Runner, db: str) -> None:
    _, out, _ = cli("value", "list", "ORGANIZATION", ACME, "--latest", "--db", db)
    assert {item["_metadata"] for item in json.loads(out)["items"]} == {None}
    _, out, _ = cli(
        "value", "list", "ORGANIZATION", ACME, "--latest", "--include-metadata", "--db", db
    )
    assert [item["_metadata"] for item in json.loads(out)["items"]] == [{"d": 1}, {"d": 1}]


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (["--sort", "name"], "sort: invalid_choice"),
        (["--metric", "nope"], "metric_uids: not_found"),
        (["--start-date", "2026-02-30"], "start_date: invalid_format"),
        (["--per-page", "0"], "per_page"),
    ],
)
def test_a_refused_value_list_exits_1(
    cli: Runner, db: str, options: list[str], expected: str
) -> None:
    code, out, err = cli("value", "list", "ORGANIZATION", ACME, *options, "--db", db)
    assert (code, out) == (1, "")
    assert expected in err


def test_value_list_of_an_unregistered_entity_is_not_found(cli: Runner, db: str) -> None:
    seed(db)
    code, _, err = cli("value", "list", "ORGANIZATION", UNREGISTERED, "--db", db)
    assert code == 1
    assert "not found" in err


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("350000000", 350000000),
        ("-5", -5),
        ("+7", 7),
        (str(BIG_CENTS), BIG_CENTS),
        (f"{BIG_CENTS}.00", BIG_CENTS),
        (" 12 ", 12),
        ("12.5", 12.5),
        ("1e3", 1000.0),
        ("-0.25", -0.25),
        ("twelve", "twelve"),
        ("", ""),
        ("9" * 5000, float("inf")),
    ],
)
def test_number_from_text_keeps_integers_exact(text: str, number: object) -> None:
    parsed = number_from_text(text)
    assert parsed == number
    assert type(parsed) is type(number)


def test_json_loads_keeps_integral_numbers_exact() -> None:
    assert loads(f'{{"a": {BIG_CENTS}, "b": {BIG_CENTS}.0, "c": 0.5}}') == {
        "a": BIG_CENTS,
        "b": BIG_CENTS,
        "c": 0.5,
    }
