"""``Metric.values`` and ``Metric.latestValue``: a page of metrics in one core read, not N.

graphql-core resolves a list depth first, so the first metric's field runs before the second
metric is even looked at: batching by collecting keys would see one metric at a time. Instead
each ``Metric`` made for a page knows its page's uids (``page_uids``). The first of these
fields to run in a request reads every metric of its page at once with
``MetricRegistry.list_values_by_metric``, and keeps the pages in the request's context under
the field's arguments; the page's other metrics find theirs there. A page of metrics with both
fields thus costs a constant number of statements, whatever its size; a single ``Metric``
(``metric(uid)``, a mutation's) reads its own.

When the read must wait for SQLite's lock it runs in the threadpool (``on_core``): the task
is kept instead, and each field awaits its share of it.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Hashable
from datetime import date
from typing import Any, Final, Protocol, TypeVar

import strawberry
from graphql import GraphQLError

import metric_registry as core
from metric_registry import ContextType, TimeUnit
from metric_registry.models.values import ValueListing

from ..edge.core_calls import call_core_or_defer
from .resolving import argument_names, bad_arguments
from .value_types import (
    SERIES_FILTERS,
    MetricValue,
    MetricValueOrder,
    MetricValuePage,
    SeriesFilter,
    filter_query,
    sort_of,
)

BATCHES: Final = "metric value batches"
"""The key of the request context's batches: ``{(page uids, arguments): result}``."""
SERIES_ARGUMENTS: Final = argument_names(ValueListing.model_fields, SERIES_FILTERS)
LATEST_ARGUMENTS: Final = {**SERIES_ARGUMENTS, "as_of": "asOf", "time_unit": "timeUnit"}
T = TypeVar("T")

Pages = dict[str, core.Page[core.MetricValue]]


class PagedMetric(Protocol):
    """What these resolvers read of their ``Metric``."""

    uid: str
    page_uids: tuple[str, ...]


def metric_values(
    root: PagedMetric,
    info: strawberry.Info,
    *,
    context_type: ContextType,
    entity_uid: uuid.UUID,
    filter: SeriesFilter | None = None,
    order_by: MetricValueOrder | None = None,
    page: int = 1,
    per_page: int = 25,
) -> MetricValuePage:
    query = filter_query(filter, SERIES_FILTERS)
    query.update(context_type=context_type, entity_uid=str(entity_uid))
    query.update(sort=sort_of(order_by), page=page, per_page=per_page)
    return _per_metric(info, root, query, SERIES_ARGUMENTS, MetricValuePage.from_core)


def latest_value(
    root: PagedMetric,
    info: strawberry.Info,
    *,
    context_type: ContextType,
    entity_uid: uuid.UUID,
    as_of: date | None = None,
    time_unit: TimeUnit = TimeUnit.DAY,
) -> MetricValue | None:
    query = {
        "context_type": context_type,
        "entity_uid": str(entity_uid),
        "latest": True,
        "as_of": as_of,
        "time_unit": time_unit,
        "per_page": 1,
    }
    return _per_metric(info, root, query, LATEST_ARGUMENTS, _newest)


def _newest(page: core.Page[core.MetricValue]) -> MetricValue | None:
    return MetricValue.from_core(page.items[0]) if page.items else None


def _per_metric(
    info: strawberry.Info,
    root: PagedMetric,
    query: dict[str, Any],
    arguments: dict[str, str],
    shown: Callable[[core.Page[core.MetricValue]], T],
) -> T:
    """``shown(page)`` of this metric's page, read with its whole page of metrics."""
    uids = root.page_uids or (root.uid,)
    batches: dict[Hashable, Any] = info.context.setdefault(BATCHES, {})
    key = (uids, tuple(sorted(query.items())))
    if key not in batches:
        batches[key] = _read(info, uids, query, arguments)
    found = batches[key]
    if isinstance(found, GraphQLError):
        raise found
    if isinstance(found, asyncio.Future):
        return _later(found, root.uid, shown)  # type: ignore[return-value]
    return shown(found[root.uid])


def _read(
    info: strawberry.Info, uids: tuple[str, ...], query: dict[str, Any], arguments: dict[str, str]
) -> Pages | GraphQLError | asyncio.Future[Pages]:
    """The pages of ``uids``; a bad argument as its error; a task when the read waits."""

    def read(registry: core.MetricRegistry) -> Pages:
        try:
            return registry.list_values_by_metric(metric_uids=uids, **query)
        except (core.ValidationError, core.NotFoundError) as error:
            raise bad_arguments(error, arguments, not_found="entityUid") from error

    registry: core.MetricRegistry = info.context["registry"]
    try:
        result = call_core_or_defer(registry, read, registry)
    except GraphQLError as error:
        return error
    if isinstance(result, Awaitable):
        return asyncio.ensure_future(result)
    return result


async def _later(
    task: asyncio.Future[Pages], uid: str, shown: Callable[[core.Page[core.MetricValue]], T]
) -> T:
    return shown((await task)[uid])
