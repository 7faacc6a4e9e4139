"""list_metrics on both engines: filters, search, sorting, pagination, parameter checks."""

from __future__ import annotations

from typing import Any

import pytest

from metric_registry import ContextType, Metric, MetricRegistry, ValidationError, ValueType

from ._support import errors_of

# uid, name, context_type, value_type, is_active
CATALOG = [
    ("total_ar", "Total AR Outstanding", "ORGANIZATION", "currency", True),
    ("dso", "Days Sales Outstanding", "ORGANIZATION", "days", True),
    ("dpo", "Days Sales Outstanding", "PARTY", "days", False),
    ("party_margin", "100% Margin", "PARTY", "percentage", True),
    ("churn_rate", "Churn Rate", "USER", "ratio", False),
    ("logins", "logins_total", "USER", "count", True),
    ("growth", "Growth a\\b", "ORGANIZATION", "ratio", True),
    ("zeta", "Zeta", "ORGANIZATION", "count", True),
    ("settle_days", "Settlement days", "ORGANIZATION", "days", True),
]
ALL_UIDS = sorted(uid for uid, *_ in CATALOG)


@pytest.fixture
def catalog(registry: MetricRegistry) -> dict[str, Metric]:
    """The catalog, created in order; two metrics updated afterwards (distinct updated_at)."""
    for uid, name, context_type, value_type, is_active in CATALOG:
        registry.create_metric(
            uid=uid,
            name=name,
            context_type=context_type,
            value_type=value_type,
            is_active=is_active,
            description="hidden needle",
        )
    registry.update_metric("zeta", formula="z")
    registry.update_metric("dso", formula="d")
    return {uid: registry.get_metric(uid) for uid in ALL_UIDS}


def uids(page: Any) -> list[str]:
    return [metric.uid for metric in page.items]


# -- filters and search ----------------------------------------------------------------------

FILTERS = [
    pytest.param({}, ALL_UIDS, id="none"),
    pytest.param({"is_active": True}, sorted(set(ALL_UIDS) - {"dpo", "churn_rate"}), id="active"),
    pytest.param({"is_active": False}, ["churn_rate", "dpo"], id="inactive"),
    pytest.param({"value_type": "days"}, ["dpo", "dso", "settle_days"], id="value_type-str"),
    pytest.param({"value_type": ValueType.COUNT}, ["logins", "zeta"], id="value_type-enum"),
    pytest.param({"value_type": "currency"}, ["total_ar"], id="value_type-currency"),
    pytest.param({"context_type": "PARTY"}, ["dpo", "party_margin"], id="context_type-str"),
    pytest.param({"context_type": ContextType.USER}, ["churn_rate", "logins"], id="context-enum"),
    pytest.param(
        {"is_active": True, "value_type": "days"}, ["dso", "settle_days"], id="active-days"
    ),
    pytest.param(
        {"is_active": False, "value_type": "ratio", "context_type": "USER"},
        ["churn_rate"],
        id="three-filters",
    ),
    pytest.param({"value_type": "ratio", "context_type": "PARTY"}, [], id="no-match"),
    pytest.param(
        {"context_type": "ORGANIZATION", "search": "outstanding"},
        ["dso", "total_ar"],
        id="context-and-search",
    ),
]

SEARCHES = [
    pytest.param("ar", ["party_margin", "total_ar"], id="uid-and-name"),
    pytest.param("AR", ["party_margin", "total_ar"], id="upper-case"),
    pytest.param("Outstanding", ["dpo", "dso", "total_ar"], id="name"),
    pytest.param("OUTSTANDING", ["dpo", "dso", "total_ar"], id="name-upper"),
    pytest.param("dso", ["dso"], id="uid-only"),
    pytest.param("%", ["party_margin"], id="percent-literal"),
    pytest.param("0%", ["party_margin"], id="percent-after-digit"),
    pytest.param("_", ["churn_rate", "logins", "party_margin", "settle_days", "total_ar"], id="_"),
    pytest.param("s_t", ["logins"], id="underscore-literal"),
    pytest.param("\\", ["growth"], id="backslash"),
    pytest.param("a\\b", ["growth"], id="backslash-inside"),
    pytest.param("needle", [], id="description-not-searched"),
    pytest.param("zz", [], id="nothing"),
    pytest.param("", ALL_UIDS, id="empty-is-no-filter"),
]


@pytest.mark.parametrize(("filters", "expected"), FILTERS)
def test_filters(
    registry: MetricRegistry, catalog: dict[str, Metric], filters: dict[str, Any], expected: list
) -> None:
    page = registry.list_metrics(**filters)
    assert uids(page) == expected
    assert page.total_items == len(expected)
    assert all(metric == catalog[metric.uid] for metric in page.items)


@pytest.mark.parametrize(("search", "expected"), SEARCHES)
def test_search(
    registry: MetricRegistry, catalog: dict[str, Metric], search: str, expected: list[str]
) -> None:
    page = registry.list_metrics(search=search)
    assert uids(page) == expected
    assert page.total_items == len(expected)


@pytest.mark.parametrize(
    ("name", "search"),
    [
        pytest.param("Receivables", "RECEIVABLES", id="ascii"),
        pytest.param("\u00c9clair index", "\u00e9clair", id="e-acute"),
        pytest.param("Stra\u00dfe", "STRA\u00dfE", id="sharp-s-unchanged"),
        pytest.param(
            "\u041c\u0435\u0442\u0440\u0438\u043a\u0430", "\u043c\u0435\u0442", id="cyrillic"
        ),
    ],
)
def test_search_is_case_insensitive_beyond_ascii(
    registry: MetricRegistry, name: str, search: str
) -> None:
    registry.create_metric(uid="target", name=name)
    registry.create_metric(uid="other", name="Other")
    assert uids(registry.list_metrics(search=search)) == ["target"]


# -- sorting ---------------------------------------------------------------------------------

SORT_FIELDS = ["uid", "name", "context_type", "value_type", "created_at", "updated_at"]


@pytest.mark.parametrize("field", SORT_FIELDS)
@pytest.mark.parametrize("sign", ["+", "-"])
def test_sort_with_ties_broken_by_uid(
    registry: MetricRegistry, catalog: dict[str, Metric], field: str, sign: str
) -> None:
    descending = sign == "-"
    expected = sorted(
        catalog.values(),
        key=lambda metric: (getattr(metric, field), metric.uid),
        reverse=descending,
    )
    assert uids(registry.list_metrics(sort=f"{sign}{field}")) == [m.uid for m in expected]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        pytest.param(
            "+name",
            [
                "party_margin",
                "churn_rate",
                "dpo",
                "dso",
                "growth",
                "settle_days",
                "total_ar",
                "zeta",
                "logins",
            ],
            id="+name-bytewise-ties-by-uid",
        ),
        pytest.param(
            "-context_type",
            [
                "logins",
                "churn_rate",
                "party_margin",
                "dpo",
                "zeta",
                "total_ar",
                "settle_days",
                "growth",
                "dso",
            ],
            id="-context_type",
        ),
        pytest.param(
            "-updated_at",
            [
                "dso",
                "zeta",
                "settle_days",
                "growth",
                "logins",
                "churn_rate",
                "party_margin",
                "dpo",
                "total_ar",
            ],
            id="-updated_at",
        ),
        pytest.param(
            "+created_at",
            [uid for uid, *_ in CATALOG],
            id="+created_at",
        ),
    ],
)
def test_sort_examples(
    registry: MetricRegistry, catalog: dict[str, Metric], sort: str, expected: list[str]
) -> None:
    assert uids(registry.list_metrics(sort=sort)) == expected


def test_default_sort_is_uid_ascending(
    registry: MetricRegistry, catalog: dict[str, Metric]
) -> None:
    assert uids(registry.list_metrics()) == ALL_UIDS


@pytest.mark.parametrize("sign", ["+", "-"])
def test_sort_applies_before_pagination(
    registry: MetricRegistry, catalog: dict[str, Metric], sign: str
) -> None:
    whole = uids(registry.list_metrics(sort=f"{sign}name"))
    pages = [
        uids(registry.list_metrics(sort=f"{sign}name", page=n, per_page=2)) for n in (1, 2, 3, 4, 5)
    ]
    assert [uid for page in pages for uid in page] == whole


# -- pagination ------------------------------------------------------------------------------

PAGES = [
    pytest.param(1, 4, ALL_UIDS[0:4], 3, id="first"),
    pytest.param(2, 4, ALL_UIDS[4:8], 3, id="middle"),
    pytest.param(3, 4, ALL_UIDS[8:9], 3, id="last-partial"),
    pytest.param(4, 4, [], 3, id="past-the-end"),
    pytest.param(1000, 4, [], 3, id="far-past-the-end"),
    pytest.param(1, 9, ALL_UIDS, 1, id="exactly-one-page"),
    pytest.param(2, 9, [], 1, id="after-exact-page"),
    pytest.param(1, 100, ALL_UIDS, 1, id="max-per-page"),
    pytest.param(9, 1, ALL_UIDS[8:9], 9, id="per-page-1"),
]


@pytest.mark.parametrize(("page", "per_page", "expected", "total_pages"), PAGES)
def test_pagination(
    registry: MetricRegistry,
    catalog: dict[str, Metric],
    page: int,
    per_page: int,
    expected: list[str],
    total_pages: int,
) -> None:
    listing = registry.list_metrics(page=page, per_page=per_page)
    assert uids(listing) == expected
    assert (listing.page, listing.per_page, listing.total_pages, listing.total_items) == (
        page,
        per_page,
        total_pages,
        9,
    )


def test_pagination_counts_only_matching_items(
    registry: MetricRegistry, catalog: dict[str, Metric]
) -> None:
    listing = registry.list_metrics(is_active=True, per_page=3, page=3)
    assert (listing.total_items, listing.total_pages) == (7, 3)
    assert uids(listing) == sorted(set(ALL_UIDS) - {"dpo", "churn_rate"})[6:]


@pytest.mark.parametrize("filters", [{}, {"is_active": True}, {"search": "x"}])
def test_empty_registry(registry: MetricRegistry, filters: dict[str, Any]) -> None:
    listing = registry.list_metrics(**filters)
    assert listing.items == ()
    assert (listing.page, listing.per_page, listing.total_pages, listing.total_items) == (
        1,
        25,
        0,
        0,
    )


def test_default_page_size_is_25(registry: MetricRegistry) -> None:
    for number in range(26):
        registry.create_metric(uid=f"m{number:02d}", name=f"M {number}")
    first, second = registry.list_metrics(), registry.list_metrics(page=2)
    assert (len(first.items), first.per_page, first.total_pages, first.total_items) == (
        25,
        25,
        2,
        26,
    )
    assert uids(second) == ["m25"]


# -- parameter checks ------------------------------------------------------------------------

BAD_PARAMETERS = [
    pytest.param({"sort": "+nope"}, "sort", "invalid_choice", id="sort-unknown"),
    pytest.param({"sort": "-description"}, "sort", "invalid_choice", id="sort-unsortable"),
    pytest.param({"sort": "uid desc"}, "sort", "invalid_choice", id="sort-sql-style"),
    pytest.param({"sort": "+UID"}, "sort", "invalid_choice", id="sort-case"),
    pytest.param({"sort": "++uid"}, "sort", "invalid_choice", id="sort-double-sign"),
    pytest.param({"sort": ""}, "sort", "invalid_choice", id="sort-empty"),
    pytest.param({"sort": None}, "sort", None, id="sort-null"),
    pytest.param({"sort": 5}, "sort", None, id="sort-int"),
    pytest.param({"page": 0}, "page", "out_of_range", id="page-0"),
    pytest.param({"page": -1}, "page", "out_of_range", id="page-negative"),
    pytest.param({"page": "1"}, "page", "invalid_type", id="page-str"),
    pytest.param({"page": 1.0}, "page", "invalid_type", id="page-float"),
    pytest.param({"page": True}, "page", "invalid_type", id="page-bool"),
    pytest.param({"page": None}, "page", "invalid_type", id="page-null"),
    pytest.param({"page": 2**63}, "page", "out_of_range", id="page-huge"),
    pytest.param({"per_page": 0}, "per_page", "out_of_range", id="per_page-0"),
    pytest.param({"per_page": 101}, "per_page", "out_of_range", id="per_page-101"),
    pytest.param({"per_page": "25"}, "per_page", "invalid_type", id="per_page-str"),
    pytest.param({"per_page": False}, "per_page", "invalid_type", id="per_page-bool"),
    pytest.param({"is_active": "true"}, "is_active", "invalid_type", id="is_active-str"),
    pytest.param({"is_active": 1}, "is_active", "invalid_type", id="is_active-1"),
    pytest.param({"is_active": 0}, "is_active", "invalid_type", id="is_active-0"),
    pytest.param({"value_type": "CURRENCY"}, "value_type", "invalid_choice", id="value_type-case"),
    pytest.param({"value_type": "money"}, "value_type", "invalid_choice", id="value_type-unknown"),
    pytest.param({"value_type": 5}, "value_type", None, id="value_type-int"),
    pytest.param(
        {"context_type": "organization"}, "context_type", "invalid_choice", id="context-case"
    ),
    pytest.param({"search": 5}, "search", "invalid_type", id="search-int"),
    pytest.param({"search": 0}, "search", "invalid_type", id="search-zero"),
    pytest.param({"search": ["ar"]}, "search", "invalid_type", id="search-list"),
    pytest.param({"search": "x" * 256}, "search", "too_long", id="search-256"),
]


@pytest.mark.parametrize(("parameters", "field", "code"), BAD_PARAMETERS)
def test_bad_parameter_is_named(
    file_registry: MetricRegistry, parameters: dict[str, Any], field: str, code: str | None
) -> None:
    with pytest.raises(ValidationError) as caught:
        file_registry.list_metrics(**parameters)
    assert [item.field for item in caught.value.errors] == [field]
    if code is None:  # a wrong type: SPEC §3 allows either code
        assert caught.value.errors[0].code in {"invalid_choice", "invalid_type"}
    else:
        assert caught.value.errors[0].code == code


@pytest.mark.parametrize("per_page", [1, 100])
@pytest.mark.parametrize("page", [1, 2**31 - 1])
def test_parameter_bounds_are_accepted(registry: MetricRegistry, page: int, per_page: int) -> None:
    registry.create_metric(uid="only", name="Only")
    listing = registry.list_metrics(page=page, per_page=per_page)
    assert uids(listing) == (["only"] if page == 1 else [])
    assert listing.total_items == 1


def test_every_bad_parameter_is_reported(file_registry: MetricRegistry) -> None:
    with pytest.raises(ValidationError) as caught:
        file_registry.list_metrics(
            sort="bogus", page=0, per_page=500, value_type="x", is_active="y"
        )
    assert errors_of(caught.value) == {
        ("sort", "invalid_choice"),
        ("page", "out_of_range"),
        ("per_page", "out_of_range"),
        ("value_type", "invalid_choice"),
        ("is_active", "invalid_type"),
    }


def test_sort_error_lists_the_sortable_fields(file_registry: MetricRegistry) -> None:
    with pytest.raises(ValidationError) as caught:
        file_registry.list_metrics(sort="+description")
    assert all(field in caught.value.errors[0].message for field in SORT_FIELDS)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        pytest.param("\n", [], id="newline"),
        pytest.param("b\nc", [], id="across-uid-and-name"),
        pytest.param("xy", ["xy"], id="in-uid"),
        pytest.param("CD", ["ab"], id="in-name"),
        pytest.param("b c", ["xy"], id="in-name-with-space"),
    ],
)
def test_search_matches_within_the_uid_or_within_the_name(
    registry: MetricRegistry, search: str, expected: list[str]
) -> None:
    registry.create_metric(uid="ab", name="cd")
    registry.create_metric(uid="xy", name="Ab C")
    assert uids(registry.list_metrics(search=search)) == expected
    assert registry.list_metrics(search=search).total_items == len(expected)
