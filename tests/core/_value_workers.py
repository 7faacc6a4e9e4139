"""Functions run in spawned processes to race for value keys; this module imports only the
library under test."""

from __future__ import annotations

import os
from typing import Any

from metric_registry import ConflictError, MetricRegistry


def record_each(database: str, entity: str, days: list[str], barrier: Any, results: Any) -> None:
    """Try to record total_ar of ``entity`` on each day (the value is this process's id);
    report the days won, the conflicts, and anything else raised."""
    won: list[str] = []
    conflicts = 0
    others: list[str] = []
    try:
        with MetricRegistry(database) as registry:
            barrier.wait(timeout=60)
            for day in days:
                try:
                    registry.record_value(
                        "ORGANIZATION", entity, metric_uid="total_ar", metric_date=day,
                        value=os.getpid(),
                    )  # fmt: skip
                except ConflictError as exc:
                    if exc.code != "already_exists":
                        others.append(f"ConflictError code {exc.code!r}")
                    conflicts += 1
                except Exception as exc:
                    others.append(f"{type(exc).__name__}: {exc}")
                else:
                    won.append(day)
    except Exception as exc:
        others.append(f"{type(exc).__name__}: {exc}")
    results.put((os.getpid(), won, conflicts, others))


def record_batches(
    database: str, rounds: list[tuple[list[dict[str, Any]], str]], barrier: Any, results: Any
) -> None:
    """Record each round's rows in one batch, all processes starting each round together;
    report each round's summary, or the error raised."""
    outcomes: list[tuple[str, Any]] = []
    try:
        with MetricRegistry(database) as registry:
            for rows, on_conflict in rounds:
                barrier.wait(timeout=60)
                try:
                    summary = registry.record_values(rows, on_conflict=on_conflict)
                except ConflictError as exc:
                    outcomes.append(("conflict", exc.code))
                except Exception as exc:
                    outcomes.append(("other", f"{type(exc).__name__}: {exc}"))
                else:
                    outcomes.append(("summary", summary.model_dump()))
    except Exception as exc:
        outcomes.append(("other", f"{type(exc).__name__}: {exc}"))
    results.put(outcomes)


def register_all(database: str, rows: list[dict[str, Any]], barrier: Any, results: Any) -> None:
    """Register ``rows`` as one batch of entities; report how many, or the error raised."""
    try:
        with MetricRegistry(database) as registry:
            barrier.wait(timeout=60)
            results.put(("registered", len(registry.register_entities(rows))))
    except Exception as exc:
        results.put(("other", f"{type(exc).__name__}: {exc}"))
