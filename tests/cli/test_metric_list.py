"""``metric list``: one page by default, every page with ``--all``, as JSON or JSON lines."""

from __future__ import annotations

import json

import pytest

from metric_registry import MetricRegistry

from ._support import Runner

COUNT = 230


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> str:
    """230 metrics, every tenth inactive: more than two pages of 100."""
    path = str(tmp_path_factory.mktemp("listing") / "catalog.db")
    with MetricRegistry(path) as registry:
        for number in range(COUNT):
            registry.create_metric(
                uid=f"m_{number:03}", name=f"Metric {number}", is_active=number % 10 != 0
            )
    return path


def uids(start: int, stop: int, step: int = 1) -> list[str]:
    return [f"m_{number:03}" for number in range(start, stop, step)]


def test_all_prints_one_array_of_every_metric(cli: Runner, catalog: str) -> None:
    code, out, err = cli("metric", "list", "--all", "--db", catalog)
    assert (code, err) == (0, "")
    metrics = json.loads(out)
    assert [metric["uid"] for metric in metrics] == uids(0, COUNT)
    assert out == json.dumps(metrics, indent=2, ensure_ascii=False) + "\n"
    assert metrics[1]["name"] == "Metric 1"


def test_all_as_json_lines_prints_one_metric_a_line(cli: Runner, catalog: str) -> None:
    code, out, _ = cli("metric", "list", "--all", "--format", "jsonl", "--db", catalog)
    assert code == 0
    lines = out.splitlines()
    assert [json.loads(line)["uid"] for line in lines] == uids(0, COUNT)


def test_all_keeps_the_filters_and_the_sort(cli: Runner, catalog: str) -> None:
    code, out, _ = cli("metric", "list", "--all", "--inactive", "--sort=-uid", "--db", catalog)
    assert code == 0
    assert [metric["uid"] for metric in json.loads(out)] == uids(0, COUNT, 10)[::-1]


def test_json_lines_without_all_print_one_page(cli: Runner, catalog: str) -> None:
    argv = ["metric", "list", "--format", "jsonl", "--page", "2", "--per-page", "10"]
    code, out, _ = cli(*argv, "--db", catalog)
    assert code == 0
    assert [json.loads(line)["uid"] for line in out.splitlines()] == uids(10, 20)


def test_the_default_is_still_one_page_object(cli: Runner, catalog: str) -> None:
    code, out, _ = cli("metric", "list", "--db", catalog)
    page = json.loads(out)
    assert code == 0
    assert (page["page"], page["per_page"], page["total_items"]) == (1, 25, COUNT)
    assert [metric["uid"] for metric in page["items"]] == uids(0, 25)


@pytest.mark.parametrize("output", ["json", "jsonl"])
def test_all_on_an_empty_catalog(cli: Runner, db: str, output: str) -> None:
    code, out, _ = cli("metric", "list", "--all", "--format", output, "--db", db)
    assert code == 0
    assert out == ("[]\n" if output == "json" else "")


def test_all_and_page_exclude_each_other(cli: Runner, catalog: str) -> None:
    code, out, err = cli("metric", "list", "--all", "--page", "2", "--db", catalog)
    assert (code, out) == (2, "")
    assert "--page: not allowed with argument --all" in err


def test_a_bad_format_is_bad_usage(cli: Runner, catalog: str) -> None:
    code, _, err = cli("metric", "list", "--format", "csv", "--db", catalog)
    assert code == 2
    assert "invalid choice: 'csv'" in err
