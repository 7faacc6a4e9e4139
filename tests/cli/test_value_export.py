"""``value export``: one entity's or one metric's values, read back by ``value import``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from metric_registry import MetricRegistry
from metric_registry.cli._value_export import _window_end
from metric_registry.models import TimeUnit

from ._support import Runner, process_environment
from ._value_support import ACME, BIG_CENTS, GLOBEX, UNREGISTERED, create_metrics, seed

FIRST_DAY = date(2019, 1, 1)
DAYS_BEFORE_GAP = 250
DAYS_AFTER_GAP = 30
GAP = 400
MONTHS = 130


def _month(number: int) -> str:
    return date(2010 + number // 12, number % 12 + 1, 1).isoformat()


def _history() -> list[dict[str, Any]]:
    """Day values over three windows and a long gap, months past one window, a year value."""
    days = [*range(DAYS_BEFORE_GAP), *range(DAYS_BEFORE_GAP + GAP, DAYS_BEFORE_GAP + GAP + 30)]
    rows: list[dict[str, Any]] = [
        {"metric_uid": "dso", "metric_date": (FIRST_DAY + timedelta(day)).isoformat(),
         "value": 30 + day / 8, "timezone": "America/Los_Angeles" if day % 2 else None}
        for day in days
    ]  # fmt: skip
    rows += [
        {"metric_uid": "arr", "time_unit": "month", "metric_date": _month(number),
         "value": BIG_CENTS - number, "_metadata": {"n": number, "note": "über ✓"}}
        for number in range(MONTHS)
    ]  # fmt: skip
    rows += [
        {"metric_uid": "total_ar", "metric_date": "2026-03-15", "value": -(2**63),
         "_metadata": {"nested": {"list": [1, 2.5, None, True]}}},
        {"metric_uid": "total_ar", "time_unit": "year", "metric_date": "2025-01-01", "value": 0},
        {"metric_uid": "dso", "metric_date": "2026-03-15", "value": 1e-7},
        {"metric_uid": "dso", "metric_date": "2026-03-16", "value": 1.5e20},
    ]  # fmt: skip
    return [{"context_type": "ORGANIZATION", "entity_uid": ACME, **row} for row in rows]


@pytest.fixture
def source(db: str) -> str:
    seed(db)
    with MetricRegistry(db) as registry:
        registry.record_values(_history())
        registry.record_value(
            "ORGANIZATION", GLOBEX, metric_uid="dso", metric_date="2026-03-01", value=12
        )
    return db


def every_value(db: str, entity: str = ACME) -> list[tuple[Any, ...]]:
    """Each value's input fields, read with the library (the 90-day default widened)."""
    found = []
    with MetricRegistry(db) as registry:
        for unit in TimeUnit:
            number = 1
            while True:
                page = registry.list_values(
                    "ORGANIZATION", entity, time_unit=unit, start_date="1900-01-01",
                    end_date="2100-12-31", include_metadata=True, sort="+metric_date",
                    page=number, per_page=100,
                )  # fmt: skip
                found += [
                    (v.metric_uid, v.time_unit.value, v.metric_date, v.value, v.timezone,
                     v.metadata, v.period_start_at, v.period_end_at)
                    for v in page.items
                ]  # fmt: skip
                if number >= page.total_pages:
                    break
                number += 1
    return sorted(found, key=lambda value: (value[1], value[0], value[2]))


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_export_then_import_into_an_empty_registry_reproduces_the_values(
    cli: Runner, source: str, tmp_path: Path, file_format: str
) -> None:
    exported = tmp_path / f"acme.{file_format}"
    code, out, err = cli(
        "value", "export", "ORGANIZATION", ACME, "--output", str(exported), "--db", source
    )
    assert (code, out, err) == (0, "", "")
    target = str(tmp_path / "target.db")
    with MetricRegistry(target) as registry:
        create_metrics(registry)
    code, out, err = cli("value", "import", str(exported), "--register-entities", "--db", target)
    assert (code, err) == (0, "")
    expected = every_value(source)
    assert json.loads(out)["inserted"] == len(expected) == len(_history())
    assert every_value(target) == expected
    again = tmp_path / f"again.{file_format}"
    cli("value", "export", "ORGANIZATION", ACME, "--output", str(again), "--db", target)
    assert again.read_text() == exported.read_text()
    assert sorted(path.name for path in tmp_path.iterdir() if "partial" in path.name) == []


def test_export_writes_rows_by_unit_metric_and_date(cli: Runner, source: str) -> None:
    code, out, _ = cli("value", "export", "ORGANIZATION", ACME, "--db", source)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    keys = [(row["time_unit"], row["metric_uid"], row["metric_date"]) for row in rows]
    units = {"day": 0, "month": 1, "year": 2}
    assert keys == sorted(keys, key=lambda key: (units[key[0]], key[1], key[2]))
    assert set(rows[0]) == {
        "context_type", "entity_uid", "metric_uid", "time_unit", "metric_date", "value",
        "timezone", "_metadata",
    }  # fmt: skip
    assert f'"value": {BIG_CENTS},' in out


def test_export_csv_to_stdout_has_the_import_header(cli: Runner, source: str) -> None:
    _, out, _ = cli(
        "value", "export", "ORGANIZATION", ACME, "--metric", "total_ar", "--format", "csv",
        "--db", source,
    )  # fmt: skip
    assert out.splitlines() == [
        "context_type,entity_uid,metric_uid,time_unit,metric_date,value,timezone,_metadata",
        f"ORGANIZATION,{ACME},total_ar,day,2026-03-15,{-(2**63)},,"
        '"{""nested"": {""list"": [1, 2.5, null, true]}}"',
        f"ORGANIZATION,{ACME},total_ar,year,2025-01-01,0,,{{}}",
    ]


def test_export_of_one_metric_walks_every_entity(cli: Runner, source: str) -> None:
    code, out, _ = cli("value", "export", "--metric", "dso", "--db", source)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert {row["metric_uid"] for row in rows} == {"dso"}
    assert [row["entity_uid"] for row in rows].count(GLOBEX) == 1
    assert len(rows) == DAYS_BEFORE_GAP + DAYS_AFTER_GAP + 2 + 1
    assert [row["entity_uid"] for row in rows] == sorted(row["entity_uid"] for row in rows)


AROUND_THE_GAP = ["--metric", "dso", "--start-date", "2019-09-07", "--end-date", "2020-10-12"]
SELECTIONS = {
    "latest": (
        ["ORGANIZATION", ACME, "--latest"],
        [("total_ar", "day", "2026-03-15"), ("dso", "day", "2026-03-16"),
         ("arr", "month", _month(MONTHS - 1)), ("total_ar", "year", "2025-01-01")],
    ),
    "as-of": (
        ["ORGANIZATION", ACME, "--latest", "--as-of", "2019-01-03", "--time-unit", "day"],
        [("dso", "day", "2019-01-03")],
    ),
    "metric-latest": (
        ["--metric", "dso", "--latest"],
        [("dso", "day", "2026-03-01"), ("dso", "day", "2026-03-16")],
    ),
    "dates-around-the-gap": (
        ["ORGANIZATION", ACME, *AROUND_THE_GAP],
        [("dso", "day", "2019-09-07"), ("dso", "day", "2020-10-12")],
    ),
    "metric-dates": (
        ["--metric", "arr", "--time-unit", "month", "--end-date", "2010-02-01"],
        [("arr", "month", "2010-01-01"), ("arr", "month", "2010-02-01")],
    ),
}  # fmt: skip


@pytest.mark.parametrize(("options", "expected"), SELECTIONS.values(), ids=SELECTIONS.keys())
def test_export_selects_units_dates_or_the_newest(
    cli: Runner, source: str, options: list[str], expected: list[tuple[str, str, str]]
) -> None:
    code, out, _ = cli("value", "export", *options, "--db", source)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(row["metric_uid"], row["time_unit"], row["metric_date"]) for row in rows] == expected


def test_export_to_a_file_that_cannot_be_filled_leaves_nothing(
    cli: Runner, source: str, tmp_path: Path
) -> None:
    output = tmp_path / "out.csv"
    code, out, err = cli(
        "value", "export", "ORGANIZATION", UNREGISTERED, "--output", str(output), "--db", source
    )
    assert (code, out) == (1, "")
    assert "not found" in err
    assert list(tmp_path.glob("out.csv*")) == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["ORGANIZATION"], "give CONTEXT and ENTITY_UID together"),
        ([], "give CONTEXT ENTITY_UID (one entity's values) or one --metric UID"),
        (["--metric", "a", "--metric", "b"], "or one --metric UID"),
        (["ORGANIZATION", ACME, "--as-of", "2026-01-01"], "--as-of goes with --latest"),
        (["--metric", "dso", "--latest", "--start-date", "2026-01-01"], "takes no --start-date"),
        (["--metric", "dso", "--output", "out.txt"], "cannot tell a format from 'out.txt'"),
        (["--metric", "dso", "--format", "xml"], "invalid choice"),
    ],
)
def test_bad_export_usage_exits_2(cli: Runner, db: str, argv: list[str], expected: str) -> None:
    code, out, err = cli("value", "export", *argv, "--db", db)
    assert (code, out) == (2, "")
    assert err.startswith("usage: metric-registry value export")
    assert expected in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--metric", "nope"], "metric 'nope' not found"),
        (["--metric", "dso", "--start-date", "2026-13-01"], "start_date: invalid_format"),
        (["ORGANIZATION", ACME, "--metric", "nope"], "metric_uids: not_found"),
    ],
)
def test_a_refused_export_exits_1(cli: Runner, source: str, argv: list[str], expected: str) -> None:
    code, out, err = cli("value", "export", *argv, "--db", source)
    assert (code, out) == (1, "")
    assert expected in err


def test_export_piped_into_import(source: str, tmp_path: Path) -> None:
    target = str(tmp_path / "piped.db")
    with MetricRegistry(target) as registry:
        create_metrics(registry)
    command = [sys.executable, "-m", "metric_registry", "value"]
    environment = process_environment()
    with subprocess.Popen(
        [*command, "export", "--metric", "dso", "--format", "csv", "--db", source],
        stdout=subprocess.PIPE,
        env=environment,
    ) as exporting:
        imported = subprocess.run(
            [*command, "import", "-", "--format", "csv", "--register-entities", "--db", target],
            stdin=exporting.stdout,
            capture_output=True,
            text=True,
            env=environment,
            check=False,
            timeout=60,
        )
    assert (exporting.returncode, imported.returncode, imported.stderr) == (0, 0, "")
    assert json.loads(imported.stdout)["inserted"] == DAYS_BEFORE_GAP + DAYS_AFTER_GAP + 3
    assert every_value(target, GLOBEX) == every_value(source, GLOBEX)


@pytest.mark.parametrize(
    ("start", "unit", "end"),
    [
        (date(2024, 1, 1), TimeUnit.DAY, date(2024, 4, 9)),
        (date(2024, 1, 1), TimeUnit.MONTH, date(2032, 4, 30)),
        (date(2024, 1, 1), TimeUnit.YEAR, date(2123, 12, 31)),
        (date(9999, 12, 1), TimeUnit.DAY, date.max),
        (date(9995, 1, 1), TimeUnit.MONTH, date.max),
        (date(9990, 1, 1), TimeUnit.MONTH, date(9998, 4, 30)),
        (date(9990, 1, 1), TimeUnit.YEAR, date.max),
    ],
)
def test_a_window_holds_100_periods(start: date, unit: TimeUnit, end: date) -> None:
    assert _window_end(start, unit) == end
