"""The REST envelope: every answer under /api/ is one of these two JSON shapes.

Success: ``{"status": "success", "status_code": 200, "message": …, "data": …}``.
Failure: ``{"status": "error", "status_code": N, "message": …, "errors": […]}``, each entry
``{"field", "code", "message"}``: one per rejected field, or one naming what went wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import pydantic_core
from starlette.responses import Response

from metric_registry import ConflictError, FieldError, Metric, NotFoundError, Page, ValidationError

JSON_MEDIA_TYPE: Final = "application/json"


class JSONBytesResponse(Response):
    """A response whose body is already JSON bytes."""

    media_type = JSON_MEDIA_TYPE


def success(message: str, data: object) -> Response:
    """HTTP 200 with ``data`` (plain JSON values or pydantic models, dumped in JSON mode)."""
    body = {"status": "success", "status_code": 200, "message": message, "data": data}
    return JSONBytesResponse(pydantic_core.to_json(body))


def page_data(page: Page[Metric]) -> dict[str, object]:
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


def failure(
    status_code: int,
    message: str,
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error answer; each entry of ``errors`` names a field, a stable code and a reason."""
    body = {
        "status": "error",
        "status_code": status_code,
        "message": message,
        "errors": [error.as_dict() for error in errors],
    }
    return JSONBytesResponse(pydantic_core.to_json(body), status_code, headers=headers)


def entry(field: str, code: str, message: str) -> FieldError:
    """An error entry outside the core's field codes (``malformed_json``, ``not_found``…)."""
    return FieldError(field, code, message)  # type: ignore[arg-type]


def invalid(exc: ValidationError) -> Response:
    return failure(422, exc.message, exc.errors)


def not_found(exc: NotFoundError) -> Response:
    return failure(404, exc.message, [entry("uid", exc.code, exc.message)])


def conflict(exc: ConflictError) -> Response:
    return failure(409, exc.message, [entry("uid", exc.code, exc.message)])
