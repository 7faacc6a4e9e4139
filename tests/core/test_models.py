"""Read models: the JSON shape of SPEC §2, immutability, enum spellings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pydantic
import pytest

from metric_registry import (
    ContextType,
    Metric,
    MetricRegistry,
    Page,
    PeriodDefinition,
    StorageUnit,
    Token,
    TokenScope,
    ValueType,
)
from metric_registry.models import format_timestamp

from ._support import METRIC_KEYS, TIMESTAMP_JSON

ENUM_VALUES = [
    pytest.param(ContextType, ["ORGANIZATION", "PARTY", "USER"], id="context_type"),
    pytest.param(ValueType, ["currency", "percentage", "days", "count", "ratio"], id="value_type"),
    pytest.param(StorageUnit, ["raw", "cents"], id="storage_unit"),
    pytest.param(
        PeriodDefinition,
        ["as_of_date", "trailing_30_days", "calendar_month", "month_to_date"],
        id="period_definition",
    ),
    pytest.param(TokenScope, ["read", "write"], id="token_scope"),
]


@pytest.mark.parametrize(("enum", "spellings"), ENUM_VALUES)
def test_enums_are_str_enums_with_the_spec_spellings(enum: type, spellings: list[str]) -> None:
    assert [member.value for member in enum] == spellings
    assert all(isinstance(member, str) and member == member.value for member in enum)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        pytest.param(
            datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC), "2023-11-07T05:31:56Z", id="utc"
        ),
        pytest.param(
            datetime(2023, 11, 7, 5, 31, 56, 999_999, tzinfo=UTC),
            "2023-11-07T05:31:56Z",
            id="microseconds-dropped",
        ),
        pytest.param(
            datetime(2024, 2, 29, 0, 0, 0, tzinfo=UTC), "2024-02-29T00:00:00Z", id="leap-day"
        ),
    ],
)
def test_format_timestamp(moment: datetime, expected: str) -> None:
    assert format_timestamp(moment) == expected


def test_timestamps_from_another_zone_are_shown_in_utc() -> None:
    moment = datetime(2023, 11, 7, 7, 31, 56, tzinfo=timezone(timedelta(hours=2)))
    metric = Metric(
        uid="m",
        name="M",
        context_type=ContextType.ORGANIZATION,
        description=None,
        formula=None,
        value_type=ValueType.COUNT,
        storage_unit=StorageUnit.RAW,
        is_snapshot=False,
        period_definition=None,
        is_active=True,
        created_at=moment,
        updated_at=moment,
    )
    assert metric.model_dump(mode="json")["created_at"] == "2023-11-07T05:31:56Z"


def test_metric_json_is_exactly_the_spec_shape(registry: MetricRegistry) -> None:
    created = registry.create_metric(
        uid="party_dso",
        name="  Party DSO  ",
        context_type="PARTY",
        description="Days sales outstanding per party",
        formula="(Average AR / Credit Sales) x Days in period",
        value_type="days",
        storage_unit="raw",
        is_snapshot=True,
        period_definition="trailing_30_days",
        is_active=False,
    )
    for metric in (created, registry.get_metric("party_dso")):
        document = metric.model_dump(mode="json")
        assert set(document) == METRIC_KEYS
        timestamps = {key: document.pop(key) for key in ("created_at", "updated_at")}
        assert document == {
            "uid": "party_dso",
            "name": "Party DSO",
            "context_type": "PARTY",
            "description": "Days sales outstanding per party",
            "formula": "(Average AR / Credit Sales) x Days in period",
            "value_type": "days",
            "storage_unit": "raw",
            "is_snapshot": True,
            "period_definition": "trailing_30_days",
            "is_active": False,
        }
        assert all(re.fullmatch(TIMESTAMP_JSON, value) for value in timestamps.values())
        assert timestamps["created_at"] == timestamps["updated_at"]
        assert all(type(value) in (str, bool, type(None)) for value in document.values())


def test_metric_timestamps_are_aware_utc(registry: MetricRegistry) -> None:
    metric = registry.get_metric(registry.create_metric(uid="m", name="M").uid)
    before = datetime.now(UTC)
    for moment in (metric.created_at, metric.updated_at):
        assert moment.utcoffset() == timedelta(0)
        assert before - timedelta(minutes=5) < moment <= before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("name", "Other", id="name"),
        pytest.param("uid", "other", id="uid"),
        pytest.param("is_active", False, id="is_active"),
        pytest.param("updated_at", datetime(2000, 1, 1, tzinfo=UTC), id="updated_at"),
    ],
)
def test_returned_metrics_are_frozen(registry: MetricRegistry, field: str, value: object) -> None:
    for metric in (registry.create_metric(uid="m", name="M"), registry.get_metric("m")):
        with pytest.raises(pydantic.ValidationError, match="frozen"):
            setattr(metric, field, value)
    assert registry.get_metric("m").name == "M"


def test_pages_are_frozen(registry: MetricRegistry) -> None:
    registry.create_metric(uid="m", name="M")
    page = registry.list_metrics()
    assert isinstance(page, Page)
    assert isinstance(page.items, tuple)
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        page.page = 2  # type: ignore[misc]


def test_tokens_are_frozen_and_carry_no_secret(registry: MetricRegistry) -> None:
    issued = registry.issue_token("ci", "read")
    assert set(issued.token.model_dump()) == {"name", "scope", "created_at"}
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        issued.token.scope = TokenScope.WRITE  # type: ignore[misc]
    assert isinstance(issued.token, Token)


@pytest.mark.parametrize(
    ("held", "needed", "allowed"),
    [
        pytest.param(TokenScope.READ, TokenScope.READ, True, id="read-read"),
        pytest.param(TokenScope.READ, TokenScope.WRITE, False, id="read-write"),
        pytest.param(TokenScope.WRITE, TokenScope.READ, True, id="write-read"),
        pytest.param(TokenScope.WRITE, TokenScope.WRITE, True, id="write-write"),
    ],
)
def test_write_scope_implies_read(held: TokenScope, needed: TokenScope, allowed: bool) -> None:
    token = Token(name="t", scope=held, created_at=datetime.now(UTC))
    assert token.allows(needed) is allowed
