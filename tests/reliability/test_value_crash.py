"""SIGKILL during a 200,000-row ``record_values`` on a SQLite file (WAL) leaves all of the
batch or none of it, and a re-run with ``on_conflict="skip"`` converges to exactly the batch.

Each round starts a child process that records the batch (registering its 20 entities on
the way) and reports its progress every 20,000 rows read from its generator; the parent
kills it with SIGKILL at a random point: after a random number of progress reports plus a
random delay (the last point is after the generator ran out: the final chunk or the commit).
After every kill the file passes ``PRAGMA integrity_check``, holds 0 or 200,000 values (and 0
or 20 entities, as the batch registered them), and opens in a registry. Once a round has
stored the batch, the next rounds re-run it with ``skip`` and must leave it whole. A last,
unkilled, ``skip`` run stores exactly the 200,000 values and counts every row.
"""

from __future__ import annotations

import json
import os
import random
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from metric_registry import MetricRegistry

from .conftest import integrity

ROWS = 200_000
ENTITIES = 20
REPORT_EVERY = 20_000
ROUNDS = 6  # killed while rows are read, then after the last row, then once more
DEADLINE_SECONDS = 55.0
ROOT = Path(__file__).resolve().parents[2]

CHILD = f"""
import json, sys
from datetime import date, timedelta
from metric_registry import MetricRegistry

path, on_conflict = sys.argv[1], sys.argv[2]
first = date(1990, 1, 1)
entities = [f"{{number:08x}}-0000-4000-8000-000000000000" for number in range({ENTITIES})]


def rows():
    for number in range({ROWS}):
        if number % {REPORT_EVERY} == 0:
            print("read", number, flush=True)
        yield {{
            "context_type": "ORGANIZATION",
            "entity_uid": entities[number % {ENTITIES}],
            "metric_uid": "total_ar",
            "metric_date": (first + timedelta(days=number // {ENTITIES})).isoformat(),
            "value": number,
        }}
    print("read", {ROWS}, flush=True)


with MetricRegistry(path) as registry:
    print("ready", flush=True)
    summary = registry.record_values(rows(), on_conflict=on_conflict, register_entities=True)
    print("done", json.dumps(summary.model_dump()), flush=True)
"""


def start(path: str, on_conflict: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, path, on_conflict],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def lines(child: subprocess.Popen[str], deadline: float) -> Any:
    """The child's output lines as they come (until it closes stdout or the deadline)."""
    assert child.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            line = child.stdout.readline()
            if not line:
                return
            yield line.split()
    raise AssertionError("the child took too long")


def finish(child: subprocess.Popen[str]) -> str:
    """Wait for the child; close its pipes; its stderr."""
    child.wait(timeout=30)
    assert child.stdout is not None
    assert child.stderr is not None
    child.stdout.close()
    errors = child.stderr.read()
    child.stderr.close()
    return errors


def stored_counts(path: str) -> tuple[int, int]:
    with closing(sqlite3.connect(path, timeout=30)) as connection:
        values = connection.execute("SELECT COUNT(*) FROM metric_value").fetchone()[0]
        entities = connection.execute("SELECT COUNT(*) FROM entity").fetchone()[0]
    return values, entities


def test_sigkill_during_a_batch_leaves_all_or_nothing(
    sqlite_path: str, figures: dict[str, object]
) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    with MetricRegistry(sqlite_path) as registry:
        registry.create_metric(uid="total_ar", name="Total AR", storage_unit="cents")
    chooser = random.Random()
    seed = chooser.randrange(2**32)
    chooser.seed(seed)
    outcomes: list[str] = []
    killed_at: list[str] = []
    last = ROWS // REPORT_EVERY + 1  # the report after the last row: the final chunk, commit
    points = [*chooser.sample(range(1, last), ROUNDS - 2), last, chooser.randrange(1, last)]
    for reports in points:
        before, _ = stored_counts(sqlite_path)
        on_conflict = "error" if before == 0 else "skip"
        delay = chooser.uniform(0.0, 0.05)
        child = start(sqlite_path, on_conflict)
        seen = 0
        for words in lines(child, deadline):
            if words[0] == "read":
                seen += 1
                if seen == reports:
                    time.sleep(delay)
                    child.send_signal(signal.SIGKILL)
                    break
            elif words[0] == "done":
                break
        errors = finish(child)
        assert child.returncode in (0, -signal.SIGKILL), errors
        killed = child.returncode == -signal.SIGKILL
        killed_at.append(f"{(reports - 1) * REPORT_EVERY}+{delay * 1000:.0f}ms" if killed else "-")
        assert integrity(sqlite_path) == [("ok",)]
        values, entities = stored_counts(sqlite_path)
        assert (values, entities) in ((0, 0), (ROWS, ENTITIES)), (values, entities)
        if before == ROWS:
            assert values == ROWS  # a killed skip run takes nothing away
        outcomes.append(f"{on_conflict}:{'killed' if killed else 'finished'}:{values}")
        with MetricRegistry(sqlite_path) as registry:  # opens, and reads, after the crash
            assert registry.list_entities("ORGANIZATION").total_items == entities
    before, _ = stored_counts(sqlite_path)
    child = start(sqlite_path, "skip")
    done = [words for words in lines(child, deadline) if words[0] == "done"]
    errors = finish(child)
    assert child.returncode == 0, errors
    summary = json.loads(" ".join(done[0][1:]))
    assert summary == {
        "inserted": ROWS - before,
        "updated": 0,
        "unchanged": 0,
        "skipped": before,
    }
    assert stored_counts(sqlite_path) == (ROWS, ENTITIES)
    assert integrity(sqlite_path) == [("ok",)]
    with MetricRegistry(sqlite_path) as registry:
        newest = registry.list_metric_values("total_ar", per_page=100)
        assert newest.total_items == ENTITIES
        assert sorted(value.value for value in newest.items) == list(range(ROWS - ENTITIES, ROWS))
    figures.update(
        seed=seed,
        rounds=ROUNDS,
        rows=ROWS,
        kills=sum(point != "-" for point in killed_at),
        killed_after_rows=killed_at,
        outcomes=outcomes,
        final_inserted=summary["inserted"],
        final_skipped=summary["skipped"],
        seconds=round(DEADLINE_SECONDS - (deadline - time.monotonic()), 1),
    )
