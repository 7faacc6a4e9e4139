"""Every error the registry raises, as data: stable codes, never transport statuses.

The hierarchy::

    MetricRegistryError                  code: str, message: str
     ├── ValidationError                 code "invalid"; .errors: tuple[FieldError, ...]
     ├── NotFoundError                   code "not_found"; .kind, .key
     ├── ConflictError                   code "already_exists" (a taken key)
     │                                        or "in_use" (a delete refused by references)
     ├── DatabaseOpenError               code "database_unavailable": a bad URL, a path that
     │    │                                   cannot be opened, a schema newer than this release
     │    └── DatabaseUnavailableError   the connection was lost during a call, or none came
     │                                        in time, or the registry is closed; not retried
     └── DatabaseBusyError               code "database_busy": another connection held a lock
                                              for longer than this call would wait; nothing
                                              was written

A message that echoes caller input shows at most ``ECHO_LIMIT`` characters of it (``shown``).

A ``FieldError`` names one offending field with one of the field codes below. The faces
(GraphQL, REST, CLI) translate these into their own shapes; the core knows nothing of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

FieldCode = Literal[
    "required",
    "invalid_format",
    "invalid_choice",
    "invalid_type",
    "too_long",
    "out_of_range",
    "unknown_field",
    "immutable_field",
    "not_found",
    "inactive",
    "mismatch",
]
ECHO_LIMIT: Final = 100

ALREADY_EXISTS: Final = "already_exists"
IN_USE: Final = "in_use"


def shown(value: object) -> str:
    """``repr(value)`` for a message, cut to about ``ECHO_LIMIT`` characters."""
    text = repr(value)
    if len(text) <= ECHO_LIMIT:
        return text
    return f"{text[: ECHO_LIMIT - 1]}… ({len(str(value))} characters)"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One rejected field: its dotted name, a stable code and a sentence for people."""

    field: str
    code: FieldCode
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class MetricRegistryError(Exception):
    """The base of every error the registry raises on purpose."""

    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(MetricRegistryError):
    """The input broke one or more rules; nothing was written."""

    code = "invalid"

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        self.errors = tuple(errors)
        summary = "; ".join(f"{error.field}: {error.message}" for error in self.errors)
        super().__init__(f"invalid input: {summary}")

    @classmethod
    def single(cls, field: str, code: FieldCode, message: str) -> ValidationError:
        return cls([FieldError(field, code, message)])


class NotFoundError(MetricRegistryError):
    """Nothing is stored under the given key."""

    code = "not_found"

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {shown(key)} not found")


class ConflictError(MetricRegistryError):
    """The write collides with stored data: a taken key, or a delete of something in use."""

    def __init__(self, code: Literal["already_exists", "in_use"], message: str) -> None:
        self.code = code
        super().__init__(message)


class DatabaseOpenError(MetricRegistryError):
    """The database cannot be opened: a bad URL, an unreachable server, a newer schema."""

    code = "database_unavailable"


class DatabaseUnavailableError(DatabaseOpenError):
    """The connection broke during a call, none came in time, or the registry is closed.

    The call was not retried. The server rolls back a transaction whose connection broke; only
    a break during its COMMIT leaves unknown whether it was written.
    """


class DatabaseBusyError(MetricRegistryError):
    """Another connection held a lock longer than the call would wait; nothing was written."""

    code = "database_busy"
