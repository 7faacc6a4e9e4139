"""``serve``: the application under uvicorn (uvloop + httptools), in one or more workers.

The order is the point: the port is bound (and listening) first, then the application is built
once, and only then is ``on_listening`` called, with the URLs of what is served; uvicorn then
serves on that very socket. So whatever the caller prints or issues there (``metric-registry
serve`` issues its first token) happens only when the server can start: a taken port raises
``CannotListenError`` before it, and nothing is lost.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import gc
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import uvicorn
from starlette.applications import Starlette
from uvicorn.config import LOGGING_CONFIG
from uvicorn.supervisors import Multiprocess

from metric_registry import MetricRegistry

from .app import create_app
from .edge.access_log import LOGGER_NAME
from .pages import Place, served_places

DATABASE_VARIABLE: Final = "METRIC_REGISTRY_SERVE_DATABASE"
GRAPHIQL_VARIABLE: Final = "METRIC_REGISTRY_SERVE_GRAPHIQL"
ACCESS_LOG_VARIABLE: Final = "METRIC_REGISTRY_SERVE_ACCESS_LOG"
FACTORY: Final = "graphql_api.server:app_from_environment"
BACKLOG: Final = 2048
STARTUP_FAILURE: Final = 3  # uvicorn's exit code when the application cannot start


class CannotListenError(Exception):
    """The address cannot be bound: taken, not this machine's, or not allowed."""

    def __init__(self, host: str, port: int, reason: str, *, in_use: bool) -> None:
        self.host, self.port, self.reason, self.in_use = host, port, reason, in_use
        super().__init__(f"cannot listen on {_authority(host, port)}: {reason}")


@dataclass(frozen=True)
class Listening:
    """Where a server that is about to serve can be reached, and what it serves."""

    base_url: str  # http://127.0.0.1:8000
    places: tuple[Place, ...]

    def url(self, path: str) -> str:
        return self.base_url + path


def serve(
    database: str,
    *,
    host: str,
    port: int,
    workers: int,
    graphiql: bool,
    access_log: bool = True,
    on_listening: Callable[[Listening], None] | None = None,
) -> None:
    """Serve ``database`` until interrupted; each worker process opens its own registry."""
    # Worker processes import the factory by name: these variables are how they learn what
    # to serve, and only this function sets them.
    os.environ[DATABASE_VARIABLE] = database
    os.environ[GRAPHIQL_VARIABLE] = "1" if graphiql else "0"
    os.environ[ACCESS_LOG_VARIABLE] = "1" if access_log else "0"
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,  # ours (graphql_api.edge.access_log) replaces uvicorn's
        "log_config": log_config(),
        "backlog": BACKLOG,
    }
    with contextlib.closing(listen(host, port)) as sock:
        if workers == 1:
            app = app_from_environment()  # the one worker, in this process
            config = uvicorn.Config(app, **options)
        else:
            with MetricRegistry(database) as registry:  # proof that a worker's app builds
                app = create_app(registry, graphiql=graphiql)
            config = uvicorn.Config(FACTORY, factory=True, workers=workers, **options)
        if on_listening is not None:
            places = served_places(app.routes, graphiql=graphiql)
            on_listening(Listening(base_url(host, sock.getsockname()[1]), places))
        _run(config, sock)


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` and listening, as uvicorn would bind it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        reason = (exc.strerror or str(exc)).lower()
        in_use = exc.errno == errno.EADDRINUSE
        raise CannotListenError(host, port, reason, in_use=in_use) from exc
    sock.set_inheritable(True)  # the workers serve on it too
    return sock


def base_url(host: str, port: int) -> str:
    """The URL a client on this machine uses; an any-address host is reached as loopback."""
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
    return f"http://{_authority(shown, port)}"


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the access log on stderr, one line a request."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["requests"] = {"()": "graphql_api.edge.access_log.AccessLogFormatter"}
    config["handlers"]["requests"] = {
        "formatter": "requests",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"][LOGGER_NAME] = {"handlers": ["requests"], "level": "INFO", "propagate": False}
    return config


def _run(config: uvicorn.Config, sock: socket.socket) -> None:
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[sock]).run()
        else:
            server.run(sockets=[sock])
    except KeyboardInterrupt:  # as uvicorn.run: a second Ctrl-C during shutdown
        pass
    if config.workers == 1 and not server.started:
        raise SystemExit(STARTUP_FAILURE)


def app_from_environment() -> Starlette:
    """The application of one worker, configured by ``serve``."""
    try:
        database = os.environ[DATABASE_VARIABLE]
    except KeyError:
        raise RuntimeError(
            f"{FACTORY} is started by graphql_api.server.serve(), which sets {DATABASE_VARIABLE}"
        ) from None
    graphiql = os.environ.get(GRAPHIQL_VARIABLE, "1") == "1"
    access_log = os.environ.get(ACCESS_LOG_VARIABLE, "1") == "1"
    app = create_app(MetricRegistry(database), graphiql=graphiql, access_log=access_log)
    # Everything built so far lives as long as the worker: keep the cyclic collector from
    # walking it again and again under load (about 5% of a GraphQL read).
    gc.freeze()
    return app
