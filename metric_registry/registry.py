"""``MetricRegistry``: the one façade, a table of contents delegating to one book per kind of
record (metrics, tokens; entities, values and history next)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime
from enum import Enum
from types import TracebackType
from typing import Any, Final, Self

from ._database import open_database
from ._migrations import migrate
from ._store import Store
from ._tables import define_tables
from ._urls import display_url, scrub, secrets_of
from ._validation import merge_input
from .entities import EntityBook
from .errors import DatabaseOpenError, MetricRegistryError
from .metrics import MetricBook
from .models import (
    DEFAULT_PER_PAGE,
    ContextType,
    Entity,
    IssuedToken,
    Metric,
    MetricListing,
    MetricValue,
    Page,
    RecordSummary,
    TimeUnit,
    Token,
    TokenScope,
    ValueType,
)
from .tokens import TokenBook
from .value_reads import ValueReader
from .values import ValueBook

DEFAULT_DATABASE: Final = "metrics.db"


class Unset(Enum):
    """The type of ``UNSET``: a keyword the caller did not give."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET
_LISTING_KEYWORDS: Final = frozenset(MetricListing.model_fields)


def utc_now() -> datetime:
    return datetime.now(UTC)


class MetricRegistry:
    """A catalog of metric definitions stored in SQLite (a path) or PostgreSQL (a URL).

    Opening creates or migrates the schema. The object may be shared between threads.
    ``clock`` gives "now" as an aware datetime (tests set it; the default is UTC now).
    """

    def __init__(
        self, database: str = DEFAULT_DATABASE, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        engine = open_database(database)
        self._store = Store(engine)
        self.database = database
        self.in_memory = engine.in_memory
        tables = define_tables(engine.database)
        try:
            self.schema_version = migrate(self._store)
            self._store.refresh_statistics("metric", "metric_uid")
        except MetricRegistryError:
            self._store.close()
            raise
        except Exception as exc:  # the driver's refusal: shown without any secret
            self._store.close()
            reason = scrub(str(exc), secrets_of(database))
            raise DatabaseOpenError(
                f"cannot open database {display_url(database)!r}: {reason}"
            ) from None
        self._metrics = MetricBook(self._store, tables.metric, clock)
        self._tokens = TokenBook(self._store, tables.token, clock)
        self._entities = EntityBook(self._store, tables.entity, clock)
        self._values = ValueBook(self._store, self._metrics, self._entities, clock)
        self._value_reads = ValueReader(
            self._store, self._metrics, self._entities, self._values.decoder, clock
        )

    def __repr__(self) -> str:
        return f"MetricRegistry({display_url(self.database)!r})"

    # -- metrics ---------------------------------------------------------------------------

    def create_metric(self, data: Mapping[str, Any] | None = None, /, **fields: Any) -> Metric:
        """Validate and store a new metric; ``ConflictError`` when its uid is taken."""
        return self._metrics.create(data, fields)

    def get_metric(self, uid: str) -> Metric:
        """The metric stored under ``uid``; ``NotFoundError`` when there is none."""
        return self._metrics.get(uid)

    def list_metrics(
        self,
        query: Mapping[str, Any] | None = None,
        /,
        *,
        is_active: bool | Unset | None = UNSET,
        value_type: ValueType | str | Unset | None = UNSET,
        context_type: ContextType | str | Unset | None = UNSET,
        search: str | Unset | None = UNSET,
        sort: str | Unset = UNSET,
        page: int | Unset = UNSET,
        per_page: int | Unset = UNSET,
    ) -> Page[Metric]:
        """One page of metrics matching every given filter, in ``sort`` order (default
        ``+uid``; page 1 of 25). The parameters may come as keywords or as a mapping (whose
        unknown keys are refused); a filter given as None is no filter."""
        given = {name: value for name, value in locals().items() if name in _LISTING_KEYWORDS}
        return self._metrics.list(query, {k: v for k, v in given.items() if v is not UNSET})

    def update_metric(
        self, uid: str, data: Mapping[str, Any] | None = None, /, **changes: Any
    ) -> Metric:
        """Change the given mutable fields; immutable ones may only repeat their stored value."""
        return self._metrics.update(uid, data, changes)

    def delete_metric(self, uid: str) -> None:
        """Delete a metric nothing refers to; ``ConflictError`` (``in_use``) otherwise."""
        self._metrics.delete(uid)

    # -- entities --------------------------------------------------------------------------

    def register_entity(
        self, context_type: ContextType | str, uid: str, name: str | None = None
    ) -> Entity:
        """Register an entity, or return the registered one (renamed when ``name`` differs)."""
        return self._entities.register(context_type, uid, name)

    def register_entities(self, rows: Iterable[Mapping[str, Any]]) -> list[Entity]:
        """Register many entities atomically; rows are ``{context_type, uid, name?}``."""
        return self._entities.register_many(rows)

    def get_entity(self, context_type: ContextType | str, uid: str) -> Entity:
        """The entity ``(context_type, uid)``; ``NotFoundError`` when it is not registered."""
        return self._entities.get(context_type, uid)

    def list_entities(
        self,
        context_type: ContextType | str,
        query: Mapping[str, Any] | None = None,
        /,
        *,
        search: str | Unset | None = UNSET,
        page: int | Unset = UNSET,
        per_page: int | Unset = UNSET,
    ) -> Page[Entity]:
        """One page of a context's entities in uid order (page 1 of 25); ``search`` matches
        uid or name. The parameters may come as keywords or as a mapping (whose unknown keys
        are refused)."""
        keywords = {"search": search, "page": page, "per_page": per_page}
        return self._entities.list(_query(query, keywords, context_type=context_type))

    def delete_entity(self, context_type: ContextType | str, uid: str) -> None:
        """Delete an entity no value refers to; ``ConflictError`` (``in_use``) otherwise."""
        self._entities.delete(context_type, uid)

    # -- values ----------------------------------------------------------------------------

    def record_value(
        self,
        context_type: ContextType | str,
        entity_uid: str,
        data: Mapping[str, Any] | None = None,
        /,
        **fields: Any,
    ) -> MetricValue:
        """Record one value of a registered entity (``metric_uid``, ``metric_date``,
        ``value``, and optionally ``time_unit``, ``timezone``, ``metadata``)."""
        return self._values.record(context_type, entity_uid, merge_input(data, fields))

    def record_values(
        self,
        rows: Iterable[Mapping[str, Any]],
        *,
        on_conflict: str = "error",
        register_entities: bool = False,
    ) -> RecordSummary:
        """Record a stream of values atomically: all of them, or none when a row is refused.

        Each row also names its ``context_type`` and ``entity_uid``. ``on_conflict``:
        ``error`` (a duplicate is a ``ConflictError``), ``skip`` or ``update``.
        """
        return self._values.record_many(rows, on_conflict, register_entities)

    def get_value(self, uid: str) -> MetricValue:
        """The value stored under ``uid``; ``NotFoundError`` when there is none."""
        return self._values.get(uid)

    def update_value(
        self, uid: str, data: Mapping[str, Any] | None = None, /, **changes: Any
    ) -> MetricValue:
        """Change a value's ``value``, ``metadata`` or ``timezone``."""
        return self._values.update(uid, data, changes)

    def delete_value(self, uid: str) -> None:
        """Delete a value; ``NotFoundError`` when there is none."""
        self._values.delete(uid)

    def list_values(
        self,
        context_type: ContextType | str,
        entity_uid: str,
        query: Mapping[str, Any] | None = None,
        /,
        *,
        metric_uids: Sequence[str] | Unset | None = UNSET,
        time_unit: TimeUnit | str | Unset = UNSET,
        start_date: date | str | Unset | None = UNSET,
        end_date: date | str | Unset | None = UNSET,
        latest: bool | Unset = UNSET,
        as_of: date | str | Unset | None = UNSET,
        include_metadata: bool | Unset = UNSET,
        sort: str | Unset = UNSET,
        page: int | Unset = UNSET,
        per_page: int | Unset = UNSET,
    ) -> Page[MetricValue]:
        """One entity's values: by default the 90 days up to today (UTC) of ``time_unit``
        ``day``, newest first (``sort="-metric_date"``), page 1 of 25, without metadata.

        ``latest=True`` gives the newest value per metric (on or before ``as_of``, if given).
        The parameters may come as keywords or as a mapping (whose unknown keys are refused).
        """
        keywords = dict(locals())
        for name in ("self", "context_type", "entity_uid", "query"):
            del keywords[name]
        if not isinstance(metric_uids, str | Unset | None):
            keywords["metric_uids"] = list(metric_uids)
        fixed = {"context_type": context_type, "entity_uid": entity_uid}
        return self._value_reads.list_values(_query(query, keywords, **fixed))

    def list_values_by_metric(
        self,
        context_type: ContextType | str,
        entity_uid: str,
        metric_uids: Sequence[str],
        *,
        time_unit: TimeUnit | str = TimeUnit.DAY,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        latest: bool = False,
        as_of: date | str | None = None,
        include_metadata: bool = False,
        sort: str = "-metric_date",
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
    ) -> dict[str, Page[MetricValue]]:
        """``list_values`` of each metric on its own, in one read: for every uid of
        ``metric_uids`` (each once, in order), that page of the entity's values of it."""
        query = dict(locals())
        del query["self"]
        query["metric_uids"] = metric_uids if isinstance(metric_uids, str) else list(metric_uids)
        return self._value_reads.list_values_by_metric(query)

    def list_metric_values(
        self,
        metric_uid: str,
        query: Mapping[str, Any] | None = None,
        /,
        *,
        entity_uids: Sequence[str] | Unset | None = UNSET,
        latest: bool | Unset = UNSET,
        as_of: date | str | Unset | None = UNSET,
        time_unit: TimeUnit | str | Unset = UNSET,
        start_date: date | str | Unset | None = UNSET,
        end_date: date | str | Unset | None = UNSET,
        include_metadata: bool | Unset = UNSET,
        sort: str | Unset = UNSET,
        page: int | Unset = UNSET,
        per_page: int | Unset = UNSET,
    ) -> Page[MetricValue]:
        """One metric across entities: by default each entity's newest value (``latest=True``),
        highest first (``sort="-value"``), page 1 of 25, without metadata. The parameters may
        come as keywords or as a mapping (whose unknown keys are refused)."""
        keywords = dict(locals())
        for name in ("self", "metric_uid", "query"):
            del keywords[name]
        if not isinstance(entity_uids, str | Unset | None):
            keywords["entity_uids"] = list(entity_uids)
        return self._value_reads.list_metric_values(_query(query, keywords, metric_uid=metric_uid))

    # -- tokens ----------------------------------------------------------------------------

    def issue_token(self, name: str, scope: TokenScope | str = TokenScope.READ) -> IssuedToken:
        """A new bearer token; its secret is in the result and nowhere else."""
        return self._tokens.issue(name, scope)

    def verify_token(self, secret: str) -> Token | None:
        """The live token with this secret, or None."""
        return self._tokens.verify(secret)

    def list_tokens(self) -> list[Token]:
        """Every live token, by name, without secrets."""
        return self._tokens.list()

    def revoke_token(self, name: str) -> None:
        """Revoke a token at once; ``NotFoundError`` when no token has that name."""
        self._tokens.revoke(name)

    # -- transactions and lifetime ---------------------------------------------------------

    def atomic(self) -> AbstractContextManager[object]:
        """Group calls into one transaction: all of them take effect, or none."""
        return self._store.transaction()

    def no_wait(self) -> AbstractContextManager[None]:
        """Inside, the calling thread's calls raise ``DatabaseBusyError`` at once (nothing
        written) instead of waiting for a lock another connection holds: a server's event
        loop tries there first and hands the call to a thread that may wait."""
        return self._store.no_wait()

    def close(self) -> None:
        """Give back the connections: on SQLite, this thread's (other threads' close when they
        end; a ``:memory:`` registry keeps its one connection, and its data, until it is
        collected); on PostgreSQL, from the thread that opened the registry, the whole pool.
        """
        self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _query(query: object, keywords: Mapping[str, object], **fixed: object) -> dict[str, Any]:
    """A read's parameters: the mapping, the keywords given (which win), then the fixed ones."""
    given = {name: value for name, value in keywords.items() if value is not UNSET}
    return {**merge_input(query, given), **fixed}


__all__ = ["MetricRegistry", "utc_now"]
