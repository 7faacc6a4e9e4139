"""Database targets: what a URL names, and how it shows without its secrets.

The password of every URL below is made of distinctive words (``Sekr1t``, ``Zeta``…): none
of them may appear in a display form, a repr, an error or the error's whole traceback, in
any encoding, whatever the URL's shape.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from urllib.parse import quote

import pytest

from metric_registry import DatabaseOpenError, MetricRegistry
from metric_registry._urls import display_url, scrub
from metric_registry.errors import DatabaseUnavailableError

from ._support import all_metrics

SECRET_WORDS = ("Sekr1t", "Zeta", "Omega", "Gamma")
RAW = "Sekr1t@Zeta/Omega#Gamma?"
ENCODED = quote(RAW, safe="")


def leaked(text: str) -> list[str]:
    return [word for word in SECRET_WORDS if word.casefold() in text.casefold()]


def whole_traceback(error: BaseException) -> str:
    return "".join(traceback.format_exception(error))


# -- the display form ------------------------------------------------------------------------

DISPLAYS = [
    pytest.param(
        "postgresql://alice:Sekr1t@db.example.com:5433/metrics?sslmode=require",
        "postgresql://alice:***@db.example.com:5433/metrics?sslmode=require",
        id="password",
    ),
    pytest.param(
        f"postgresql://alice:{ENCODED}@db/metrics",
        "postgresql://alice:***@db/metrics",
        id="percent-encoded-specials",
    ),
    pytest.param(
        "postgresql://alice:Sekr1t#Zeta@db/metrics", "postgresql://alice:***@db/metrics", id="raw-#"
    ),
    pytest.param(
        "postgresql://alice:Sekr1t?Zeta@db/metrics", "postgresql://alice:***@db/metrics", id="raw-?"
    ),
    pytest.param("postgresql://alice:Sekr1t@Zeta@db/metrics", "postgresql://***", id="raw-@"),
    pytest.param("postgresql://alice:Sekr1t/Zeta@db/metrics", "postgresql://***", id="raw-/"),
    pytest.param(f"postgresql://alice:{RAW}@db/metrics", "postgresql://***", id="raw-all"),
    pytest.param(
        "postgres://alice@db/metrics?password=Sekr1t&application_name=app",
        "postgres://alice:***@db/metrics?application_name=app",
        id="query-password",
    ),
    pytest.param(
        "postgresql+psycopg://alice:Sekr1t@[::1]:5432/metrics",
        "postgresql+psycopg://alice:***@[::1]:5432/metrics",
        id="ipv6",
    ),
    pytest.param(
        "postgresql+psycopg2://alice:Sekr1t@h1:5432,[fe80::1]:5433/metrics",
        "postgresql+psycopg2://alice:***@h1:5432,[fe80::1]:5433/metrics",
        id="multiple-hosts",
    ),
    pytest.param(
        "postgresql://alice:Sekr1t@db/metrics"
        "?passfile=/home/Zeta/.pgpass&sslpassword=Omega&sslkey=/keys/Gamma.pem",
        "postgresql://alice:***@db/metrics?passfile=***&sslkey=***&sslpassword=***",
        id="secret-parameters",
    ),
    pytest.param(
        "postgresql://alice@/metrics?host=/var/run/postgresql",
        "postgresql://alice@/metrics?host=%2Fvar%2Frun%2Fpostgresql",
        id="unix-socket",
    ),
    pytest.param(
        "postgresql://bob@db/metrics?options=-csearch_path%3Dx",
        "postgresql://bob@db/metrics?options=-csearch_path%3Dx",
        id="no-password",
    ),
    pytest.param("postgresql://alice:Sekr1t@[::1/x", "postgresql://***", id="unclosed-ipv6"),
    pytest.param("postgresql://alice:Sekr1t%zz@db/m", "postgresql://***", id="bad-percent"),
    pytest.param("postgresql://alice:Sekr1t Zeta@db/m", "postgresql://***", id="raw-space"),
    pytest.param("mysql://alice:Sekr1t@db/metrics", "mysql://***", id="other-scheme"),
    pytest.param("metrics.db", "metrics.db", id="path"),
    pytest.param("sqlite:///metrics.db", "sqlite:///metrics.db", id="sqlite-url"),
    pytest.param(":memory:", ":memory:", id="memory"),
]


@pytest.mark.parametrize(("target", "expected"), DISPLAYS)
def test_display_form(target: str, expected: str) -> None:
    shown = display_url(target)
    assert shown == expected
    assert leaked(shown) == []


def test_redact_password_is_the_display_form_wherever_it_was_imported() -> None:
    from metric_registry._database import redact_password as from_database
    from metric_registry._store import redact_password as from_store

    assert from_database is display_url
    assert from_store is display_url


@pytest.mark.parametrize(
    ("secrets", "text", "expected"),
    [
        (("Sekr1t",), "FATAL: role said Sekr1t twice: Sekr1t", "FATAL: role said *** twice: ***"),
        ((RAW,), f"near {ENCODED} and {RAW}", "near *** and ***"),
        (("",), "nothing to hide", "nothing to hide"),
    ],
)
def test_scrub_hides_known_secrets(secrets: tuple[str, ...], text: str, expected: str) -> None:
    assert scrub(text, secrets) == expected


def test_a_lost_connection_error_never_carries_the_password() -> None:
    import psycopg

    from metric_registry._database import PostgresDialect

    dialect = PostgresDialect(secrets=("Sekr1t",))
    error = dialect.connection_lost(psycopg.OperationalError("server closed Sekr1t"))
    assert isinstance(error, DatabaseUnavailableError)
    assert error.code == "database_unavailable"
    assert leaked(str(error)) == []


# -- opening: the same shapes against a real server ------------------------------------------


def shaped(url: str, shape: str, port: object = None) -> str:
    """``url`` (``postgresql://user@host:port/db?query``) rewritten in ``shape``."""
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(url)
    query = url.partition("?")[2]
    user, host, db = parts["user"], parts["host"], parts["dbname"]
    port = port or parts.get("port", 5432)
    return shape.format(user=user, host=host, port=port, db=db, query=query, enc=ENCODED)


SHAPES = [
    pytest.param("postgresql://{user}:{enc}@{host}:{port}/{db}?{query}", id="percent-encoded"),
    pytest.param("postgresql://{user}:Sekr1t#Zeta@{host}:{port}/{db}?{query}", id="raw-#"),
    pytest.param("postgresql://{user}:Sekr1t?Zeta@{host}:{port}/{db}?{query}", id="raw-?"),
    pytest.param("postgresql://{user}@{host}:{port}/{db}?password=Sekr1t&{query}", id="query"),
    pytest.param("postgres://{user}:Sekr1t@{host}:{port}/{db}?{query}", id="postgres-scheme"),
    pytest.param("postgresql+psycopg://{user}:Sekr1t@{host}:{port}/{db}?{query}", id="psycopg"),
    pytest.param("postgresql+psycopg2://{user}:Sekr1t@{host}:{port}/{db}?{query}", id="psycopg2"),
    pytest.param(
        "postgresql://{user}:Sekr1t@127.0.0.1:1,{host}:{port}/{db}?{query}", id="second-host"
    ),
    pytest.param("postgresql://{user}@{host}:{port}/{db}?sslpassword=Zeta&{query}", id="sslpw"),
    pytest.param("postgresql://{user}@{host}:{port}/{db}?{query}", id="no-password"),
]


@pytest.mark.postgres
@pytest.mark.parametrize("shape", SHAPES)
def test_repr_of_an_open_registry_hides_the_password(postgres_url: str, shape: str) -> None:
    with MetricRegistry(shaped(postgres_url, shape)) as registry:
        registry.create_metric(uid="m", name="M")
        assert leaked(repr(registry)) == []
        assert repr(registry).startswith("MetricRegistry('postgres")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "shape",
    [
        *SHAPES,
        pytest.param("postgresql://{user}:Sekr1t@[::1]:{port}/{db}?{query}", id="ipv6"),
        pytest.param("postgresql://{user}:Sekr1t@127.0.0.1:{port},[::1]:{port}/{db}", id="hosts"),
    ],
)
def test_unreachable_server_error_hides_the_password(postgres_url: str, shape: str) -> None:
    with pytest.raises(DatabaseOpenError) as caught:
        MetricRegistry(shaped(postgres_url, shape, port=1))
    assert caught.value.code == "database_unavailable"
    assert "cannot open database" in str(caught.value)
    assert leaked(whole_traceback(caught.value)) == []


@pytest.mark.parametrize(
    ("target", "problem"),
    [
        pytest.param("postgresql://alice:Sekr1t@Zeta@db/m", "percent-encode", id="raw-@"),
        pytest.param("postgresql://alice:Sekr1t/Zeta@db/m", "percent-encode", id="raw-/"),
        pytest.param(f"postgresql://alice:{RAW}@db/m", "percent-encode", id="raw-all"),
        pytest.param("postgresql://u:Sekr1t@[::1/x", "IPv6", id="unclosed-ipv6"),
        pytest.param("postgresql://host:notaport/db", "port 'notaport'", id="port-not-a-number"),
        pytest.param("postgresql://u:Sekr1t@host:99999/db", "port '99999'", id="port-too-big"),
        pytest.param("postgresql://u:Sekr1t@host:-1/db", "port '-1'", id="port-negative"),
        pytest.param("postgresql://u:Sekr1t@db/m?bogus=Zeta", "query parameter", id="bad-param"),
        pytest.param("postgresql://u:Sekr1t%zzZeta@db/m", "percent-encoded", id="bad-percent"),
        pytest.param("postgresql://u:Sekr1t Zeta@db/m", "spaces", id="raw-space"),
    ],
)
def test_malformed_url_is_a_database_open_error(target: str, problem: str) -> None:
    with pytest.raises(DatabaseOpenError) as caught:
        MetricRegistry(target)
    assert caught.value.code == "database_unavailable"
    assert problem in caught.value.message
    assert leaked(whole_traceback(caught.value)) == []


# -- schemes written the SQLAlchemy way ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgres", "postgresql+psycopg", "postgresql+psycopg2"])
def test_postgresql_scheme_aliases_open_the_same_database(postgres_url: str, scheme: str) -> None:
    alias = scheme + postgres_url[len("postgresql") :]
    with MetricRegistry(alias) as registry:
        created = registry.create_metric(uid="via_alias", name="Via alias")
    with MetricRegistry(postgres_url) as registry:
        assert all_metrics(registry) == (created,)


def test_sqlite_pysqlite_scheme_opens_the_file(tmp_path: Path) -> None:
    path = tmp_path / "alias.db"
    with MetricRegistry(f"sqlite+pysqlite:///{path}") as registry:
        created = registry.create_metric(uid="via_alias", name="Via alias")
    with MetricRegistry(str(path)) as registry:
        assert all_metrics(registry) == (created,)


def test_scheme_is_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "upper.db"
    with MetricRegistry(f"SQLite:///{path}") as registry:
        registry.create_metric(uid="m", name="M")
    assert path.is_file()


def test_malformed_url_message_names_no_driver_internals() -> None:
    with pytest.raises(DatabaseOpenError) as caught:
        MetricRegistry("postgresql://host:notaport/db")
    assert re.search(r"cannot open database 'postgresql://host:notaport/db'", caught.value.message)
