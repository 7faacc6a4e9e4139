"""Writing results: JSON on stdout, messages on stderr."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel


def print_json(value: Any) -> None:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    print(json.dumps(value, indent=2, ensure_ascii=False))
