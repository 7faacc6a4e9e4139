"""Bearer tokens as the registry shows them: never their secret, except once when issued."""

from __future__ import annotations

from datetime import datetime

from pydantic import field_serializer

from .common import ReadModel, format_timestamp
from .enums import TokenScope


class Token(ReadModel):
    """A bearer token as listed: never its secret."""

    name: str
    scope: TokenScope
    created_at: datetime

    @field_serializer("created_at", when_used="json")
    def _timestamp_json(self, moment: datetime) -> str:
        return format_timestamp(moment)

    def allows(self, needed: TokenScope) -> bool:
        return self.scope.allows(needed)


class IssuedToken(ReadModel):
    """A token just issued: the only time its secret is available."""

    token: Token
    secret: str
