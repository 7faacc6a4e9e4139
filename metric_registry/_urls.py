"""What a database target names, and how to show it without its secrets.

``parse_target`` reads a path, ``:memory:`` or a URL into a ``SqliteTarget`` or a
``PostgresTarget``, raising ``DatabaseOpenError`` for anything it cannot read.
``display_url`` gives the form of any target fit for messages, logs and reprs: a PostgreSQL
URL is read by libpq's own parser and rebuilt from its parts with every secret (the password,
``passfile``, ``sslpassword``, ``sslkey``) shown as ``***``; a URL that cannot be read
unambiguously shows as ``postgresql://***``. ``scrub`` hides known secrets inside driver
messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, unquote

from .errors import DatabaseOpenError, shown

IN_MEMORY: Final = ":memory:"
SQLITE_SCHEMES: Final = frozenset({"sqlite", "sqlite+pysqlite"})
POSTGRES_SCHEMES: Final = frozenset(
    {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"}
)
SECRET_PARAMETERS: Final = ("password", "passfile", "sslpassword", "sslkey")
HIDDEN: Final = "***"

_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*)://")
_URL_PARTS: Final = frozenset({"user", "password", "host", "port", "dbname"})
_QUOTED: Final = re.compile(r'"[^"]*"')
_LIBPQ_LITERALS: Final = frozenset({'"]"', '":"', '"/"'})


@dataclass(frozen=True, slots=True)
class SqliteTarget:
    path: str
    """A file path, or ``:memory:``."""


@dataclass(frozen=True, slots=True)
class PostgresTarget:
    parameters: Mapping[str, str]
    """libpq's connection parameters, as its parser read them from the URL."""
    display: str

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(value for key in SECRET_PARAMETERS if (value := self.parameters.get(key)))


def parse_target(target: object) -> SqliteTarget | PostgresTarget:
    """What ``target`` names; ``DatabaseOpenError`` when it is not a path or a URL we read."""
    if not isinstance(target, str) or not target.strip():
        raise DatabaseOpenError("database must be a path, ':memory:' or a URL")
    scheme = _scheme(target)
    if scheme is None:
        return SqliteTarget(target)
    rest = target[len(scheme) + len("://") :]
    if scheme in SQLITE_SCHEMES:
        path = unquote(rest)
        return SqliteTarget((path[1:] if path.startswith("/") else path) or IN_MEMORY)
    if scheme in POSTGRES_SCHEMES:
        return _parse_postgres(scheme, rest)
    raise DatabaseOpenError(
        f"unsupported database URL scheme {scheme!r}: use a path, sqlite:/// or postgresql://"
    )


def display_url(target: str) -> str:
    """``target`` fit for messages, logs and reprs: never a secret, in any form."""
    scheme = _scheme(target) if isinstance(target, str) else None
    if scheme is None:
        return target if isinstance(target, str) else repr(target)
    if scheme in SQLITE_SCHEMES:
        return target
    if scheme not in POSTGRES_SCHEMES:
        return f"{scheme}://{HIDDEN}"
    try:
        return _parse_postgres(scheme, target[len(scheme) + len("://") :]).display
    except Exception:  # whatever went wrong, show nothing of it
        return f"{scheme}://{HIDDEN}"


def secrets_of(target: str) -> tuple[str, ...]:
    """The secrets a target holds (a PostgreSQL URL's password…), as far as it can be read."""
    try:
        parsed = parse_target(target)
    except DatabaseOpenError:
        return ()
    return parsed.secrets if isinstance(parsed, PostgresTarget) else ()


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every known secret, plain or percent-encoded, replaced by ``***``."""
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(form, HIDDEN)
    return text


def _scheme(target: str) -> str | None:
    match = _SCHEME.match(target)
    return match.group(1).lower() if match else None


def _parse_postgres(scheme: str, rest: str) -> PostgresTarget:
    hidden = f"{scheme}://{HIDDEN}"
    if _credentials_are_ambiguous(rest):
        raise DatabaseOpenError(
            f"cannot open database {hidden!r}: an '@' or '/' inside the URL's user, password "
            "or parameters must be percent-encoded (as %40 and %2F)"
        )
    try:
        from psycopg.conninfo import conninfo_to_dict

        parameters = {
            key: str(value) for key, value in conninfo_to_dict(f"postgresql://{rest}").items()
        }
    except ImportError:
        raise DatabaseOpenError(
            "PostgreSQL needs the psycopg driver: pip install 'metric-registry[postgres]'"
        ) from None
    except Exception as exc:
        # libpq quotes the offending text, which may hold the password: drop the quotes' content.
        problem = _QUOTED.sub(_keep_literal, str(exc).strip())
        raise DatabaseOpenError(f"cannot open database {hidden!r}: {problem}") from None
    display = _display(scheme, parameters)
    for port in parameters.get("port", "").split(","):
        if port and not (port.isascii() and port.isdigit() and 0 < int(port) < 65536):
            raise DatabaseOpenError(
                f"cannot open database {display!r}: port {shown(port)} is not a number "
                "from 1 to 65535"
            )
    return PostgresTarget(parameters, display)


def _credentials_are_ambiguous(rest: str) -> bool:
    """True when libpq would read part of the user or password as host, port or database.

    libpq ends the credentials at the first '@' unless a '/' comes first: a second '@', or
    an '@' after a '/', means a raw '@' or '/' that the writer meant as part of them.
    """
    at = rest.find("@")
    return at != -1 and ("/" in rest[:at] or "@" in rest[at + 1 :])


def _keep_literal(match: re.Match[str]) -> str:
    return match.group(0) if match.group(0) in _LIBPQ_LITERALS else '"…"'


def _display(scheme: str, parameters: Mapping[str, str]) -> str:
    user = quote(parameters.get("user", ""), safe="")
    credentials = user + (f":{HIDDEN}" if parameters.get("password") else "")
    hosts = parameters.get("host", "").split(",")
    ports = parameters.get("port", "").split(",")
    if len(ports) != len(hosts):
        ports = ports * len(hosts) if len(ports) == 1 else [""] * len(hosts)
    query = {
        key: HIDDEN if key in SECRET_PARAMETERS else quote(value, safe="")
        for key, value in parameters.items()
        if key not in _URL_PARTS
    }
    if any(host.startswith("/") for host in hosts):  # socket directories go in the query
        query = {"host": quote(parameters["host"], safe=""), **query}
        hosts, ports = [""], [""]
    netloc = ",".join(
        _host(host) + (f":{port}" if port else "") for host, port in zip(hosts, ports, strict=True)
    )
    dbname = quote(parameters.get("dbname", ""), safe="")
    text = f"{scheme}://{credentials}{'@' if credentials else ''}{netloc}"
    if dbname:
        text += f"/{dbname}"
    if query:
        text += ("" if dbname else "/") + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return text


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else quote(host, safe="")
