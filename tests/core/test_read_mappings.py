"""The reads of entities and values take their parameters as keywords or as one mapping (as
``list_metrics`` does): the faces pass what a client sent, and the core refuses what it does not
take."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from metric_registry import MetricRegistry, ValidationError

from ._support import errors_of

ACME = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
GLOBEX = "9f1b3c2e-5d7a-4e8b-9c0d-1a2b3c4d5e6f"


@pytest.fixture
def seeded(file_registry: MetricRegistry) -> MetricRegistry:
    registry = file_registry
    registry.create_metric(uid="total_ar", name="Total AR", storage_unit="cents")
    registry.create_metric(uid="dso", name="DSO", value_type="days")
    for uid, name in ((ACME, "Acme"), (GLOBEX, "Globex")):
        registry.register_entity("ORGANIZATION", uid, name)
    for day, cents in (("2026-03-14", 100), ("2026-03-15", 300)):
        registry.record_value(
            "ORGANIZATION", ACME, metric_uid="total_ar", metric_date=day, value=cents
        )
    registry.record_value(
        "ORGANIZATION", GLOBEX, metric_uid="total_ar", metric_date="2026-03-15", value=200
    )
    return registry


def test_list_values_takes_a_mapping_like_its_keywords(seeded: MetricRegistry) -> None:
    keywords = seeded.list_values(
        "ORGANIZATION", ACME, metric_uids=["total_ar"], start_date=date(2026, 3, 1), sort="+value"
    )
    mapping = seeded.list_values(
        "ORGANIZATION",
        ACME,
        {"metric_uids": ["total_ar"], "start_date": "2026-03-01", "sort": "+value"},
    )

    assert mapping == keywords
    assert [item.value for item in mapping.items] == [100, 300]


def test_list_metric_values_takes_a_mapping_like_its_keywords(seeded: MetricRegistry) -> None:
    keywords = seeded.list_metric_values("total_ar", entity_uids=[GLOBEX, ACME], sort="+value")
    mapping = seeded.list_metric_values(
        "total_ar", {"entity_uids": [GLOBEX, ACME], "sort": "+value"}
    )

    assert mapping == keywords
    assert [item.value for item in mapping.items] == [200, 300]


def test_list_entities_takes_a_mapping_like_its_keywords(seeded: MetricRegistry) -> None:
    keywords = seeded.list_entities("ORGANIZATION", search="glo", per_page=5)
    mapping = seeded.list_entities("ORGANIZATION", {"search": "glo", "per_page": 5})

    assert mapping == keywords
    assert [entity.name for entity in mapping.items] == ["Globex"]


def test_keywords_win_over_the_mapping(seeded: MetricRegistry) -> None:
    page = seeded.list_metric_values("total_ar", {"sort": "-value"}, sort="+value")

    assert [item.value for item in page.items] == [200, 300]


@pytest.mark.parametrize(
    ("read", "query"),
    [
        (lambda registry, query: registry.list_values("ORGANIZATION", ACME, query), {"x": 1}),
        (lambda registry, query: registry.list_metric_values("total_ar", query), {"metric": 1}),
        (lambda registry, query: registry.list_entities("ORGANIZATION", query), {"sort": "+uid"}),
    ],
    ids=["list_values", "list_metric_values", "list_entities"],
)
def test_an_unknown_key_of_the_mapping_is_refused(
    seeded: MetricRegistry, read: Any, query: dict[str, object]
) -> None:
    with pytest.raises(ValidationError) as caught:
        read(seeded, query)

    assert errors_of(caught.value) == {(next(iter(query)), "unknown_field")}


def test_the_positional_arguments_win_over_the_mapping(seeded: MetricRegistry) -> None:
    page = seeded.list_values("ORGANIZATION", GLOBEX, {"entity_uid": ACME, "latest": True})

    assert {item.entity_uid for item in page.items} == {GLOBEX}
