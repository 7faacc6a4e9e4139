"""PostgreSQL: connections lent by a pool that checks each one before lending it.

- The pool keeps ``POOL_MIN_SIZE`` connection open while idle and opens up to
  ``POOL_MAX_SIZE`` under load (a call holds one only for its statement or transaction); an
  idle one closes after 10 minutes, any one after an hour (psycopg_pool's defaults).
- Before lending a connection the pool runs an empty query on it (one round trip): a
  connection that died while idle (a restart, a failover, an idle timeout,
  ``pg_terminate_backend``) is replaced before any call sees it. The pool retries at once
  after a failed check, then after 1 s, 2 s, 4 s…: drawing dead connections one by one,
  a call would time out behind five of them. So a failed check also sweeps the other idle
  connections (one round trip each), which most likely died with it.
- A statement cut mid-flight is not retried: the store raises ``DatabaseUnavailableError``.
- Connections are in autocommit mode: the store writes BEGIN and COMMIT itself.
- The peewee database only compiles SQL; it never connects.
"""

from __future__ import annotations

import threading
from typing import Any, Final, NoReturn, cast

import peewee as pw
import psycopg
from psycopg.conninfo import make_conninfo
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from ._database import BUSY_TIMEOUT_SECONDS, Connection, Engine, PostgresDialect
from ._tables import TIMESTAMP
from ._urls import PostgresTarget, scrub
from .errors import DatabaseOpenError, DatabaseUnavailableError

POOL_MIN_SIZE: Final = 1
POOL_MAX_SIZE: Final = 10
"""Per registry: one per thread calling at once (a server's event loop holds one at a time),
well under PostgreSQL's default of 100 connections for a few processes."""
ACQUIRE_TIMEOUT_SECONDS: Final = BUSY_TIMEOUT_SECONDS
CONNECT_TIMEOUT_SECONDS: Final = 10
APPLICATION_NAME: Final = "metric-registry"

PooledConnection = psycopg.Connection[Any]


class CompileOnlyPostgresqlDatabase(pw.PostgresqlDatabase):
    """Peewee's PostgreSQL database for building statements; connections come from the pool."""

    def _connect(self) -> NoReturn:
        raise RuntimeError("this peewee database compiles SQL only: the pool lends connections")


class PoolConnections:
    """Connections lent per call by a ``psycopg_pool.ConnectionPool``."""

    shared = False

    def __init__(self, conninfo: str, display: str) -> None:
        self._display = display
        self._opener = threading.get_ident()
        self._pool: ConnectionPool[PooledConnection] = ConnectionPool(
            conninfo,
            kwargs={"autocommit": True},
            min_size=POOL_MIN_SIZE,
            max_size=POOL_MAX_SIZE,
            timeout=ACQUIRE_TIMEOUT_SECONDS,
            check=self._check,
            name=APPLICATION_NAME,
            open=True,
        )

    def _check(self, connection: PooledConnection) -> None:
        try:
            ConnectionPool.check_connection(connection)
        except psycopg.Error:
            self._pool.check()  # replace the idle ones that died with it
            raise

    def acquire(self) -> Connection:
        try:
            connection = self._pool.getconn()
        except PoolClosed:
            raise DatabaseUnavailableError(f"the registry on {self._display!r} is closed") from None
        except PoolTimeout as exc:
            raise DatabaseUnavailableError(
                f"no connection to {self._display!r} within {ACQUIRE_TIMEOUT_SECONDS:g} s: "
                f"the server is unreachable, or all {POOL_MAX_SIZE} connections are in use"
            ) from exc
        return cast(Connection, connection)

    def release(self, connection: Connection) -> None:
        """Give ``connection`` back; the pool rolls back a transaction left open and replaces
        a broken connection."""
        self._pool.putconn(cast(PooledConnection, connection))

    def close(self) -> None:
        """From the opening thread: close the pool (connections in use close when given
        back), after which calls raise ``DatabaseUnavailableError``. Else: nothing."""
        if threading.get_ident() == self._opener:
            self._pool.close()


def open_postgres(target: PostgresTarget) -> Engine:
    """The engine on ``target``, once one connection proved it reachable."""
    parameters = {
        "application_name": APPLICATION_NAME,
        "connect_timeout": str(CONNECT_TIMEOUT_SECONDS),
        **target.parameters,
    }
    conninfo = make_conninfo("", **parameters)
    _probe(conninfo, target)
    database = CompileOnlyPostgresqlDatabase(
        target.parameters.get("dbname") or "postgres", field_types={TIMESTAMP: "TIMESTAMPTZ"}
    )
    dialect = PostgresDialect(secrets=target.secrets)
    connections = PoolConnections(conninfo, target.display)
    return Engine(database, dialect, connections, in_memory=False)


def _probe(conninfo: str, target: PostgresTarget) -> None:
    """Connect once, so that an unreachable server, a refused login or a missing database
    is an error naming its reason (the pool would only time out)."""
    try:
        psycopg.connect(conninfo).close()
    except psycopg.Error as exc:
        raw = " ".join(str(exc).split())
        reason = scrub(raw, target.secrets)
        error = DatabaseOpenError(f"cannot open database {target.display!r}: {reason}")
        raise error from (exc if reason == raw else None)
