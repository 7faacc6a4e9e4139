"""Functions run in spawned processes; this module imports only the library under test."""

from __future__ import annotations

from typing import Any

from metric_registry import ConflictError, MetricRegistry


def create_all(database: str, uids: list[str], barrier: Any, results: Any) -> None:
    """Open a registry, wait for the others, try to create every uid; report the outcomes."""
    created: list[str] = []
    conflicts = 0
    others: list[str] = []
    try:
        barrier.wait(timeout=60)
        with MetricRegistry(database) as registry:
            for uid in uids:
                try:
                    registry.create_metric(uid=uid, name=f"Metric {uid}")
                except ConflictError as exc:
                    if exc.code != "already_exists":
                        others.append(f"ConflictError code {exc.code!r}")
                    conflicts += 1
                except Exception as exc:
                    others.append(f"{type(exc).__name__}: {exc}")
                else:
                    created.append(uid)
    except Exception as exc:
        others.append(f"{type(exc).__name__}: {exc}")
    results.put((created, conflicts, others))
