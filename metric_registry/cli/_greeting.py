"""What ``serve`` prints once its port is bound: where everything is, and how to use a token.

On a database with no tokens it issues the ``default`` write token and shows it once, in an
``export TOKEN=…`` line; on later starts it says how to issue another. The secret appears in
that one line only.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..errors import ConflictError
from ..models import IssuedToken, TokenScope
from ..registry import MetricRegistry
from ._database_option import without_password

if TYPE_CHECKING:
    from graphql_api.server import Listening

FIRST_TOKEN_NAME: Final = "default"  # noqa: S105 (a name, not a secret)
AUTH_LINE: Final = 'Every request to /graphql and /api/* needs "Authorization: Bearer <token>".'
GRAPHIQL_LINE: Final = 'In GraphiQL, paste the token after "Bearer " in the Headers tab.'


def shown_database(database: str) -> str:
    """A file as its absolute path, a URL without its password."""
    if "://" not in database:
        return str(Path(database).resolve())
    return without_password(database, database)


def db_argument(database: str) -> str:
    """``--db …`` for a command line the user can run (a URL's password is not repeated)."""
    shown = shown_database(database)
    if shown != database and "://" in database:  # the password was hidden
        return "--db 'DATABASE URL'"
    return f"--db {shlex.quote(shown)}"


def issue_first_token(database: str) -> tuple[IssuedToken | None, int]:
    """The ``default`` token when the database has none yet; and how many tokens it has."""
    with MetricRegistry(database) as registry:
        existing = len(registry.list_tokens())
        if existing:
            return None, existing
        try:
            return registry.issue_token(FIRST_TOKEN_NAME, TokenScope.WRITE), 1
        except ConflictError:  # another server issued it in between
            return None, len(registry.list_tokens())


def greeting(
    listening: Listening, database: str, issued: IssuedToken | None, token_count: int
) -> str:
    label_width = max(len(place.label) for place in listening.places)
    url_width = max(len(listening.url(place.path)) for place in listening.places)
    lines = [f"metric-registry is serving {shown_database(database)}"]
    for place in listening.places:
        url = listening.url(place.path)
        lines.append(f"  {place.label:<{label_width}}  {url:<{url_width}}  {place.what}")
    lines.append(f"  {'Overview':<{label_width}}  {listening.url('/'):<{url_width}}  what is where")
    lines.append(AUTH_LINE)
    example = f'  curl -H "Authorization: Bearer $TOKEN" {listening.url("/api/metrics")}'
    if issued is not None:
        lines += [
            f"No tokens yet: issued the write token '{issued.token.name}', shown this once "
            "(keep it):",
            f"  export TOKEN={issued.secret}",
            example,
        ]
    else:
        kind = "token" if token_count == 1 else "tokens"
        lines += [
            f"This database has {token_count} {kind}; a secret is shown only when issued. "
            "Issue another with:",
            f"  export TOKEN=$(metric-registry token create NAME --scope write "
            f"{db_argument(database)})",
            example,
        ]
    if any(place.key == "graphiql" for place in listening.places):
        lines.append(GRAPHIQL_LINE)
    return "\n".join(lines)
