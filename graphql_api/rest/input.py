"""Turning an HTTP request into the core's arguments: the JSON body and the listing's query.

Only transport is decided here (is this JSON? is "2" the integer 2?); every rule about the
values themselves is the core's, which rejects whatever cannot be translated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from starlette.datastructures import QueryParams

from metric_registry import FieldError, ValidationError

from ..edge.strict_json import strict_loads

LISTING_PARAMETERS: Final = (
    "page",
    "per_page",
    "sort",
    "search",
    "is_active",
    "value_type",
    "context_type",
)
_INTEGER: Final = re.compile(r"[+-]?[0-9]+")
_BOOLEANS: Final = {"true": True, "false": False}
_JSON_TYPE_NAMES: Final = {
    type(None): "null",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "a list",
}


class BadRequestError(Exception):
    """The request is not what the endpoint reads (400 or 415); ``code`` says why."""

    def __init__(self, status_code: int, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.field = field
        self.code = code
        self.message = message


def check_json_content_type(content_type: str | None) -> None:
    """Accept ``application/json`` and ``application/*+json``; no header means JSON too."""
    if content_type is None:
        return
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        return
    raise BadRequestError(
        415,
        "Content-Type",
        "unsupported_media_type",
        f"the body must be JSON (Content-Type: application/json), got {content_type!r}",
    )


def decode_object(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body``; else ``BadRequestError`` (400) or ``ValidationError`` (422)."""
    if not body.strip():
        raise BadRequestError(
            400, "body", "malformed_json", "the body is empty; expected a JSON object"
        )
    try:
        value = strict_loads(body)
    except UnicodeDecodeError as exc:
        raise BadRequestError(
            400, "body", "malformed_json", f"the body is not UTF-8: {exc}"
        ) from None
    except ValueError as exc:
        raise BadRequestError(400, "body", "malformed_json", f"malformed JSON: {exc}") from None
    except RecursionError:
        raise BadRequestError(400, "body", "malformed_json", "JSON nested too deeply") from None
    if not isinstance(value, dict):
        kind = _JSON_TYPE_NAMES.get(type(value), "not an object")
        raise ValidationError.single("body", "invalid_type", f"must be a JSON object, got {kind}")
    _check_text(value)
    return value


def _check_text(fields: Mapping[str, object]) -> None:
    """Refuse lone surrogates (``"\\ud800"``): valid JSON syntax, but not text we can store."""
    for key, value in fields.items():
        for text in (key, value):
            if isinstance(text, str) and not _encodable(text):
                raise BadRequestError(
                    400, "body", "malformed_json", "a string holds an unpaired UTF-16 surrogate"
                )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def listing_arguments(query: QueryParams) -> tuple[dict[str, Any], list[FieldError]]:
    """Keyword arguments for ``list_metrics`` from a query string, and the parameters refused.

    Unknown or repeated parameters are refused. Values are converted where the query string
    spelling is unambiguous ("2" → 2, "true" → True, " uid" → "+uid" since a plus in a query
    is a space); anything else goes to the core as the string it is, and the core rejects it.
    """
    refused: list[FieldError] = []
    arguments: dict[str, Any] = {}
    for name, value in query.multi_items():
        if name not in LISTING_PARAMETERS:
            known = ", ".join(LISTING_PARAMETERS)
            message = f"is not a known query parameter (known parameters: {known})"
            refused.append(FieldError(name, "unknown_field", message))
        elif name in arguments:
            refused.append(FieldError(name, "invalid_type", "must be given at most once"))
        else:
            arguments[name] = _convert(name, value)
    return arguments, refused


def _convert(name: str, value: str) -> object:
    if name in ("page", "per_page") and _INTEGER.fullmatch(value):
        try:
            return int(value)
        except ValueError:  # more digits than Python converts
            return value
    if name == "is_active":
        return _BOOLEANS.get(value, value)
    if name == "sort" and value.startswith(" "):
        return "+" + value[1:]
    return value
