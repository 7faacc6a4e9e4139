"""Running statements built once: reads, snapshots, nestable write transactions, and the one
place where driver exceptions become registry errors.

- ``fetch_one``/``fetch_all`` run a read on a connection drawn for the call (or on the
  transaction or snapshot the calling thread is in).
- ``snapshot()`` groups reads so that they see one state of the database (a page and its
  count agree).
- ``transaction()`` begins a write that holds the write lock from its first statement; inside
  another transaction it is a savepoint, so a batch can group many calls atomically.
- ``no_wait()`` makes the calling thread's calls raise ``DatabaseBusyError`` at once instead of
  waiting for a lock another connection holds; nothing has been written when it does.
- A broken constraint becomes the error its books registered with ``on_violation``; a
  connection lost during a call, ``DatabaseUnavailableError`` (the call is not retried).
"""

from __future__ import annotations

import contextlib
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, Final, cast

from ._database import BUSY_TIMEOUT_SECONDS, Connection, Cursor, Engine
from ._sql import Statement
from ._urls import display_url
from .errors import DatabaseBusyError, MetricRegistryError

ANALYZE_FROM_ROWS: Final = 1000
_FETCH_ONE: Final = operator.methodcaller("fetchone")
_FETCH_ALL: Final = operator.methodcaller("fetchall")
ViolationError = Callable[[Mapping[str, object]], MetricRegistryError]
BUSY_MESSAGE: Final = "the database is busy: another writer holds its lock; try again"
redact_password = display_url
"""For the modules that import it from here."""


class _ThreadState(threading.local):
    connection: Connection | None = None
    depth = 0
    read_only = False
    no_wait = False
    unwaiting: Connection | None = None  # the connection whose busy timeout is 0


class Transaction:
    """Statements inside one write transaction; broken constraints become registry errors."""

    __slots__ = ("_connection", "_store", "nested")

    def __init__(self, store: Store, connection: Connection, *, nested: bool = False) -> None:
        self._store = store
        self._connection = connection
        self.nested = nested
        """True inside a caller's transaction (a savepoint)."""

    def run(self, statement: Statement, values: Mapping[str, object]) -> Cursor:
        """Run ``statement`` with its slots filled from ``values``."""
        store = self._store
        try:
            return self._connection.execute(statement.sql, statement.params(values))
        except store.dialect.integrity_error as exc:
            kind = store.dialect.violation(exc)
            translate = store.violations.get((statement.table, kind))
            if translate is None:
                raise
            raise translate(values) from exc

    def lock_writers(self, name: str) -> None:
        """Wait until no other transaction holds the writers' lock ``name``, and hold it to
        the end of this one. A write that locks many rows (a batch) takes it on PostgreSQL,
        where two such writes locking their rows in different orders would deadlock; SQLite
        has one writer at a time already."""
        if self._store.dialect.name == "postgresql":
            self._connection.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s), hashtext(current_schema()))", (name,)
            )

    def execute(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        """Run plain SQL (schema steps, locks)."""
        return self._connection.execute(sql, params)

    def execute_many(self, sql: str, rows: Iterable[Sequence[object]]) -> Cursor:
        """Run plain SQL once per row; the cursor's ``rowcount`` is the sum."""
        cursor: Any = self._connection.cursor()
        cursor.executemany(sql, rows)
        return cast("Cursor", cursor)

    def copy(self, sql: str) -> AbstractContextManager[Any]:
        """PostgreSQL's ``COPY … FROM STDIN``: write rows with ``write_row``."""
        cursor: Any = self._connection.cursor()
        return cast("AbstractContextManager[Any]", cursor.copy(sql))


class Store:
    """Runs prepared SQL on connections drawn from one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.database = engine.database
        self.dialect = engine.dialect
        self.violations: dict[tuple[str, str], ViolationError] = {}
        self._connections = engine.connections
        self._state = _ThreadState()
        self._unshared = not engine.connections.shared
        self._guard: contextlib.AbstractContextManager[Any] = (
            threading.RLock() if engine.connections.shared else contextlib.nullcontext()
        )

    def on_violation(self, table: str, kind: str, error: ViolationError) -> None:
        """Raise ``error(values)`` when a statement on ``table`` breaks a ``kind`` constraint
        (``unique``, ``foreign_key`` or ``check``)."""
        self.violations[(table, kind)] = error

    def _acquire(self) -> Connection:
        connection = self._connections.acquire()
        state = self._state
        if state.no_wait is not (state.unwaiting is connection):
            self._set_busy_timeout(connection, 0.0 if state.no_wait else BUSY_TIMEOUT_SECONDS)
            state.unwaiting = connection if state.no_wait else None
        return connection

    def _set_busy_timeout(self, connection: Connection, seconds: float) -> None:
        if self.dialect.name == "sqlite":
            connection.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def fetch_one(self, sql: str, params: Sequence[object]) -> Any:
        return self._read(sql, params, _FETCH_ONE)

    def fetch_all(self, sql: str, params: Sequence[object]) -> list[Any]:
        return cast("list[Any]", self._read(sql, params, _FETCH_ALL))

    def _read(self, sql: str, params: Sequence[object], fetch: Callable[[Cursor], Any]) -> Any:
        """A read on the thread's transaction or snapshot, or on a connection drawn for it."""
        held = self._state.connection
        if held is not None:
            return fetch(held.execute(sql, params))
        if self._unshared:  # the common case, without the lock's context manager
            return self._read_drawn(sql, params, fetch)
        with self._guard:
            return self._read_drawn(sql, params, fetch)

    def _read_drawn(
        self, sql: str, params: Sequence[object], fetch: Callable[[Cursor], Any]
    ) -> Any:
        connection = self._acquire()
        try:
            return fetch(connection.execute(sql, params))
        except Exception as exc:
            translated = self._translated(exc)
            if translated is exc:
                raise
            raise translated from exc
        finally:
            self._connections.release(connection)

    def _translated(self, exc: Exception) -> Exception:
        """The registry error for a driver's ``exc`` (a lock held too long, a connection
        lost), or ``exc`` itself."""
        busy_error = self.dialect.busy_error
        if busy_error is None or not isinstance(exc, busy_error):
            return exc
        if self.dialect.is_busy(exc):
            return DatabaseBusyError(BUSY_MESSAGE)
        return self.dialect.connection_lost(exc) or exc

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the database (inside a transaction: that one's)."""
        state = self._state
        if state.connection is not None:
            yield
            return
        with self._guard, self._busy_translated():
            connection = self._acquire()
            try:
                connection.execute(self.dialect.begin_snapshot)
                state.connection, state.read_only = connection, True
                try:
                    yield
                finally:
                    state.connection, state.read_only = None, False
                    if self.dialect.in_transaction(connection):
                        connection.execute("COMMIT")
            finally:
                self._connections.release(connection)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write transaction holding the write lock from its first statement; nested, a
        savepoint that rolls back alone."""
        state = self._state
        held = state.connection
        if held is not None:
            if state.read_only:
                raise RuntimeError("a write cannot begin inside a read snapshot")
            yield from self._savepoint(held)
            return
        with self._guard, self._busy_translated():
            connection = self._acquire()
            try:
                connection.execute(self.dialect.begin_write)
                state.connection = connection
                try:
                    yield Transaction(self, connection)
                    connection.execute("COMMIT")
                except BaseException:
                    if self.dialect.in_transaction(connection):
                        connection.execute("ROLLBACK")
                    raise
                finally:
                    state.connection = None
            finally:
                self._connections.release(connection)

    def _savepoint(self, connection: Connection) -> Iterator[Transaction]:
        state = self._state
        state.depth += 1
        name = f"nested_{state.depth}"
        connection.execute(f"SAVEPOINT {name}")
        try:
            yield Transaction(self, connection, nested=True)
        except BaseException:
            if self.dialect.in_transaction(connection):  # a lost connection has none
                connection.execute(f"ROLLBACK TO SAVEPOINT {name}")
            raise
        finally:
            if self.dialect.in_transaction(connection):
                connection.execute(f"RELEASE SAVEPOINT {name}")
            state.depth -= 1

    @contextlib.contextmanager
    def no_wait(self) -> Iterator[None]:
        """The calling thread's calls inside fail with ``DatabaseBusyError`` rather than wait."""
        state = self._state
        before = state.no_wait
        state.no_wait = True
        try:
            yield
        finally:
            state.no_wait = before

    @contextlib.contextmanager
    def _busy_translated(self) -> Iterator[None]:
        try:
            yield
        except Exception as exc:
            translated = self._translated(exc)
            if translated is exc:
                raise
            raise translated from exc

    def refresh_statistics(self, table: str, unique_index: str) -> None:
        """Re-run SQLite's ANALYZE on ``table`` once it has doubled since the last one.

        The planner needs row counts per index to choose, for a filtered and sorted page,
        between the filter's index and the sort's; without them it can pick a sort of every
        match over an early stop in index order.
        """
        if self.dialect.name != "sqlite":
            return  # PostgreSQL's autovacuum keeps its statistics
        rows = self.fetch_one(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"', ())[0]
        if rows < ANALYZE_FROM_ROWS:
            return
        has_stats = self.fetch_one("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'", ())
        stat = has_stats and self.fetch_one(
            "SELECT stat FROM sqlite_stat1 WHERE idx = ?", (unique_index,)
        )
        if not stat or int(stat[0].split()[0]) * 2 < rows:
            with self.transaction() as transaction:
                transaction.execute(f'ANALYZE "{table}"')

    def close(self) -> None:
        """The calling thread is done: ``Connections.close`` says what that releases."""
        self._connections.close()
