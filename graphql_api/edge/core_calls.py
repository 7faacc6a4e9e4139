"""The one way the faces call the core: on the event loop first, in a thread when it must wait.

Handlers and resolvers run on the event loop, where a core call (tens of microseconds) costs
less than a hop to a thread. But a SQLite write waits for the database's write lock, and
another process may hold it for seconds (a long import, a backup): waiting on the loop would
stall every other request of the worker, ``/healthz`` included. So each call first runs
inside ``registry.no_wait()``, where a lock held elsewhere raises ``DatabaseBusyError`` at once
with nothing written; the same call then runs again in Starlette's threadpool, where it may
wait the busy timeout while the loop serves the rest.

On PostgreSQL ``no_wait()`` has no effect: its writes take row locks, held for the length of
one short transaction, so the call always completes on the loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from metric_registry import DatabaseBusyError, MetricRegistry

P = ParamSpec("P")
T = TypeVar("T")


async def call_core(
    registry: MetricRegistry, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T:
    """``function(*args, **kwargs)``, on the loop unless it would wait for a lock."""
    try:
        with registry.no_wait():
            return function(*args, **kwargs)
    except DatabaseBusyError:
        return await run_in_threadpool(function, *args, **kwargs)


def call_core_or_defer(
    registry: MetricRegistry, function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
) -> T | Awaitable[T]:
    """For a sync GraphQL resolver: the result now, or (when the call would wait for a lock)
    an awaitable of it from the threadpool, which graphql-core awaits for that field alone.

    Mutation fields run one after another, so a multi-field mutation keeps its order.
    """
    try:
        with registry.no_wait():
            return function(*args, **kwargs)
    except DatabaseBusyError:
        return run_in_threadpool(function, *args, **kwargs)
