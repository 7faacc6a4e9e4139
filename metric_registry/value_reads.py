"""Reading values (SPEC §9.5): one entity's values, one metric's values across entities.

Both reads walk the values of one "fixed" row (the entity, or the metric) group by group (its
metrics, or the metric's entities): the groups are found with a skip scan of the index (a
recursive query that seeks the next group id, one index probe each) or given by the caller,
and each group is then a range seek, or one probe for its newest value. The cost follows the
groups and the rows returned, never the length of the history.

``list_values_by_metric`` reads one entity's values of several given metrics, a page per
metric, in two statements whatever their number: one counts each group's values, the other
numbers each group's rows by a window function and keeps the page's. A face showing a page of
metrics with their values thus costs a bounded number of reads.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from ._sql import statement_from_text
from ._store import Store
from ._validation import parse
from ._value_rows import SELECTED, ValueDecoder
from .entities import EntityBook
from .errors import NotFoundError, ValidationError, shown
from .metrics import MetricBook
from .models import Page, storable
from .models.entities import canonical_uuid
from .models.values import MetricValue, MetricValueListing, ValueListing

DEFAULT_DAYS: Final = 90
LATEST_DATE: Final = date(9999, 12, 31)
_SORT_COLUMNS: Final = {
    "metric_date": ("v.metric_date",),
    "value": ("COALESCE(v.value_cents, v.value_raw)",),
    "created_at": ("v.created_at",),
}
_POSTGRES_SORT_COLUMNS: Final = {
    **_SORT_COLUMNS,
    # COALESCE(bigint, double) is a double there, which ties cents beyond 2**53; a numeric
    # keeps them exact, and the double breaks the ties of doubles cast to 15 digits.
    "value": (
        "COALESCE(CAST(v.value_cents AS NUMERIC), CAST(v.value_raw AS NUMERIC))",
        "COALESCE(v.value_raw, CAST(v.value_cents AS DOUBLE PRECISION))",
    ),
}


class _Shape:
    """The SQL of one read shape, compiled on first use."""

    def __init__(
        self,
        fixed: str,
        group: str,
        tie: str,
        *,
        given: bool,
        latest: bool,
        sort: str,
        postgres: bool,
    ) -> None:
        mark = "%s" if postgres else "?"
        if given:
            source = (
                "SELECT unnest(CAST(:group_ids AS BIGINT[]))"
                if postgres
                else "SELECT value FROM json_each(:group_ids)"
            )
        else:
            source = (
                f"SELECT (SELECT MIN({group}) FROM metric_value "
                f"WHERE {fixed} = :fixed AND time_unit = :time_unit) "
                f"UNION ALL SELECT (SELECT MIN(x.{group}) FROM metric_value x "
                f"WHERE x.{fixed} = :fixed AND x.time_unit = :time_unit "
                f"AND x.{group} > g.group_id) "
                "FROM groups g WHERE g.group_id IS NOT NULL"
            )
        if latest:
            match = (
                "v.id = (SELECT w.id FROM metric_value w WHERE "
                f"w.{fixed} = :fixed AND w.time_unit = :time_unit AND w.{group} = g.group_id "
                "AND w.metric_date <= :end_date ORDER BY w.metric_date DESC LIMIT 1)"
            )
        else:
            match = (
                f"v.{fixed} = :fixed AND v.time_unit = :time_unit AND v.{group} = g.group_id "
                "AND v.metric_date >= :start_date AND v.metric_date <= :end_date"
            )
        # CROSS JOIN keeps the groups the outer loop on SQLite: without statistics its
        # planner would otherwise walk the fixed row's whole history and probe the given
        # groups for each value. PostgreSQL plans a CROSS JOIN with a WHERE as any join.
        body = (
            f"WITH RECURSIVE groups(group_id) AS ({source}) {{select}} FROM groups g "
            "CROSS JOIN metric_value v "
            "JOIN metric m ON m.id = v.metric_id JOIN entity e ON e.id = v.entity_id "
            f"WHERE {match}"
        )
        field, descending = sort[1:], sort[0] == "-"
        direction = "DESC" if descending else "ASC"
        keys = (_POSTGRES_SORT_COLUMNS if postgres else _SORT_COLUMNS)[field]
        order = ", ".join(
            [*(f"{key} {direction}" for key in keys), f"{tie} ASC", "v.metric_date DESC"]
        )
        columns = ", ".join(SELECTED)
        self.page = statement_from_text(
            body.format(select=f"SELECT {columns}")
            + f" ORDER BY {order} LIMIT :limit OFFSET :offset",
            mark,
            "metric_value",
        )
        self.count = statement_from_text(
            body.format(select="SELECT COUNT(*)"), mark, "metric_value"
        )
        # A page per group: each group's rows numbered in the sort's order, the page's kept.
        aliased = ", ".join(f"{name} AS c{index}" for index, name in enumerate(SELECTED))
        numbered = f"ROW_NUMBER() OVER (PARTITION BY g.group_id ORDER BY {order}) AS place"
        kept = ", ".join(f"c{index}" for index in range(len(SELECTED)))
        self.group_page = statement_from_text(
            f"SELECT {kept} FROM ("
            + body.format(select=f"SELECT g.group_id AS group_id, {aliased}, {numbered}")
            + ") numbered WHERE place > :offset AND place <= :stop ORDER BY group_id, place",
            mark,
            "metric_value",
        )
        self.group_count = statement_from_text(
            body.format(select="SELECT g.group_id, COUNT(*)") + " GROUP BY g.group_id",
            mark,
            "metric_value",
        )


class ValueReader:
    def __init__(
        self,
        store: Store,
        metrics: MetricBook,
        entities: EntityBook,
        decoder: ValueDecoder,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._metrics = metrics
        self._entities = entities
        self._decoder = decoder
        self._clock = clock
        self._postgres = store.dialect.name == "postgresql"
        self._shapes: dict[tuple[str, bool, bool, str], _Shape] = {}
        self._metric_ids = statement_from_text(
            "SELECT uid, id FROM metric WHERE uid = ANY(CAST(:uids AS TEXT[]))"
            if self._postgres
            else "SELECT uid, id FROM metric WHERE uid IN (SELECT value FROM json_each(:uids))",
            "%s" if self._postgres else "?",
            "metric",
        )

    def _shape(self, fixed: str, given: bool, latest: bool, sort: str) -> _Shape:
        key = (fixed, given, latest, sort)
        shape = self._shapes.get(key)
        if shape is None:
            group, tie = ("metric_id", "m.uid") if fixed == "entity_id" else ("entity_id", "e.uid")
            shape = self._shapes[key] = _Shape(
                fixed, group, tie, given=given, latest=latest, sort=sort, postgres=self._postgres
            )
        return shape

    def list_values(self, query: Mapping[str, Any]) -> Page[MetricValue]:
        listing = parse(ValueListing, _given(query))
        row = self._entities.lookup(listing.context_type.value, listing.entity_uid)
        group_ids = None
        if listing.metric_uids is not None:
            group_ids = _once([self._metric_id(uid) for uid in listing.metric_uids])
        return self._read("entity_id", int(row[-1]), group_ids, listing)

    def list_metric_values(self, query: Mapping[str, Any]) -> Page[MetricValue]:
        listing = parse(MetricValueListing, _given(query))
        found = self._metrics.lookup(listing.metric_uid)
        if found is None:
            raise NotFoundError("metric", listing.metric_uid)
        metric_id, metric = found
        group_ids = None
        if listing.entity_uids is not None:
            group_ids = []
            for uid in listing.entity_uids:
                canonical = canonical_uuid(uid)
                entity_id = canonical and self._entities.id_of(metric.context_type.value, canonical)
                if not entity_id:
                    message = f"no {metric.context_type.value} entity has uid {shown(uid)}"
                    raise ValidationError.single("entity_uids", "not_found", message)
                group_ids.append(entity_id)
            group_ids = _once(group_ids)
        return self._read("metric_id", metric_id, group_ids, listing)

    def list_values_by_metric(self, query: Mapping[str, Any]) -> dict[str, Page[MetricValue]]:
        """A page of one entity's values for each given metric (in the order given, each
        named once): the entity, the metrics, then one count and one page for them all."""
        listing = parse(ValueListing, _given(query))
        if listing.metric_uids is None:
            raise ValidationError.single("metric_uids", "required", "is required")
        row = self._entities.lookup(listing.context_type.value, listing.entity_uid)
        uids = list(dict.fromkeys(listing.metric_uids))
        ids = self._metric_ids_of(uids)
        missing = [uid for uid in uids if uid not in ids]
        if missing:
            raise ValidationError.single(
                "metric_uids", "not_found", f"no metric has uid {shown(missing[0])}"
            )
        shape = self._shape("entity_id", True, listing.latest, listing.sort)
        values = self._parameters(int(row[-1]), [ids[uid] for uid in uids], listing)
        values["stop"] = listing.page * listing.per_page
        with self._store.snapshot():
            counts = dict(
                self._store.fetch_all(shape.group_count.sql, shape.group_count.params(values))
            )
            rows = self._store.fetch_all(shape.group_page.sql, shape.group_page.params(values))
        decode, with_metadata = self._decoder.decode, listing.include_metadata
        found: dict[str, list[MetricValue]] = {uid: [] for uid in uids}
        for value_row in rows:
            found[value_row[1]].append(decode(value_row, with_metadata))
        return {
            uid: Page[MetricValue].model_construct(
                items=tuple(items),
                page=listing.page,
                per_page=listing.per_page,
                total_pages=math.ceil(counts.get(ids[uid], 0) / listing.per_page),
                total_items=counts.get(ids[uid], 0),
            )
            for uid, items in found.items()
        }

    def _metric_ids_of(self, uids: list[str]) -> dict[str, int]:
        """The row ids of the metrics stored under ``uids``, in one statement."""
        sendable = [uid for uid in uids if storable(uid)]  # no NUL, no lone surrogate
        given = sendable if self._postgres else json.dumps(sendable)
        rows = self._store.fetch_all(self._metric_ids.sql, (given,))
        return {uid: int(metric_id) for uid, metric_id in rows}

    def _metric_id(self, uid: str) -> int:
        found = self._metrics.lookup(uid)
        if found is None:
            raise ValidationError.single(
                "metric_uids", "not_found", f"no metric has uid {shown(uid)}"
            )
        return found[0]

    def _read(
        self,
        fixed: str,
        fixed_id: int,
        group_ids: list[int] | None,
        listing: ValueListing | MetricValueListing,
    ) -> Page[MetricValue]:
        shape = self._shape(fixed, group_ids is not None, listing.latest, listing.sort)
        values = self._parameters(fixed_id, group_ids, listing)
        with self._store.snapshot():
            total: int = self._store.fetch_one(shape.count.sql, shape.count.params(values))[0]
            rows = self._store.fetch_all(shape.page.sql, shape.page.params(values))
        decode = self._decoder.decode
        return Page[MetricValue].model_construct(
            items=tuple(decode(row, listing.include_metadata) for row in rows),
            page=listing.page,
            per_page=listing.per_page,
            total_pages=math.ceil(total / listing.per_page),
            total_items=total,
        )

    def _parameters(
        self,
        fixed_id: int,
        group_ids: list[int] | None,
        listing: ValueListing | MetricValueListing,
    ) -> dict[str, object]:
        """The values of a read's slots: the dates it covers, its groups, its page."""
        today = self._clock().astimezone(UTC).date()
        if listing.latest:
            start, end = date.min, listing.as_of or LATEST_DATE
        else:
            end = listing.end_date or today
            start = listing.start_date or (end - timedelta(days=DEFAULT_DAYS - 1))
            if start > end:
                message = f"must not be after end_date ({end.isoformat()})"
                raise ValidationError.single("start_date", "out_of_range", message)
        stored_date = self._decoder.stored_date
        values: dict[str, object] = {
            "fixed": fixed_id,
            "time_unit": listing.time_unit.value,
            "start_date": stored_date(start),
            "end_date": stored_date(end),
            "group_ids": _group_list(group_ids, self._postgres),
            "limit": listing.per_page,
            "offset": (listing.page - 1) * listing.per_page,
        }
        return values


def _given(query: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in query.items() if value is not None}


def _once(ids: list[int]) -> list[int]:
    """``ids`` without repeats (a metric or entity named twice is read once), in order."""
    return list(dict.fromkeys(ids))


def _group_list(group_ids: list[int] | None, postgres: bool) -> object:
    if group_ids is None:
        return None
    return group_ids if postgres else json.dumps(group_ids)
