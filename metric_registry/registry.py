"""``MetricRegistry``: the one façade; every rule of the catalog passes through here."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from enum import Enum
from types import TracebackType
from typing import Any, Final, Self

import peewee as pw

from ._metric_sql import FILTERS, SORTABLE, STORED_COLUMNS, MetricStatements
from ._migrations import migrate
from ._sql import escape_like
from ._store import Store, open_database, redact_password
from ._tables import define_tables
from ._validation import choice, merge_input, parse
from .errors import (
    ALREADY_EXISTS,
    IN_USE,
    ConflictError,
    DatabaseOpenError,
    FieldError,
    NotFoundError,
    ValidationError,
)
from .models import (
    IMMUTABLE_FIELDS,
    MUTABLE_FIELDS,
    UNSTORABLE_MESSAGE,
    ContextType,
    IssuedToken,
    Metric,
    MetricCreate,
    MetricUpdate,
    Page,
    Token,
    TokenScope,
    ValueType,
    storable,
)
from .tokens import TokenBook

DEFAULT_DATABASE: Final = "metrics.db"
DEFAULT_PER_PAGE: Final = 25
MAX_PER_PAGE: Final = 100
MAX_PAGE: Final = 2**31 - 1
MAX_SEARCH_LENGTH: Final = 255
_NOT_NULL: Final = frozenset(
    ("uid", "name", "context_type", "value_type", "storage_unit", "is_snapshot", "is_active")
)
_SORTS: Final = {
    **{f"{sign}{field}": (field, sign == "-") for field in SORTABLE for sign in ("+", "-")},
    **{field: (field, False) for field in SORTABLE},
}


class MetricRegistry:
    """A catalog of metric definitions stored in SQLite (a path) or PostgreSQL (a URL).

    Opening creates or migrates the schema. The object may be shared between threads.
    """

    def __init__(self, database: str = DEFAULT_DATABASE) -> None:
        peewee_database, dialect = open_database(database)
        self._store = Store(peewee_database, dialect)
        tables = define_tables(peewee_database)
        try:
            self.schema_version = migrate(self._store)
            self._store.refresh_statistics("metric", "metric_uid")
        except pw.DatabaseError as exc:
            self._store.close()
            shown = redact_password(database)
            raise DatabaseOpenError(f"cannot open database {shown!r}: {exc}") from exc
        except DatabaseOpenError:
            self._store.close()
            raise
        self._metrics = MetricStatements(tables.metric, dialect)
        self._tokens = TokenBook(self._store, tables.token)
        self.database = database

    def __repr__(self) -> str:
        return f"MetricRegistry({redact_password(self.database)!r})"

    # -- metrics ---------------------------------------------------------------------------

    def create_metric(self, data: Mapping[str, Any] | None = None, /, **fields: Any) -> Metric:
        """Validate and store a new metric; ``ConflictError`` when its uid is taken."""
        given = parse(MetricCreate, merge_input(data, fields))
        now = datetime.now(UTC)
        metric = Metric.trusted({**given.__dict__, "created_at": now, "updated_at": now})
        with self._store.transaction() as transaction:
            transaction.execute(
                self._metrics.insert.sql,
                self._metrics.to_row(metric),
                conflict=lambda: ConflictError(
                    ALREADY_EXISTS, f"a metric with uid {metric.uid!r} already exists"
                ),
            )
        return metric

    def get_metric(self, uid: str) -> Metric:
        """The metric stored under ``uid``; ``NotFoundError`` when there is none."""
        _check_uid_argument(uid)
        row = self._store.fetch_one(self._metrics.select.sql, (uid,))
        if row is None:
            raise NotFoundError("metric", uid)
        return self._metrics.to_metric(row)

    def list_metrics(
        self,
        *,
        is_active: bool | None = None,
        value_type: ValueType | str | None = None,
        context_type: ContextType | str | None = None,
        search: str | None = None,
        sort: str = "+uid",
        page: int = 1,
        per_page: int = DEFAULT_PER_PAGE,
    ) -> Page[Metric]:
        """One page of metrics matching every given filter, in ``sort`` order."""
        given = {
            "is_active": is_active,
            "value_type": value_type,
            "context_type": context_type,
            "search": None if search == "" else search,
        }
        errors = _check_listing(given, sort, page, per_page)
        if errors:
            raise ValidationError(errors)
        filters = tuple(name for name in FILTERS if given[name] is not None)
        values: dict[str, object] = {name: _plain(given[name]) for name in filters}
        if "search" in values:
            values["search"] = escape_like(str(values["search"]).casefold())
        field, descending = _SORTS[sort]
        count = self._metrics.count(filters)
        total_items: int = self._store.fetch_one(count.sql, count.params(values))[0]
        values["limit"] = per_page
        values["offset"] = (page - 1) * per_page
        listing = self._metrics.page(filters, field, descending)
        rows = self._store.fetch_all(listing.sql, listing.params(values))
        return Page[Metric].model_construct(
            items=tuple(map(self._metrics.to_metric, rows)),
            page=page,
            per_page=per_page,
            total_pages=math.ceil(total_items / per_page),
            total_items=total_items,
        )

    def update_metric(
        self, uid: str, data: Mapping[str, Any] | None = None, /, **changes: Any
    ) -> Metric:
        """Change the given mutable fields; immutable ones may only repeat their stored value."""
        _check_uid_argument(uid)
        given = parse(MetricUpdate, merge_input(data, changes))
        requested = {name: getattr(given, name) for name in given.model_fields_set}
        null_errors = [
            FieldError(name, "invalid_type", "must not be null")
            for name in sorted(requested)
            if name in _NOT_NULL and requested[name] is None
        ]
        if null_errors:
            raise ValidationError(null_errors)
        statements = self._metrics
        with self._store.transaction() as transaction:
            row = transaction.execute(statements.select_for_update.sql, (uid,)).fetchone()
            if row is None:
                raise NotFoundError("metric", uid)
            current = statements.to_metric(row)
            _check_immutables(current, requested)
            changed = {
                name: value
                for name, value in requested.items()
                if name in MUTABLE_FIELDS and getattr(current, name) != value
            }
            if not changed:
                return current
            updated = current.model_copy(update={**changed, "updated_at": datetime.now(UTC)})
            values = dict(zip(STORED_COLUMNS, statements.to_row(updated), strict=True))
            transaction.execute(statements.update.sql, statements.update.params(values))
        return updated

    def delete_metric(self, uid: str) -> None:
        """Delete a metric nothing refers to; ``ConflictError`` (``in_use``) otherwise."""
        _check_uid_argument(uid)
        with self._store.transaction() as transaction:
            deleted = transaction.execute(
                self._metrics.delete.sql,
                (uid,),
                conflict=lambda: ConflictError(
                    IN_USE, f"metric {uid!r} has recorded values; deactivate it instead"
                ),
            ).rowcount
        if deleted == 0:
            raise NotFoundError("metric", uid)

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

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Close this thread's connection (other threads' close when they end).

        A ``:memory:`` registry keeps its one connection, and its data, until it is collected.
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


def _check_uid_argument(uid: object) -> None:
    """A uid to look up: a string, and one that could have been stored."""
    if not isinstance(uid, str):
        raise ValidationError.single("uid", "invalid_type", "must be a string")
    if not storable(uid):
        raise NotFoundError("metric", uid)


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def _check_listing(
    given: Mapping[str, object], sort: object, page: object, per_page: object
) -> list[FieldError]:
    errors: list[FieldError] = []
    is_active = given["is_active"]
    if is_active is not None and not isinstance(is_active, bool):
        errors.append(FieldError("is_active", "invalid_type", "must be a boolean (true or false)"))
    for name, enum in (("value_type", ValueType), ("context_type", ContextType)):
        if given[name] is not None and (error := choice(name, given[name], enum)):
            errors.append(error)
    search = given["search"]
    if search is not None:
        if not isinstance(search, str):
            errors.append(FieldError("search", "invalid_type", "must be a string"))
        elif not storable(search):
            errors.append(FieldError("search", "invalid_format", UNSTORABLE_MESSAGE))
        elif len(search) > MAX_SEARCH_LENGTH:
            errors.append(
                FieldError("search", "too_long", f"must be at most {MAX_SEARCH_LENGTH} characters")
            )
    if not isinstance(sort, str) or sort not in _SORTS:
        fields = ", ".join(SORTABLE)
        errors.append(
            FieldError(
                "sort", "invalid_choice", f"must be +field or -field over {fields}; got {sort!r}"
            )
        )
    for name, value, top in (("page", page, MAX_PAGE), ("per_page", per_page, MAX_PER_PAGE)):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(FieldError(name, "invalid_type", "must be an integer"))
        elif not 1 <= value <= top:
            errors.append(
                FieldError(name, "invalid_choice", f"must be from 1 to {top}, got {value}")
            )
    return errors


def _check_immutables(current: Metric, requested: Mapping[str, object]) -> None:
    errors = [
        FieldError(
            name,
            "immutable_field",
            f"cannot change after creation: stored {_shown(getattr(current, name))}, "
            f"requested {_shown(requested[name])}",
        )
        for name in IMMUTABLE_FIELDS
        if name in requested and getattr(current, name) != requested[name]
    ]
    if errors:
        raise ValidationError(errors)


def _shown(value: object) -> str:
    return repr(value.value if isinstance(value, Enum) else value)


__all__ = ["MetricRegistry"]
