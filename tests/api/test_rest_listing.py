"""GET /api/metrics in-process: pagination meta, sorting, filters, and query validation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from metric_registry import MetricRegistry

from ._support import Api, check_metric_json, codes, failure, serving, success

# uid, name, value_type, context_type, is_active — created in this order (so created_at rises).
CATALOG = [
    ("total_ar", "total ar outstanding", "currency", "ORGANIZATION", True),
    ("dso", "days sales outstanding", "days", "ORGANIZATION", True),
    ("party_dso", "party dso", "days", "PARTY", True),
    ("churn_rate", "churn rate", "percentage", "USER", False),
    ("ar_ratio", "collection ratio", "ratio", "ORGANIZATION", False),
]


@pytest.fixture
def api(registry: MetricRegistry) -> Iterator[Api]:
    with serving(registry) as served:
        for uid, name, value_type, context_type, is_active in CATALOG:
            served.create(
                uid=uid,
                name=name,
                value_type=value_type,
                context_type=context_type,
                is_active=is_active,
            )
        yield served


def listing(api: Api, query: str, token: str = "read") -> dict[str, Any]:
    data: dict[str, Any] = success(
        api.request("GET", f"/api/metrics{query}", token=token), "Metrics retrieved"
    )
    assert set(data) == {"items", "_meta"}
    for item in data["items"]:
        check_metric_json(item)
    return data


def uids(data: dict[str, Any]) -> list[str]:
    return [item["uid"] for item in data["items"]]


BY_UID = sorted(row[0] for row in CATALOG)


def test_the_default_listing_is_every_metric_by_uid_with_its_meta(api: Api) -> None:
    data = listing(api, "")

    assert uids(data) == BY_UID
    assert data["_meta"] == {"page": 1, "per_page": 25, "total_pages": 1, "total_items": 5}
    assert data["items"][0] == success(
        api.request("GET", f"/api/metrics/{BY_UID[0]}"), "Metric retrieved"
    )


@pytest.mark.parametrize(
    ("query", "expected", "meta"),
    [
        ("?per_page=2", BY_UID[0:2], (1, 2, 3, 5)),
        ("?per_page=2&page=2", BY_UID[2:4], (2, 2, 3, 5)),
        ("?per_page=2&page=3", BY_UID[4:5], (3, 2, 3, 5)),
        ("?per_page=2&page=4", [], (4, 2, 3, 5)),
        ("?page=1&per_page=100", BY_UID, (1, 100, 1, 5)),
        ("?per_page=1&is_active=false", ["ar_ratio"], (1, 1, 2, 2)),
        ("?value_type=ratio&is_active=true", [], (1, 25, 0, 0)),
    ],
)
def test_pages_and_their_meta(
    api: Api, query: str, expected: list[str], meta: tuple[int, int, int, int]
) -> None:
    data = listing(api, query)

    assert uids(data) == expected
    assert data["_meta"] == dict(
        zip(("page", "per_page", "total_pages", "total_items"), meta, strict=True)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?sort=uid", BY_UID),
        ("?sort=%2Buid", BY_UID),
        ("?sort=+uid", BY_UID),  # a plus in a query string is a space
        ("?sort=-uid", BY_UID[::-1]),
        ("?sort=%2Bname", ["churn_rate", "ar_ratio", "dso", "party_dso", "total_ar"]),
        ("?sort=-name", ["total_ar", "party_dso", "dso", "ar_ratio", "churn_rate"]),
        ("?sort=-created_at", [row[0] for row in reversed(CATALOG)]),
        ("?sort=%2Bcreated_at", [row[0] for row in CATALOG]),
        ("?sort=%2Bupdated_at", [row[0] for row in CATALOG]),
        ("?sort=value_type", ["total_ar", "dso", "party_dso", "churn_rate", "ar_ratio"]),
        ("?sort=-context_type", ["churn_rate", "party_dso", "total_ar", "dso", "ar_ratio"]),
    ],
)
def test_sorting(api: Api, query: str, expected: list[str]) -> None:
    assert uids(listing(api, query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?is_active=true", ["dso", "party_dso", "total_ar"]),
        ("?is_active=false", ["ar_ratio", "churn_rate"]),
        ("?value_type=days", ["dso", "party_dso"]),
        ("?context_type=ORGANIZATION", ["ar_ratio", "dso", "total_ar"]),
        ("?search=DSO", ["dso", "party_dso"]),
        ("?search=outstanding", ["dso", "total_ar"]),
        ("?search=ar", ["ar_ratio", "party_dso", "total_ar"]),
        ("?search=%25", []),  # a literal percent sign, not a wildcard
        ("?search=_", ["ar_ratio", "churn_rate", "party_dso", "total_ar"]),
        ("?search=", BY_UID),
        ("?context_type=ORGANIZATION&is_active=true&search=ar", ["total_ar"]),
        ("?value_type=days&sort=-uid&per_page=1", ["party_dso"]),
    ],
)
def test_filters(api: Api, query: str, expected: list[str]) -> None:
    assert uids(listing(api, query)) == expected


def test_listing_works_with_a_write_token_too(api: Api) -> None:
    assert uids(listing(api, "", token="write")) == BY_UID


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?page=abc", {("page", "invalid_type")}),
        ("?page=", {("page", "invalid_type")}),
        ("?page=1.5", {("page", "invalid_type")}),
        ("?page=%D9%A1", {("page", "invalid_type")}),  # an Arabic-Indic one: not ASCII digits
        ("?page=0", {("page", "out_of_range")}),
        ("?page=-1", {("page", "out_of_range")}),
        ("?page=" + "9" * 30, {("page", "out_of_range")}),
        ("?page=" + "9" * 5000, {("page", "invalid_type")}),
        ("?per_page=0", {("per_page", "out_of_range")}),
        ("?per_page=101", {("per_page", "out_of_range")}),
        ("?per_page=ten", {("per_page", "invalid_type")}),
        ("?is_active=yes", {("is_active", "invalid_type")}),
        ("?is_active=True", {("is_active", "invalid_type")}),
        ("?is_active=1", {("is_active", "invalid_type")}),
        ("?value_type=Currency", {("value_type", "invalid_choice")}),
        ("?context_type=organization", {("context_type", "invalid_choice")}),
        ("?sort=uid2", {("sort", "invalid_choice")}),
        ("?sort=*uid", {("sort", "invalid_choice")}),
        ("?sort=--uid", {("sort", "invalid_choice")}),
        ("?sort=%2Bdescription", {("sort", "invalid_choice")}),
        ("?search=" + "x" * 256, {("search", "too_long")}),
        ("?valuetype=days", {("valuetype", "unknown_field")}),
        ("?page=1&page=2", {("page", "invalid_type")}),
        (
            "?page=x&per_page=500&sort=up&is_active=maybe&limit=3",
            {
                ("page", "invalid_type"),
                ("per_page", "out_of_range"),
                ("sort", "invalid_choice"),
                ("is_active", "invalid_type"),
                ("limit", "unknown_field"),
            },
        ),
    ],
)
def test_invalid_query_parameters_are_422_naming_each(
    api: Api, query: str, expected: set[tuple[str, str]]
) -> None:
    errors = failure(api.request("GET", f"/api/metrics{query}", token="read"), 422)

    assert codes(errors) == expected
    assert len(errors) == len(expected)
