"""Turning caller input into validated models, and pydantic's errors into field codes."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Final, TypeVar, get_args

import pydantic

from .errors import FieldCode, FieldError, ValidationError, shown
from .models import INVISIBLE_MESSAGE, INVISIBLE_TEXT, UNSTORABLE_MESSAGE, UNSTORABLE_TEXT

InputT = TypeVar("InputT", bound=pydantic.BaseModel)

_CODES: Final[dict[str, FieldCode]] = {
    "missing": "required",
    "string_too_short": "required",
    "extra_forbidden": "unknown_field",
    "string_too_long": "too_long",
    "string_pattern_mismatch": "invalid_format",
    "enum": "invalid_choice",
    UNSTORABLE_TEXT: "invalid_format",
    INVISIBLE_TEXT: "invalid_format",
    "string_unicode": "invalid_format",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "greater_than": "out_of_range",
    "less_than": "out_of_range",
}
_BOUNDS: Final = {
    "greater_than_equal": ("ge", "at least"),
    "less_than_equal": ("le", "at most"),
    "greater_than": ("gt", "more than"),
    "less_than": ("lt", "less than"),
}
_PASSED_THROUGH: Final = frozenset(get_args(FieldCode))  # custom errors raised with a field code
_TYPE_NAMES: Final = {
    "string_type": "a string",
    "bool_type": "a boolean (true or false)",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "int_parsing": "an integer",
}
UID_RULE: Final = (
    "must be snake_case: a lowercase letter, then lowercase letters and digits, "
    "words joined by single underscores"
)


def merge_input(data: object, keywords: Mapping[str, object]) -> dict[str, Any]:
    """One input mapping from a positional mapping and keywords (keywords win)."""
    if data is None:
        return dict(keywords)
    if not isinstance(data, Mapping):
        raise ValidationError.single(
            "body", "invalid_type", f"must be an object of fields, not {type(data).__name__}"
        )
    merged = {str(key): value for key, value in data.items()}
    merged.update(keywords)
    return merged


def parse(model: type[InputT], payload: Mapping[str, Any], prefix: str = "") -> InputT:
    """Validate ``payload`` against ``model``, raising our ``ValidationError`` on any fault;
    field names in it start with ``prefix`` (``values[3].``)."""
    try:
        return model.model_validate(payload)
    except pydantic.ValidationError as exc:
        errors = translate(exc, model)
        if prefix:
            errors = [
                FieldError(prefix + error.field, error.code, error.message) for error in errors
            ]
        raise ValidationError(errors) from None


def translate(exc: pydantic.ValidationError, model: type[pydantic.BaseModel]) -> list[FieldError]:
    allowed = ", ".join(model.model_fields)
    return [_field_error(error, allowed) for error in exc.errors(include_url=False)]


_FIXED_MESSAGES: Final = {
    "missing": "is required",
    "string_too_short": "must not be empty",
    UNSTORABLE_TEXT: UNSTORABLE_MESSAGE,
    "string_unicode": UNSTORABLE_MESSAGE,
    INVISIBLE_TEXT: INVISIBLE_MESSAGE,
}


def _field_error(error: Any, allowed_fields: str) -> FieldError:
    kind: str = error["type"]
    field = ".".join(str(part) for part in error["loc"]) or "body"
    if kind in _PASSED_THROUGH:
        return FieldError(field, kind, str(error["msg"]))  # type: ignore[arg-type]
    if kind != "missing" and error.get("input", ...) is None:
        return FieldError(field, "invalid_type", "must not be null")
    if kind == "enum" and not isinstance(error["input"], str):
        message = f"must be a string, one of {error['ctx']['expected']}"
        return FieldError(field, "invalid_type", f"{message}; got {_json_type(error['input'])}")
    if kind == "extra_forbidden":
        message = f"is not a known field (known fields: {allowed_fields})"
    else:
        message = _FIXED_MESSAGES.get(kind) or _message(kind, field, error)
    return FieldError(field, _CODES.get(kind, "invalid_type"), message)


def _message(kind: str, field: str, error: Any) -> str:
    context = error.get("ctx") or {}
    if kind == "string_too_long":
        return f"must be at most {context['max_length']} characters, got {len(error['input'])}"
    if kind in _BOUNDS:
        bound, words = _BOUNDS[kind]
        return f"must be {words} {context[bound]}, got {shown(error['input'])}"
    if kind == "string_pattern_mismatch":
        return UID_RULE if field == "uid" else f"must match {context['pattern']}"
    if kind == "enum":
        return f"must be one of {context['expected']}, got {shown(error['input'])}"
    if kind in _TYPE_NAMES:
        return f"must be {_TYPE_NAMES[kind]}, got {_json_type(error['input'])}"
    return str(error["msg"])


_JSON_TYPES: Final = (
    (bool, "a boolean"),
    (int | float, "a number"),
    (str, "a string"),
    (list | tuple, "a list"),
    (Mapping, "an object"),
)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return next(
        (name for kind, name in _JSON_TYPES if isinstance(value, kind)), type(value).__name__
    )


def choice(field: str, value: object, enum: type[StrEnum]) -> FieldError | None:
    """A field error unless ``value`` is one of ``enum``'s values (or a member of it)."""
    if isinstance(value, enum):
        return None
    if isinstance(value, str) and value in enum._value2member_map_:
        return None
    allowed = ", ".join(repr(member.value) for member in enum)
    return FieldError(field, "invalid_choice", f"must be one of {allowed}, got {shown(value)}")
