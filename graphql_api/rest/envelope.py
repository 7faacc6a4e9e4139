"""The REST envelope of a success: ``{"status": "success", "status_code": 200, "message": …,
"data": …}``. Failures are answered by ``graphql_api.edge.answers``, in every phase."""

from __future__ import annotations

from typing import Any

import pydantic_core
from starlette.responses import Response

from metric_registry import Page

from ..edge.answers import JSONBytesResponse


def success(message: str, data: object) -> Response:
    """HTTP 200 with ``data`` (plain JSON values or pydantic models, dumped in JSON mode: an
    integer stays an integer, ``350000000`` never becomes ``350000000.0``)."""
    body = {"status": "success", "status_code": 200, "message": message, "data": data}
    return JSONBytesResponse(pydantic_core.to_json(body))


def page_data(page: Page[Any]) -> dict[str, object]:
    """A listing's ``data``: the items and the ``_meta`` a client pages with."""
    return {
        "items": page.items,
        "_meta": {
            "page": page.page,
            "per_page": page.per_page,
            "total_pages": page.total_pages,
            "total_items": page.total_items,
        },
    }
