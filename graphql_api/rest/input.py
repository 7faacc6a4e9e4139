"""Turning an HTTP request body into the core's arguments: one JSON object.

Only transport is decided here (is this JSON? is "2" the integer 2?); every rule about the
values themselves is the core's, which rejects whatever cannot be translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from metric_registry import ValidationError
from metric_registry.errors import shown

from ..edge.errors import BadRequestError
from ..edge.strict_json import strict_loads

_JSON_TYPE_NAMES: Final = {
    type(None): "null",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "a list",
}


def malformed(message: str) -> BadRequestError:
    return BadRequestError(400, message, field="body", code="malformed_json")


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
        f"the body must be JSON (Content-Type: application/json), got {shown(content_type)}",
        field="Content-Type",
        code="unsupported_media_type",
    )


def decode_object(body: bytes) -> dict[str, Any]:
    """The JSON object in ``body``; else ``BadRequestError`` (400) or ``ValidationError`` (422)."""
    if not body.strip():
        raise malformed("the body is empty; expected a JSON object")
    try:
        value = strict_loads(body)
    except UnicodeDecodeError as exc:
        raise malformed(f"the body is not UTF-8: {exc}") from None
    except ValueError as exc:
        raise malformed(f"malformed JSON: {exc}") from None
    except RecursionError:
        raise malformed("JSON nested too deeply") from None
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
                raise malformed("a string holds an unpaired UTF-16 surrogate")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
