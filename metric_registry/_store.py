"""Opening a database, running statements built once, transactions, and error translation.

This is the one boundary where driver exceptions become registry errors.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Final, Protocol
from urllib.parse import unquote, urlsplit

import peewee as pw

from ._tables import TIMESTAMP
from .errors import ConflictError, DatabaseOpenError

BUSY_TIMEOUT_SECONDS: Final = 10.0
SQLITE_PRAGMAS: Final = (
    ("busy_timeout", int(BUSY_TIMEOUT_SECONDS * 1000)),
    ("journal_mode", "wal"),
    ("synchronous", "full"),
    ("foreign_keys", 1),
)
ANALYZE_FROM_ROWS: Final = 1000
_POSTGRES_SCHEMES: Final = ("postgresql", "postgres")


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...

    @property
    def rowcount(self) -> int: ...


class Connection(Protocol):
    def execute(self, sql: str, params: Sequence[object] = ...) -> Cursor: ...


class Dialect:
    """What differs between engines once the SQL is built."""

    name: str
    begin_write: str
    integrity_error: type[Exception]

    def to_db_time(self, moment: datetime) -> object:
        return moment

    def from_db_time(self, value: Any) -> datetime:
        moment: datetime = value
        return moment.astimezone(UTC)

    def in_transaction(self, connection: Any) -> bool:
        raise NotImplementedError


class SqliteDialect(Dialect):
    name = "sqlite"
    begin_write = "BEGIN IMMEDIATE"
    integrity_error = sqlite3.IntegrityError

    def to_db_time(self, moment: datetime) -> object:
        return moment.astimezone(UTC).isoformat(timespec="microseconds")

    def from_db_time(self, value: Any) -> datetime:
        return datetime.fromisoformat(value)

    def in_transaction(self, connection: Any) -> bool:
        return bool(connection.in_transaction)


class PostgresDialect(Dialect):
    name = "postgresql"
    begin_write = "BEGIN"

    def __init__(self) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise DatabaseOpenError(
                "PostgreSQL needs the psycopg driver: pip install 'metric-registry[postgres]'"
            ) from exc
        self.integrity_error = psycopg.IntegrityError
        self._idle = psycopg.pq.TransactionStatus.IDLE

    def in_transaction(self, connection: Any) -> bool:
        return bool(connection.info.transaction_status != self._idle)


def open_database(target: str) -> tuple[pw.Database, Dialect]:
    """A peewee database and its dialect for a path, ``:memory:``, or a URL."""
    if not isinstance(target, str) or not target.strip():
        raise DatabaseOpenError("database must be a path, ':memory:' or a URL")
    scheme = urlsplit(target).scheme if "://" in target else ""
    if scheme in _POSTGRES_SCHEMES:
        dialect = PostgresDialect()
        url = "postgresql" + target[len(scheme) :]
        return pw.PostgresqlDatabase(url, field_types={TIMESTAMP: "TIMESTAMPTZ"}), dialect
    if scheme == "sqlite":
        path = unquote(target[len("sqlite://") :])
        path = path[1:] if path.startswith("/") else path
        return _sqlite(path or ":memory:"), SqliteDialect()
    if scheme:
        raise DatabaseOpenError(
            f"unsupported database URL scheme {scheme!r}: use a path, sqlite:/// or postgresql://"
        )
    return _sqlite(target), SqliteDialect()


def redact_password(target: str) -> str:
    """``target`` fit for messages and logs: a URL's password replaced by ``***``."""
    parts = urlsplit(target) if "://" in target else None
    if parts is None or parts.password is None:
        return target
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _sqlite(path: str) -> pw.SqliteDatabase:
    in_memory = path == ":memory:"
    return pw.SqliteDatabase(
        path,
        pragmas=list(SQLITE_PRAGMAS),
        timeout=BUSY_TIMEOUT_SECONDS,
        field_types={TIMESTAMP: "TEXT"},
        # One in-memory database is one connection: share it, guarded by the store's lock.
        thread_safe=not in_memory,
        check_same_thread=not in_memory,
    )


ConflictFactory = Callable[[], ConflictError]


class Transaction:
    """Statements inside one write transaction; integrity errors become ``ConflictError``."""

    __slots__ = ("_connection", "_integrity_error")

    def __init__(self, connection: Connection, integrity_error: type[Exception]) -> None:
        self._connection = connection
        self._integrity_error = integrity_error

    def execute(
        self, sql: str, params: Sequence[object], conflict: ConflictFactory | None = None
    ) -> Cursor:
        try:
            return self._connection.execute(sql, params)
        except self._integrity_error as exc:
            if conflict is None:
                raise
            raise conflict() from exc


class _CloseOnRelease:
    """Closes a connection when the last reference to this object goes."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self._connection.close()  # type: ignore[attr-defined]


class Store:
    """Runs prepared SQL on the calling thread's connection."""

    def __init__(self, database: pw.Database, dialect: Dialect) -> None:
        self.database = database
        self.dialect = dialect
        shared_connection = not database.thread_safe
        self._guard: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if shared_connection else contextlib.nullcontext()
        )

    def _connection(self) -> Connection:
        """The calling thread's connection, opened (or reopened, if broken) on demand."""
        database = self.database
        if database.is_connection_usable():
            current: Connection = database._state.conn  # type: ignore[attr-defined]
            return current
        database.close()
        connection: Connection = database.connection()  # type: ignore[no-untyped-call]
        # Peewee keeps the connection in a thread-local: when the thread ends, so does this.
        database._state.closer = _CloseOnRelease(connection)  # type: ignore[attr-defined]
        return connection

    def fetch_one(self, sql: str, params: Sequence[object]) -> Any:
        with self._guard:
            return self._connection().execute(sql, params).fetchone()

    def fetch_all(self, sql: str, params: Sequence[object]) -> list[Any]:
        with self._guard:
            return self._connection().execute(sql, params).fetchall()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction that holds the write lock from its first statement."""
        with self._guard:
            connection = self._connection()
            connection.execute(self.dialect.begin_write)
            try:
                yield Transaction(connection, self.dialect.integrity_error)
                connection.execute("COMMIT")
            except BaseException:
                if self.dialect.in_transaction(connection):
                    connection.execute("ROLLBACK")
                raise

    def refresh_statistics(self, table: str, unique_index: str) -> None:
        """Re-run SQLite's ANALYZE on ``table`` once it has doubled since the last one.

        The planner needs row counts per index to choose, for a filtered and sorted page,
        between the filter's index and the sort's; without them it can pick a sort of every
        match over an early stop in index order.
        """
        if self.dialect.name != "sqlite":
            return  # PostgreSQL's autovacuum keeps its statistics
        with self._guard:
            connection = self._connection()
            (rows,) = connection.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()
            if rows < ANALYZE_FROM_ROWS:
                return
            has_stats = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).fetchone()
            stat = (
                has_stats
                and connection.execute(
                    "SELECT stat FROM sqlite_stat1 WHERE idx = ?", (unique_index,)
                ).fetchone()
            )
            if not stat or int(stat[0].split()[0]) * 2 < rows:
                connection.execute(f'ANALYZE "{table}"')

    def close(self) -> None:
        """Close the calling thread's connection.

        An in-memory database lives in its one shared connection: closing it would lose the
        data under the other threads, so it stays open until the store is collected.
        """
        if not self.database.thread_safe:
            return
        if not self.database.is_closed():
            self.database.close()
