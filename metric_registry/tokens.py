"""Bearer tokens: issued once in clear, stored only as a SHA-256 hash, verified in constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import peewee as pw

from ._sql import Slot, column, compile_query, slots_for
from ._store import Store
from ._validation import choice
from .errors import ALREADY_EXISTS, ConflictError, NotFoundError, ValidationError, shown
from .models import IssuedToken, Token, TokenScope, storable

PREFIX: Final = "mr_"
SECRET_BYTES: Final = 32
NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_COLUMNS: Final = ("name", "scope", "created_at")
_SCOPES: Final = {scope.value: scope for scope in TokenScope}


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenBook:
    """The tokens of one registry."""

    def __init__(self, store: Store, table: type[pw.Model], clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        store.on_violation(
            table._meta.table_name,
            "unique",
            lambda values: ConflictError(
                ALREADY_EXISTS, f"token {shown(values['name'])} already exists"
            ),
        )
        columns = [column(table, name) for name in _COLUMNS]
        secret_hash, name = column(table, "secret_hash"), column(table, "name")
        self._insert = compile_query(table.insert(slots_for(table, (*_COLUMNS, "secret_hash"))))
        self._by_hash = compile_query(
            table.select(*columns, secret_hash).where(secret_hash == Slot("hash"))
        )
        self._all = compile_query(table.select(*columns).order_by(name))
        self._delete = compile_query(table.delete().where(name == Slot("name")))

    def issue(self, name: str, scope: TokenScope | str = TokenScope.READ) -> IssuedToken:
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise ValidationError.single(
                "name",
                "invalid_format",
                "must be 1-64 letters, digits, '_', '.' or '-', starting with a letter or digit",
            )
        if (refused := choice("scope", scope, TokenScope)) is not None:
            raise ValidationError([refused])
        token = Token(name=name, scope=TokenScope(scope), created_at=self._clock())
        secret = PREFIX + secrets.token_urlsafe(SECRET_BYTES)
        values = {
            "name": name,
            "scope": token.scope.value,
            "created_at": self._store.dialect.to_db_time(token.created_at),
            "secret_hash": hash_secret(secret),
        }
        with self._store.transaction() as transaction:
            transaction.run(self._insert, values)
        return IssuedToken(token=token, secret=secret)

    def verify(self, secret: str) -> Token | None:
        """The token whose secret this is, or None (unknown, revoked or malformed)."""
        if not isinstance(secret, str) or not secret.startswith(PREFIX) or len(secret) > 200:
            return None
        if not storable(secret):
            return None
        digest = hash_secret(secret)
        row = self._store.fetch_one(self._by_hash.sql, (digest,))
        if row is None or not hmac.compare_digest(row[3], digest):
            return None
        return self._to_token(row)

    def list(self) -> list[Token]:
        return [self._to_token(row) for row in self._store.fetch_all(self._all.sql, ())]

    def revoke(self, name: str) -> None:
        if not isinstance(name, str):
            raise ValidationError.single("name", "invalid_type", "must be a string")
        if not NAME_PATTERN.fullmatch(name):
            raise NotFoundError("token", name)  # no token can have such a name
        with self._store.transaction() as transaction:
            deleted = transaction.run(self._delete, {"name": name}).rowcount
        if deleted == 0:
            raise NotFoundError("token", name)

    def _to_token(self, row: Any) -> Token:
        return Token.trusted(
            {
                "name": row[0],
                "scope": _SCOPES[row[1]],
                "created_at": self._store.dialect.from_db_time(row[2]),
            }
        )
