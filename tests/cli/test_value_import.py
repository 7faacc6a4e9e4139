"""``value import FILE``: CSV and JSON Lines streamed in one transaction, errors as FILE:LINE."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from metric_registry import MetricRegistry
from metric_registry.cli._value_files import RowLines

from ._support import Runner, process_environment, run_process
from ._value_support import ACME, BIG_CENTS, GLOBEX, HEADER, UNREGISTERED, csv_line, seed, write
from ._value_support import stored_values as stored

SUMMARY_KEYS = {"inserted", "updated", "unchanged", "skipped", "rows", "dry_run"}


def json_line(**fields: object) -> str:
    row = {"context_type": "ORGANIZATION", "entity_uid": ACME, **fields}
    return json.dumps(row)


def summary(out: str) -> dict[str, object]:
    result = json.loads(out)
    assert set(result) == SUMMARY_KEYS
    return dict(result)


@pytest.fixture
def good_csv(tmp_path: Path, db: str) -> str:
    seed(db)
    return write(
        tmp_path / "values.csv",
        HEADER,
        f"ORGANIZATION,{ACME},total_ar,day,2026-03-15,{BIG_CENTS},America/Los_Angeles,"
        '"{""source"": ""ledger""}"',
        csv_line("dso", "2026-03-15", "41.25"),
        f"ORGANIZATION,{GLOBEX},arr,month,2026-03-01,100.00,,",
    )


def test_value_import_of_csv_records_every_row(cli: Runner, db: str, good_csv: str) -> None:
    code, out, err = cli("value", "import", good_csv, "--db", db)
    assert (code, err) == (0, "")
    assert summary(out) == {
        "inserted": 3, "updated": 0, "unchanged": 0, "skipped": 0, "rows": 3, "dry_run": False,
    }  # fmt: skip
    assert stored(db) == [
        ("dso", "2026-03-15", "day", 41.25),
        ("total_ar", "2026-03-15", "day", BIG_CENTS),
    ]
    assert stored(db, GLOBEX) == [("arr", "2026-03-01", "month", 100)]
    latest = MetricRegistry(db).list_values(
        "ORGANIZATION", ACME, metric_uids=["total_ar"], latest=True, include_metadata=True
    )
    value = latest.items[0]
    assert (value.timezone, value.metadata) == ("America/Los_Angeles", {"source": "ledger"})


def test_imported_cents_stay_exact_and_come_out_as_a_json_integer(
    cli: Runner, db: str, tmp_path: Path
) -> None:
    seed(db)
    path = write(
        tmp_path / "cents.jsonl",
        json_line(metric_uid="total_ar", metric_date="2026-03-15", value=BIG_CENTS),
        json_line(metric_uid="total_ar", metric_date="2026-03-16", value=float(2**53)),
        f'{{"context_type": "ORGANIZATION", "entity_uid": "{ACME}", "metric_uid": "total_ar",'
        f' "metric_date": "2026-03-17", "value": {BIG_CENTS}.0}}',
    )
    assert cli("value", "import", path, "--db", db)[0] == 0
    _, out, _ = cli("value", "list", "ORGANIZATION", ACME, "--end-date", "2026-03-31", "--db", db)
    assert f'"value": {BIG_CENTS},' in out
    assert [item["value"] for item in json.loads(out)["items"]] == [BIG_CENTS, 2**53, BIG_CENTS]


def test_value_import_of_json_lines_skips_blank_lines(cli: Runner, db: str, tmp_path: Path) -> None:
    seed(db)
    path = write(
        tmp_path / "values.ndjson",
        json_line(metric_uid="dso", metric_date="2026-03-01", value=40, _metadata={"k": [1]}),
        "",
        json_line(metric_uid="dso", metric_date="2026-03-02", value=41.5, timezone="UTC"),
    )
    code, out, _ = cli("value", "import", path, "--db", db)
    assert (code, summary(out)["inserted"], summary(out)["rows"]) == (0, 2, 2)
    assert stored(db) == [("dso", "2026-03-01", "day", 40.0), ("dso", "2026-03-02", "day", 41.5)]


@pytest.fixture
def bad_csv(tmp_path: Path, db: str) -> str:
    seed(db)
    return write(
        tmp_path / "bad.csv",
        HEADER,
        csv_line("total_ar", "2026-03-16", "100"),
        csv_line("total_ar", "2026-03-17", "1.5"),
        f"ORGANIZATION,{ACME},dso,month,2026-03-02,45.5,Mars/Base,",
        f"ORGANIZATION,{ACME},dso,month,2026-03-01,45.5",
        "",
        f"ORGANIZATION,{ACME},dso,day,2026-03-01,45.5,,{{bad",
        csv_line("dso", "2026-03-01", "45.5", entity=UNREGISTERED),
        f'ORGANIZATION,{ACME},dso,day,2026-03-03,7,,"{{""note"":',
        '""two lines""}"',
        csv_line("dso", "2026-03-04", ""),
    )


BAD_CSV_REPORT = [
    "bad.csv:3: value: invalid_type: must be a whole number of cents, got 1.5",
    "bad.csv:4: timezone: invalid_choice: must be a zone of the tz database such as "
    "'America/Los_Angeles', got 'Mars/Base'",
    "bad.csv:4: metric_date: invalid_format: a month value is dated on the first day of its "
    "month: use 2026-03-01, not 2026-03-02",
    "bad.csv:5: row: invalid_format: has 6 cells, the header names 8 columns",
    "bad.csv:7: _metadata: invalid_format: is not valid JSON: Expecting property name enclosed "
    "in double quotes at character 2",
    "bad.csv:8: entity_uid: not_found: no ORGANIZATION entity has uid "
    f"{UNREGISTERED}: register it first",
    "bad.csv:11: value: required: is required",
    "error: bad.csv: 7 problems; nothing was written",
]


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["import", "dry-run"])
def test_every_refused_csv_row_is_reported_by_line_and_nothing_is_written(
    cli: Runner, db: str, bad_csv: str, dry_run: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(Path(bad_csv).parent)
    code, out, err = cli("value", "import", "bad.csv", *dry_run, "--db", db)
    assert (code, out) == (1, "")
    assert err.splitlines() == BAD_CSV_REPORT
    assert stored(db) == []


def test_every_refused_json_line_is_reported_by_line(
    cli: Runner, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(db)
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path / "bad.jsonl",
        json_line(metric_uid="dso", metric_date="2026-03-01", value=1),
        "",
        '{"context_type": "ORGANIZATION",',
        json_line(metric_uid="dso", metric_date="2026-03-02", value="7"),
        "[1, 2]",
        json_line(metric_uid="dso", metric_date="2026-03-03", value=3, colour="red"),
        json_line(metric_uid="total_ar", metric_date="2026-03-04", value=0.5),
    )
    code, out, err = cli("value", "import", "bad.jsonl", "--db", db)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "bad.jsonl:3: line: invalid_format: is not valid JSON: Expecting property name enclosed "
        "in double quotes at character 34",
        "bad.jsonl:4: value: invalid_type: must be a number, got a string",
        "bad.jsonl:5: row: invalid_type: must be an object of fields",
        "bad.jsonl:6: colour: unknown_field: is not a field of a value",
        "bad.jsonl:7: value: invalid_type: must be a whole number of cents, got 0.5",
        "error: bad.jsonl: 5 problems; nothing was written",
    ]
    assert stored(db) == []


def test_at_most_100_problems_are_reported(cli: Runner, db: str, tmp_path: Path) -> None:
    seed(db)
    rows = [csv_line("total_ar", f"2026-01-{day % 28 + 1:02d}", "0.5") for day in range(150)]
    path = write(tmp_path / "many.csv", HEADER, "a,b", *rows)
    code, _, err = cli("value", "import", path, "--db", db)
    lines = err.splitlines()
    assert code == 1
    assert len(lines) == 101
    assert lines[0].endswith(
        "many.csv:2: row: invalid_format: has 2 cells, the header names 8 columns"
    )
    assert lines[-1].endswith("problems, the first 100 shown; nothing was written")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            HEADER + ",colour",
            [
                "header: unknown_field: column 'colour' is not a field of a value (columns: "
                "context_type, entity_uid, metric_uid, time_unit, metric_date, value, timezone, "
                "_metadata)"
            ],
        ),
        (
            "context_type,entity_uid,metric_uid,metric_date,metric_date",
            [
                "header: invalid_format: column 'metric_date' appears twice",
                "header: required: needs a column 'value'",
            ],
        ),
    ],
    ids=["unknown-column", "twice-and-missing"],
)
def test_a_bad_csv_header_stops_the_import_at_line_1(
    cli: Runner, db: str, tmp_path: Path, header: str, expected: list[str]
) -> None:
    seed(db)
    path = write(tmp_path / "head.csv", header, csv_line("dso", "2026-03-01", "1"))
    code, _, err = cli("value", "import", path, "--db", db)
    assert code == 1
    assert err.splitlines()[:-1] == [f"{path}:1: {line}" for line in expected]
    assert stored(db) == []


def test_text_that_is_not_utf8_is_refused(cli: Runner, db: str, tmp_path: Path) -> None:
    seed(db)
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{HEADER}\n{csv_line('dso', '2026-03-01', '1')}\n".encode() + b"\xff\xfe\n")
    code, _, err = cli("value", "import", str(path), "--db", db)
    assert code == 1
    assert f"{path}: file: invalid_format: is not UTF-8 text" in err
    assert stored(db) == []


def test_dry_run_checks_against_the_database_and_writes_nothing(
    cli: Runner, db: str, good_csv: str
) -> None:
    code, out, _ = cli("value", "import", good_csv, "--dry-run", "--db", db)
    assert (code, summary(out)["inserted"], summary(out)["dry_run"]) == (0, 3, True)
    assert stored(db) == []
    assert cli("value", "import", good_csv, "--db", db)[0] == 0
    code, out, _ = cli(
        "value", "import", good_csv, "--dry-run", "--on-conflict", "skip", "--db", db
    )
    assert (code, summary(out)["skipped"]) == (0, 3)
    code, _, err = cli("value", "import", good_csv, "--dry-run", "--db", db)
    assert code == 1
    assert ":2: row: already_exists: a value for this entity" in err


def test_reimport_with_skip_or_update_converges(
    cli: Runner, db: str, good_csv: str, tmp_path: Path
) -> None:
    assert cli("value", "import", good_csv, "--db", db)[0] == 0
    code, _, err = cli("value", "import", good_csv, "--db", db)
    assert code == 1
    assert f"{good_csv}:2: row: already_exists: " in err
    _, out, _ = cli("value", "import", good_csv, "--on-conflict", "skip", "--db", db)
    assert summary(out) | {"skipped": 3, "inserted": 0} == summary(out)
    changed = Path(good_csv).read_text().replace("41.25", "42.75")
    changed_path = write(tmp_path / "changed.csv", *changed.splitlines())
    _, out, _ = cli("value", "import", changed_path, "--on-conflict", "update", "--db", db)
    assert (summary(out)["updated"], summary(out)["unchanged"]) == (1, 2)
    _, out, _ = cli("value", "import", changed_path, "--on-conflict", "update", "--db", db)
    assert (summary(out)["updated"], summary(out)["unchanged"]) == (0, 3)
    assert ("dso", "2026-03-15", "day", 42.75) in stored(db)


def test_register_entities_registers_unknown_ones(cli: Runner, db: str, tmp_path: Path) -> None:
    seed(db, entities=False)
    path = write(tmp_path / "new.csv", HEADER, csv_line("dso", "2026-03-01", "1"))
    code, _, err = cli("value", "import", path, "--db", db)
    assert code == 1
    assert "entity_uid: not_found" in err
    assert cli("value", "import", path, "--register-entities", "--db", db)[0] == 0
    assert MetricRegistry(db).get_entity("ORGANIZATION", ACME).name is None


@pytest.mark.parametrize(
    ("name", "options", "code"),
    [
        ("values.txt", [], 2),
        ("values.txt", ["--format", "jsonl"], 0),
        ("values.csv", ["--format", "jsonl"], 0),
    ],
)
def test_the_format_comes_from_the_extension_or_format(
    cli: Runner, db: str, tmp_path: Path, name: str, options: list[str], code: int
) -> None:
    seed(db)
    path = write(tmp_path / name, json_line(metric_uid="dso", metric_date="2026-03-01", value=1))
    result = cli("value", "import", path, *options, "--db", db)
    assert result[0] == code
    if code == 2:
        assert "cannot tell the format" in result[2]


def test_a_missing_file_exits_1(cli: Runner, db: str, tmp_path: Path) -> None:
    code, out, err = cli("value", "import", str(tmp_path / "none.csv"), "--db", db)
    assert (code, out) == (1, "")
    assert err.startswith("error: cannot read ")


def import_stdin(db: str, text: str) -> subprocess.CompletedProcess[str]:
    command = ["value", "import", "-", "--format", "csv", "--db", db]
    return subprocess.run(
        [sys.executable, "-m", "metric_registry", *command],
        input=text,
        capture_output=True,
        text=True,
        env=process_environment(),
        check=False,
        timeout=60,
    )


def test_stdin_is_read_with_dash(db: str) -> None:
    seed(db)
    rows = [HEADER, csv_line("dso", "2026-03-01", "1"), csv_line("dso", "2026-03-02", "x")]
    result = import_stdin(db, "\n".join(rows) + "\n")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "<stdin>:3: value: invalid_type: must be a number, got a string"
    )
    result = import_stdin(db, "\n".join(rows[:2]) + "\n")
    assert (result.returncode, summary(result.stdout)["inserted"]) == (0, 1)


def many_rows(tmp_path: Path, count: int) -> str:
    days = (date(2000, 1, 1) + timedelta(days=number) for number in range(count))
    lines = [csv_line("dso", day.isoformat(), str(number)) for number, day in enumerate(days)]
    return write(tmp_path / "many.csv", HEADER, *lines)


def test_no_progress_bar_when_stderr_is_not_a_terminal(db: str, tmp_path: Path) -> None:
    seed(db)
    result = run_process("value", "import", many_rows(tmp_path, 2500), "--db", db)
    assert (result.returncode, result.stderr) == (0, "")
    assert summary(result.stdout)["inserted"] == 2500


def test_a_progress_bar_shows_on_a_terminal(db: str, tmp_path: Path) -> None:
    seed(db)
    path = many_rows(tmp_path, 2500)
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "metric_registry", "value", "import", path, "--db", db],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=process_environment(TERM="xterm-256color", COLUMNS="120"),
    ) as process:
        os.close(terminal)
        drawn = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        out, _ = process.communicate(timeout=60)
    os.close(controller)
    assert process.returncode == 0
    assert summary(out.decode())["inserted"] == 2500
    assert b"2,500 rows" in drawn
    assert b"rows/s" in drawn
    assert b"Traceback" not in drawn


def test_the_progress_bar_code_runs_and_is_skipped_without_rich(
    cli: Runner, db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(db)
    path = many_rows(tmp_path, 1500)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, _, err = cli("value", "import", path, "--db", db)
    assert code == 0
    assert "1,500 rows" in err
    monkeypatch.setitem(sys.modules, "metric_registry.cli._rich_progress", None)
    code, out, err = cli("value", "import", path, "--on-conflict", "skip", "--db", db)
    assert (code, err, summary(out)["skipped"]) == (0, "", 1500)


def test_the_cli_does_not_import_rich_until_a_bar_is_drawn() -> None:
    code = "import sys, metric_registry.cli; print('rich' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env=process_environment(),
    )  # fmt: skip
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("lines", "positions"),
    [
        ([2, 3, 4, 5], {0: 2, 3: 5}),
        ([2, 4, 5, 9, 10], {0: 2, 1: 4, 2: 5, 3: 9, 4: 10}),
    ],
    ids=["regular", "gaps"],
)
def test_row_lines_finds_the_line_of_a_position(
    lines: list[int], positions: dict[int, int]
) -> None:
    book = RowLines()
    for line in lines:
        book.add(line)
    assert {position: book.line_of(position) for position in positions} == positions
    assert book.rows == len(lines)
