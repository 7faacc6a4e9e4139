"""Strict JSON for request bodies: no NaN or Infinity, no duplicate keys (RFC 8259 §4, §6)."""

from __future__ import annotations

import json
from typing import Any, Final

from metric_registry.errors import shown


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {shown(key)}")
        obj[key] = value
    return obj


_DECODER: Final = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_reject_constant)


def strict_loads(body: str | bytes) -> Any:
    """The JSON value of ``body``; ``ValueError`` (or ``UnicodeDecodeError``, ``RecursionError``)
    for anything that is not strict JSON in UTF-8."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return _DECODER.decode(text)
