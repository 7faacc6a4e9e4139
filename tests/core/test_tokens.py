"""Bearer tokens (SPEC §7): issued once, stored hashed, listed without secrets, revocable."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from metric_registry import (
    ConflictError,
    MetricRegistry,
    NotFoundError,
    Token,
    TokenScope,
    ValidationError,
)

from ._support import raw_rows

SECRET = re.compile(r"mr_[A-Za-z0-9_-]{43,}")  # 32 random bytes are 43 base64url characters


def test_issue_returns_a_prefixed_secret_with_enough_entropy(registry: MetricRegistry) -> None:
    issued = registry.issue_token("ci", "write")
    assert SECRET.fullmatch(issued.secret), issued.secret
    assert issued.token.name == "ci"
    assert issued.token.scope is TokenScope.WRITE
    assert "secret" not in issued.token.model_dump()


def test_secrets_differ(registry: MetricRegistry) -> None:
    secrets = {registry.issue_token(f"t{number}").secret for number in range(20)}
    assert len(secrets) == 20
    assert len({secret[3:13] for secret in secrets}) == 20


def test_default_scope_is_read(registry: MetricRegistry) -> None:
    assert registry.issue_token("reader").token.scope is TokenScope.READ


@pytest.mark.parametrize(
    ("name", "scope"),
    [
        pytest.param("a", "read", id="one-char"),
        pytest.param("ci", "write", id="plain"),
        pytest.param("CI.bot-1", TokenScope.READ, id="dot-hyphen-digit"),
        pytest.param("A_b", TokenScope.WRITE, id="underscore"),
        pytest.param("0day", "read", id="leading-digit"),
        pytest.param("x" * 64, "write", id="64-chars"),
    ],
)
def test_valid_name_and_scope(file_registry: MetricRegistry, name: str, scope: str) -> None:
    issued = file_registry.issue_token(name, scope)
    assert (issued.token.name, issued.token.scope) == (name, TokenScope(scope))
    assert file_registry.list_tokens() == [issued.token]
    assert file_registry.verify_token(issued.secret) == issued.token


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("-x", id="leading-hyphen"),
        pytest.param(".x", id="leading-dot"),
        pytest.param("a b", id="space"),
        pytest.param("x" * 65, id="65-chars"),
        pytest.param("caf\u00e9", id="non-ascii"),
        pytest.param("ci\n", id="trailing-newline"),
        pytest.param(None, id="null"),
        pytest.param(5, id="int"),
    ],
)
def test_bad_token_name(file_registry: MetricRegistry, name: object) -> None:
    with pytest.raises(ValidationError) as caught:
        file_registry.issue_token(name, "read")  # type: ignore[arg-type]
    assert [(e.field, e.code) for e in caught.value.errors] == [("name", "invalid_format")]
    assert file_registry.list_tokens() == []


@pytest.mark.parametrize("scope", ["admin", "READ", "Write", "", None, 1, "read,write"])
def test_bad_token_scope(file_registry: MetricRegistry, scope: object) -> None:
    with pytest.raises(ValidationError) as caught:
        file_registry.issue_token("ci", scope)  # type: ignore[arg-type]
    assert [(e.field, e.code) for e in caught.value.errors] == [("scope", "invalid_choice")]
    assert file_registry.list_tokens() == []


def test_duplicate_name_is_a_conflict(registry: MetricRegistry) -> None:
    first = registry.issue_token("ci", "read")
    with pytest.raises(ConflictError) as caught:
        registry.issue_token("ci", "write")
    assert caught.value.code == "already_exists"
    assert registry.list_tokens() == [first.token]
    assert registry.verify_token(first.secret) == first.token


def test_list_is_by_name_and_never_shows_a_secret(registry: MetricRegistry) -> None:
    issued = [
        registry.issue_token(name, scope)
        for name, scope in (("zeta", "read"), ("alpha", "write"), ("mid", "read"))
    ]
    listed = registry.list_tokens()
    assert [token.name for token in listed] == ["alpha", "mid", "zeta"]
    assert all(isinstance(token, Token) for token in listed)
    shown = repr(listed) + str([token.model_dump(mode="json") for token in listed])
    for token in issued:
        assert token.secret not in shown
        assert token.secret[3:] not in shown
        assert hashlib.sha256(token.secret.encode()).hexdigest() not in shown


def test_verify_accepts_the_secret(registry: MetricRegistry) -> None:
    issued = registry.issue_token("ci", "write")
    registry.issue_token("other", "read")
    verified = registry.verify_token(issued.secret)
    assert verified == issued.token
    assert verified is not None
    assert verified.allows(TokenScope.WRITE)


@pytest.mark.parametrize(
    "attempt",
    [
        pytest.param(lambda secret: "mr_" + "A" * 43, id="unknown"),
        pytest.param(lambda secret: secret[:-1], id="truncated"),
        pytest.param(lambda secret: secret + "x", id="extended"),
        pytest.param(lambda secret: secret.upper(), id="upper-cased"),
        pytest.param(lambda secret: secret[3:], id="without-prefix"),
        pytest.param(lambda secret: "Bearer " + secret, id="with-scheme"),
        pytest.param(lambda secret: " " + secret, id="leading-space"),
        pytest.param(lambda secret: hashlib.sha256(secret.encode()).hexdigest(), id="its-hash"),
        pytest.param(lambda secret: "", id="empty"),
        pytest.param(lambda secret: "mr_", id="prefix-only"),
        pytest.param(lambda secret: "mr_" + "\x00" * 43, id="nul"),
        pytest.param(lambda secret: "mr_" + "x" * 10_000, id="huge"),
        pytest.param(lambda secret: None, id="null"),
        pytest.param(lambda secret: secret.encode(), id="bytes"),
    ],
)
def test_verify_rejects(file_registry: MetricRegistry, attempt: object) -> None:
    issued = file_registry.issue_token("ci", "write")
    assert file_registry.verify_token(attempt(issued.secret)) is None  # type: ignore[operator]
    assert file_registry.verify_token(issued.secret) == issued.token


def test_revoke_takes_effect_at_once(registry: MetricRegistry) -> None:
    kept = registry.issue_token("kept", "read")
    revoked = registry.issue_token("revoked", "write")
    registry.revoke_token("revoked")
    assert registry.verify_token(revoked.secret) is None
    assert registry.list_tokens() == [kept.token]
    assert registry.verify_token(kept.secret) == kept.token
    with pytest.raises(NotFoundError) as caught:
        registry.revoke_token("revoked")
    assert (caught.value.kind, caught.value.key) == ("token", "revoked")


def test_revoke_is_seen_by_another_registry_on_the_same_database(database_url: str) -> None:
    with MetricRegistry(database_url) as issuer, MetricRegistry(database_url) as server:
        issued = issuer.issue_token("ci", "write")
        assert server.verify_token(issued.secret) == issued.token
        issuer.revoke_token("ci")
        assert server.verify_token(issued.secret) is None
        assert server.list_tokens() == []


def test_a_revoked_name_can_be_issued_again(registry: MetricRegistry) -> None:
    old = registry.issue_token("ci", "read")
    registry.revoke_token("ci")
    new = registry.issue_token("ci", "write")
    assert registry.verify_token(old.secret) is None
    assert registry.verify_token(new.secret) == new.token


def test_revoke_unknown_is_not_found(registry: MetricRegistry) -> None:
    with pytest.raises(NotFoundError):
        registry.revoke_token("never-issued")


def test_sqlite_files_hold_the_hash_never_the_secret(sqlite_path: str) -> None:
    with MetricRegistry(sqlite_path) as registry:
        issued = [registry.issue_token(f"t{number}", "write") for number in range(3)]
        files = sorted(Path(sqlite_path).parent.glob(Path(sqlite_path).name + "*"))
        assert Path(sqlite_path + "-wal") in files
        content = b"".join(path.read_bytes() for path in files)
    for token in issued:
        assert token.secret.encode() not in content
        assert token.secret[3:].encode() not in content
        assert hashlib.sha256(token.secret.encode()).hexdigest().encode() in content


def test_database_rows_hold_the_hash_never_the_secret(
    registry: MetricRegistry, database_url: str
) -> None:
    issued = registry.issue_token("ci", "write")
    rows = raw_rows(database_url, "SELECT * FROM api_token")
    assert len(rows) == 1
    values = [str(value) for value in rows[0]]
    assert hashlib.sha256(issued.secret.encode()).hexdigest() in values
    assert not any(issued.secret[3:] in value for value in values)
