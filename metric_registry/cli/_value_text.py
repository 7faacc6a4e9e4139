"""Numbers and metadata written as text (an option, a CSV cell, a JSON line), kept exact.

Cents must never pass through a binary float: an integer literal becomes an ``int`` whatever
its size, and only other numbers become floats (the core refuses a fraction of a cent).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

_INTEGRAL: Final = re.compile(r"\s*[+-]?[0-9]+(?:\.0*)?\s*")


def number_from_text(text: str) -> int | float | str:
    """``350000000``, ``-5`` and ``100.00`` as ints, ``12.5`` or ``1e3`` as floats; text that
    is no number comes back unchanged, for the core to refuse as ``invalid_type``."""
    if _INTEGRAL.fullmatch(text):
        try:
            return int(text.strip().split(".")[0])
        except ValueError:  # more digits than Python converts: no 64-bit number either
            pass
    try:
        return float(text)
    except ValueError:
        return text


def json_number(text: str) -> int | float:
    """``json.loads``' ``parse_float``: ``100.0`` stays an exact integer as well."""
    number = number_from_text(text)
    assert not isinstance(number, str)  # the JSON decoder only hands over number literals
    return number


def loads(text: str) -> Any:
    """JSON text with its integral numbers kept exact (``2**62 + 7``, also as ``….0``)."""
    return json.loads(text, parse_float=json_number)
