"""Opening a database: the engine's dialect, and the connections a store draws from.

``open_database(target)`` turns a path, ``:memory:`` or a URL (read by ``_urls``) into an
``Engine``: the peewee database that statements are compiled for, the dialect (what differs
between engines once the SQL is built) and the ``Connections`` a store draws one connection
per call from. SQLite keeps one connection per thread (``ThreadConnections``); PostgreSQL
lends health-checked connections from a pool (``_postgres.PoolConnections``).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Protocol

import peewee as pw

from ._tables import TIMESTAMP
from ._urls import IN_MEMORY, PostgresTarget, display_url, parse_target, scrub
from .errors import DatabaseOpenError, DatabaseUnavailableError, MetricRegistryError

BUSY_TIMEOUT_SECONDS: Final = 10.0
SQLITE_PRAGMAS: Final = (
    ("busy_timeout", int(BUSY_TIMEOUT_SECONDS * 1000)),
    ("journal_mode", "wal"),
    ("synchronous", "full"),
    ("foreign_keys", 1),
)
_RETRY_SECONDS: Final = 0.01
_LOST_CONNECTION_STATES: Final = frozenset({"57P01", "57P02", "57P03"})  # and class 08


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...

    @property
    def rowcount(self) -> int: ...


class Connection(Protocol):
    def execute(self, sql: str, params: Any = ...) -> Cursor: ...
    def cursor(self) -> Any: ...


class Dialect:
    """What differs between engines once the SQL is built."""

    name: str
    begin_write: str
    begin_snapshot: str
    integrity_error: type[Exception]
    busy_error: type[Exception] | None = None
    """The driver's error class that ``is_busy`` and ``connection_lost`` look into."""

    def to_db_time(self, moment: datetime) -> object:
        return moment

    def from_db_time(self, value: Any) -> datetime:
        moment: datetime = value
        return moment.astimezone(UTC)

    def in_transaction(self, connection: Any) -> bool:
        raise NotImplementedError

    def is_busy(self, exc: Exception) -> bool:
        """True when ``exc`` says another connection holds a lock this one waited for."""
        return False

    def connection_lost(self, exc: Exception) -> MetricRegistryError | None:
        """The registry error to raise when ``exc`` says the connection broke, else None."""
        return None

    def violation(self, exc: Exception) -> str:
        """``unique``, ``foreign_key`` or ``check``: which kind of constraint ``exc`` broke."""
        raise NotImplementedError


class SqliteDialect(Dialect):
    name = "sqlite"
    begin_write = "BEGIN IMMEDIATE"
    begin_snapshot = "BEGIN"
    integrity_error = sqlite3.IntegrityError
    busy_error = sqlite3.OperationalError

    def to_db_time(self, moment: datetime) -> object:
        return moment.astimezone(UTC).isoformat(timespec="microseconds")

    def from_db_time(self, value: Any) -> datetime:
        return datetime.fromisoformat(value)

    def in_transaction(self, connection: Any) -> bool:
        return bool(connection.in_transaction)

    def is_busy(self, exc: Exception) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and (
            getattr(exc, "sqlite_errorcode", None) in _SQLITE_BUSY_CODES
            or "database is locked" in str(exc)
        )

    def violation(self, exc: Exception) -> str:
        text = str(exc)
        if text.startswith("FOREIGN KEY"):
            return "foreign_key"
        if text.startswith("CHECK"):
            return "check"
        return "unique"


_SQLITE_BUSY_CODES: Final = frozenset(
    code
    for name in ("SQLITE_BUSY", "SQLITE_BUSY_RECOVERY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_LOCKED")
    if (code := getattr(sqlite3, name, None)) is not None
)


class PostgresDialect(Dialect):
    name = "postgresql"
    begin_write = "BEGIN"
    begin_snapshot = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

    def __init__(self, secrets: Sequence[str] = ()) -> None:
        """``secrets``: the connection's password and such, scrubbed from driver messages."""
        try:
            import psycopg
        except ImportError as exc:
            raise DatabaseOpenError(
                "PostgreSQL needs the psycopg driver: pip install 'metric-registry[postgres]'"
            ) from exc
        self.integrity_error = psycopg.IntegrityError
        self.busy_error = psycopg.OperationalError
        status = psycopg.pq.TransactionStatus
        self._open_statuses = (status.INTRANS, status.INERROR)  # a lost connection is UNKNOWN
        self._secrets = tuple(secrets)

    def in_transaction(self, connection: Any) -> bool:
        return connection.info.transaction_status in self._open_statuses

    def connection_lost(self, exc: Exception) -> MetricRegistryError | None:
        state = getattr(exc, "sqlstate", None)
        if state is None or state.startswith("08") or state in _LOST_CONNECTION_STATES:
            message = scrub(" ".join(str(exc).split()), self._secrets)
            return DatabaseUnavailableError(f"lost the connection to the database: {message}")
        return None

    def violation(self, exc: Exception) -> str:
        state = getattr(exc, "sqlstate", None)
        return {"23503": "foreign_key", "23514": "check"}.get(str(state), "unique")


class Connections(Protocol):
    """Where a store gets the connection for one call, and gives it back.

    ``close()``: the calling thread is done with the database. ``ThreadConnections`` close
    that thread's connection (a later call opens another; other threads' close when their
    thread ends). ``PoolConnections`` close the pool, for good, when the thread that opened
    it calls; from any other thread they do nothing, since no connection stays with a thread
    between calls.
    """

    shared: bool
    """True when every thread uses one connection (an in-memory SQLite database)."""

    def acquire(self) -> Connection: ...
    def release(self, connection: Connection) -> None: ...
    def close(self) -> None: ...


class _CloseOnRelease:
    """Closes a connection when the last reference to this object goes."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._connection.close()  # type: ignore[attr-defined]


class ThreadConnections:
    """One connection per thread, kept by peewee and closed when its thread ends."""

    def __init__(self, database: pw.Database) -> None:
        self._database = database
        self.shared = not database.thread_safe

    def acquire(self) -> Connection:
        database = self._database
        if database.is_connection_usable():
            current: Connection = database._state.conn  # type: ignore[attr-defined]
            return current
        database.close()
        connection: Connection = database.connection()  # type: ignore[no-untyped-call]
        database._state.closer = _CloseOnRelease(connection)  # type: ignore[attr-defined]
        return connection

    def release(self, connection: Connection) -> None:
        """Nothing to do: the connection stays with its thread."""

    def close(self) -> None:
        """Close the calling thread's connection; a shared in-memory one stays open."""
        if not self.shared and not self._database.is_closed():
            self._database.close()


@dataclass(frozen=True, slots=True)
class Engine:
    database: pw.Database
    dialect: Dialect
    connections: Connections
    in_memory: bool


def open_database(target: str) -> Engine:
    """The engine for a path, ``:memory:``, or a URL."""
    parsed = parse_target(target)
    if isinstance(parsed, PostgresTarget):
        try:
            from ._postgres import open_postgres
        except ImportError as exc:
            raise DatabaseOpenError(
                "PostgreSQL needs psycopg and psycopg-pool: pip install 'metric-registry[postgres]'"
            ) from exc
        return open_postgres(parsed)
    database = _sqlite(parsed.path)
    connections = ThreadConnections(database)
    return Engine(database, SqliteDialect(), connections, in_memory=parsed.path == IN_MEMORY)


redact_password = display_url
"""The earlier name of ``display_url``, kept for the modules that import it from here."""


class _SqliteDatabase(pw.SqliteDatabase):
    """Peewee's SQLite database, switching a new file to WAL even while others open it."""

    def _set_pragmas(self, connection: sqlite3.Connection) -> None:
        super()._set_pragmas(connection)  # type: ignore[misc]
        if self.database != IN_MEMORY:
            _enable_wal(connection)


def _enable_wal(connection: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode = wal``, retried while another connection holds the lock: the
    switch answers "database is locked" at once, without waiting for the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            connection.execute("PRAGMA journal_mode = wal")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(_RETRY_SECONDS)
        else:
            return


def _sqlite(path: str) -> pw.SqliteDatabase:
    in_memory = path == IN_MEMORY
    return _SqliteDatabase(
        path,
        pragmas=[pragma for pragma in SQLITE_PRAGMAS if pragma[0] != "journal_mode"],
        timeout=BUSY_TIMEOUT_SECONDS,
        field_types={TIMESTAMP: "TEXT"},
        # One in-memory database is one connection: share it, guarded by the store's lock.
        thread_safe=not in_memory,
        check_same_thread=not in_memory,
    )
