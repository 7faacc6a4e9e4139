"""Reading values (SPEC §9.5) on both engines: one entity's values (defaults, filters,
latest, as_of, metadata, sorts, pages) and one metric across entities.

One read-only data set per engine, recorded value by value with a clock that ticks, so that
``created_at`` follows the order below; "today" is 2026-03-20 (UTC).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from metric_registry import MetricRegistry, NotFoundError, ValidationError

from ._support import errors_of
from ._value_support import (
    ENGINES,
    ORG,
    ORG_A,
    ORG_B,
    PARTY,
    START,
    UNREGISTERED,
    Ticking,
    add_catalog,
    fixed,
    module_database,
)

ORG_C = "c0c0c0c0-0000-4000-8000-000000000000"
ORG_D = "d0d0d0d0-0000-4000-8000-000000000000"
ORG_E = "e0e0e0e0-0000-4000-8000-000000000000"
PARTIES = {name: f"{number}0000000-0000-4000-8000-00000000000{number}" for number, name in
           enumerate(["P1", "P2", "P3", "P4", "P5"], start=1)}  # fmt: skip
NAME_OF = {uid: name for name, uid in PARTIES.items()} | {ORG_C: "C", ORG_D: "D", ORG_E: "E"}

# (entity, metric, time_unit, metric_date, value, metadata), in the order recorded.
DATA: list[tuple[str, str, str, str, int | float, dict[str, Any]]] = [
    (ORG_A, "total_ar", "day", "2025-12-20", 10, {}),
    (ORG_A, "total_ar", "day", "2025-12-21", 20, {"n": 2}),
    (ORG_A, "total_ar", "day", "2026-03-01", 30, {}),
    (ORG_A, "total_ar", "day", "2026-03-20", 40, {"n": 4}),
    (ORG_A, "total_ar", "day", "2026-03-21", 50, {}),  # tomorrow
    (ORG_A, "dso", "day", "2024-01-01", 99.0, {}),
    (ORG_A, "dso", "day", "2026-03-01", 45.5, {"source": "erp"}),
    (ORG_A, "dso", "day", "2026-03-20", 40.25, {}),
    (ORG_A, "balance", "day", "2026-03-10", -5, {}),
    (ORG_A, "balance", "day", "2026-03-20", 7, {}),
    (ORG_A, "mtd_sales", "day", "2025-06-30", 1, {}),
    (ORG_A, "monthly_ar", "month", "2026-01-01", 100, {}),
    (ORG_A, "monthly_ar", "month", "2026-02-01", 200, {}),
    (ORG_A, "total_ar", "month", "2026-03-01", 300, {}),
    (ORG_A, "total_ar", "year", "2025-01-01", 3000, {}),
    (ORG_B, "total_ar", "day", "2026-03-20", 999, {}),
    (ORG_B, "dso", "day", "2026-03-15", 60.0, {}),
    (PARTIES["P1"], "party_dso", "day", "2026-03-01", 30.0, {}),
    (PARTIES["P1"], "party_dso", "day", "2026-03-15", 35.0, {"p": 1}),
    (PARTIES["P2"], "party_dso", "day", "2026-03-10", 50.0, {}),
    (PARTIES["P3"], "party_dso", "day", "2026-02-01", 50.0, {}),
    (PARTIES["P4"], "party_dso", "day", "2026-03-20", 10.0, {}),
    (PARTIES["P4"], "party_dso", "day", "2026-03-25", 80.0, {}),
    # cents beyond a double's 53 bits: their order must be exact
    (ORG_D, "big_ar", "day", "2026-03-20", 2**62 + 2, {}),
    (ORG_E, "big_ar", "day", "2026-03-20", 2**62, {}),
    (ORG_C, "big_ar", "day", "2026-03-20", 2**62 + 1, {}),
    # doubles one unit in the last place apart
    (ORG_D, "tiny", "day", "2026-03-20", 1.0000000000000002, {}),
    (ORG_E, "tiny", "day", "2026-03-20", 1.0, {}),
    (ORG_C, "tiny", "day", "2026-03-20", 1.0000000000000004, {}),
]


@pytest.fixture(scope="module", params=ENGINES)
def reads_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with module_database(request.param, tmp_path_factory) as url:
        with MetricRegistry(url, clock=Ticking()) as registry:
            add_catalog(registry)
            registry.create_metric(uid="big_ar", name="Big AR", storage_unit="cents")
            registry.create_metric(uid="tiny", name="Tiny")
            for uid in (ORG_C, ORG_D, ORG_E):
                registry.register_entity(ORG, uid)
            for name, uid in PARTIES.items():
                registry.register_entity(PARTY, uid, name=name)
            for entity, metric, unit, day, value, metadata in DATA:
                context = PARTY if entity in NAME_OF and NAME_OF[entity].startswith("P") else ORG
                registry.record_value(
                    context,
                    entity,
                    metric_uid=metric,
                    time_unit=unit,
                    metric_date=day,
                    value=value,
                    metadata=metadata,
                )
        yield url


@pytest.fixture(scope="module")
def reads(reads_url: str) -> Iterator[MetricRegistry]:
    """The data set, read by a registry whose today is 2026-03-20 (UTC)."""
    with MetricRegistry(reads_url, clock=fixed(START)) as registry:
        yield registry


def keys(page: Any) -> list[tuple[str, str]]:
    return [(value.metric_uid, value.metric_date.isoformat()) for value in page.items]


def everything(read: Any, **arguments: Any) -> list[Any]:
    """Every item of a read, page by page."""
    items: list[Any] = []
    page = 1
    while True:
        listing = read(**arguments, page=page, per_page=3)
        items.extend(listing.items)
        if page >= listing.total_pages:
            assert len(items) == listing.total_items
            return items
        page += 1


DEFAULT_WINDOW = [
    ("balance", "2026-03-20"),
    ("dso", "2026-03-20"),
    ("total_ar", "2026-03-20"),
    ("balance", "2026-03-10"),
    ("dso", "2026-03-01"),
    ("total_ar", "2026-03-01"),
    ("total_ar", "2025-12-21"),
]


def test_defaults_are_the_90_days_up_to_today_newest_first(reads: MetricRegistry) -> None:
    page = reads.list_values(ORG, ORG_A)
    assert keys(page) == DEFAULT_WINDOW
    assert (page.page, page.per_page, page.total_items, page.total_pages) == (1, 25, 7, 1)
    assert all(value.metadata is None for value in page.items)
    assert all(value.entity_uid == ORG_A for value in page.items)


@pytest.mark.parametrize(
    ("now", "first"),
    [
        pytest.param(
            datetime(2026, 3, 20, 23, 59, tzinfo=UTC), ("balance", "2026-03-20"), id="utc"
        ),
        pytest.param(  # already the 21st in Tokyo, still the 20th in UTC
            datetime(2026, 3, 21, 8, 0, tzinfo=timezone(timedelta(hours=9))),
            ("balance", "2026-03-20"),
            id="tokyo-clock",
        ),
        pytest.param(  # still the 20th in Los Angeles, the 21st in UTC
            datetime(2026, 3, 20, 18, 0, tzinfo=timezone(timedelta(hours=-7))),
            ("total_ar", "2026-03-21"),
            id="los-angeles-clock",
        ),
    ],
)
def test_today_is_the_utc_date(reads_url: str, now: datetime, first: tuple[str, str]) -> None:
    with MetricRegistry(reads_url, clock=fixed(now)) as registry:
        assert keys(registry.list_values(ORG, ORG_A))[0] == first


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param({"metric_uids": ["dso"]}, [("dso", "2026-03-20"), ("dso", "2026-03-01")]),
        pytest.param(
            {"metric_uids": ["dso", "dso"]},
            [("dso", "2026-03-20"), ("dso", "2026-03-01")],
            id="a-metric-twice",
        ),
        pytest.param(
            {"metric_uids": ("total_ar", "dso")},
            [d for d in DEFAULT_WINDOW if d[0] != "balance"],
            id="two-metrics",
        ),
        pytest.param({"metric_uids": ["party_dso"]}, [], id="a-metric-of-others"),
        pytest.param({"metric_uids": []}, [], id="no-metric"),
        pytest.param(
            {"start_date": "2025-12-20", "end_date": "2025-12-21"},
            [("total_ar", "2025-12-21"), ("total_ar", "2025-12-20")],
            id="dates-inclusive",
        ),
        pytest.param(
            {"end_date": "2026-03-01"},
            [
                ("dso", "2026-03-01"),
                ("total_ar", "2026-03-01"),
                ("total_ar", "2025-12-21"),
                ("total_ar", "2025-12-20"),
            ],
            id="end-alone-90-days-back",
        ),
        pytest.param(
            {"end_date": "2026-03-19", "start_date": None},
            [*DEFAULT_WINDOW[3:], ("total_ar", "2025-12-20")],
            id="end-alone-none-for-start",
        ),
        pytest.param({"start_date": "2026-03-10"}, DEFAULT_WINDOW[:4], id="start-to-today"),
        pytest.param(
            {"start_date": "2026-03-21", "end_date": "2026-03-21"},
            [("total_ar", "2026-03-21")],
            id="tomorrow-asked-for",
        ),
        pytest.param(
            {"time_unit": "month"},
            [
                ("total_ar", "2026-03-01"),
                ("monthly_ar", "2026-02-01"),
                ("monthly_ar", "2026-01-01"),
            ],
            id="months",
        ),
        pytest.param(
            {"time_unit": "year", "start_date": "2025-01-01", "end_date": "2025-12-31"},
            [("total_ar", "2025-01-01")],
            id="years",
        ),
        pytest.param({"time_unit": "year"}, [], id="no-year-in-the-window"),
        pytest.param(
            {"start_date": "2024-01-01", "end_date": "2024-01-01"},
            [("dso", "2024-01-01")],
            id="long-ago",
        ),
        pytest.param(
            {"start_date": "2026-03-20", "end_date": "2026-03-20", "metric_uids": ["total_ar"]},
            [("total_ar", "2026-03-20")],
            id="one-day-one-metric",
        ),
    ],
)
def test_filters(reads: MetricRegistry, arguments: dict[str, Any], expected: list[Any]) -> None:
    page = reads.list_values(ORG, ORG_A, **arguments)
    assert keys(page) == expected
    assert page.total_items == len(expected)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param(
            {},
            [
                ("total_ar", "2026-03-21"),
                ("balance", "2026-03-20"),
                ("dso", "2026-03-20"),
                ("mtd_sales", "2025-06-30"),
            ],
            id="newest-of-each-metric",
        ),
        pytest.param(
            {"start_date": "2026-01-01", "end_date": "2026-01-02"},
            [
                ("total_ar", "2026-03-21"),
                ("balance", "2026-03-20"),
                ("dso", "2026-03-20"),
                ("mtd_sales", "2025-06-30"),
            ],
            id="dates-ignored",
        ),
        pytest.param(
            {"as_of": "2026-03-15"},
            [
                ("balance", "2026-03-10"),
                ("dso", "2026-03-01"),
                ("total_ar", "2026-03-01"),
                ("mtd_sales", "2025-06-30"),
            ],
            id="as-of",
        ),
        pytest.param(
            {"as_of": "2026-03-10"},
            [
                ("balance", "2026-03-10"),
                ("dso", "2026-03-01"),
                ("total_ar", "2026-03-01"),
                ("mtd_sales", "2025-06-30"),
            ],
            id="as-of-a-value-date",
        ),
        pytest.param(
            {"as_of": "2025-12-20"},
            [("total_ar", "2025-12-20"), ("mtd_sales", "2025-06-30"), ("dso", "2024-01-01")],
            id="as-of-long-ago",
        ),
        pytest.param({"as_of": "2020-01-01"}, [], id="as-of-before-everything"),
        pytest.param({"metric_uids": ["dso"]}, [("dso", "2026-03-20")], id="one-metric"),
        pytest.param(
            {"metric_uids": ["dso"], "as_of": "2026-03-19"}, [("dso", "2026-03-01")], id="both"
        ),
        pytest.param(
            {"time_unit": "month"},
            [("total_ar", "2026-03-01"), ("monthly_ar", "2026-02-01")],
            id="months",
        ),
    ],
)
def test_latest(reads: MetricRegistry, arguments: dict[str, Any], expected: list[Any]) -> None:
    page = reads.list_values(ORG, ORG_A, latest=True, **arguments)
    assert keys(page) == expected
    assert page.total_items == len(expected)


def test_latest_gives_the_stored_values(reads: MetricRegistry) -> None:
    [dso] = reads.list_values(ORG, ORG_A, latest=True, metric_uids=["dso"]).items
    assert (dso.value, type(dso.value)) == (40.25, float)
    [ar] = reads.list_values(ORG, ORG_D, latest=True, metric_uids=["big_ar"]).items
    assert (ar.value, type(ar.value)) == (2**62 + 2, int)


def test_include_metadata(reads: MetricRegistry) -> None:
    arguments = {"start_date": "2025-12-01", "end_date": "2026-03-31", "metric_uids": ["total_ar"]}
    with_metadata = reads.list_values(ORG, ORG_A, include_metadata=True, **arguments)
    assert [value.metadata for value in with_metadata.items] == [{}, {"n": 4}, {}, {"n": 2}, {}]
    without = reads.list_values(ORG, ORG_A, **arguments)
    assert [value.metadata for value in without.items] == [None] * 5
    assert [v.model_copy(update={"metadata": None}) for v in with_metadata.items] == list(
        without.items
    )
    assert without.items[0].model_dump(mode="json")["_metadata"] is None


WIDE = {"start_date": "2026-03-01", "end_date": "2026-03-20", "metric_uids": ["total_ar", "dso"]}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            "-metric_date",
            [("dso", "2026-03-20"), ("total_ar", "2026-03-20"), ("dso", "2026-03-01"),
             ("total_ar", "2026-03-01")],
        ),
        (
            "+metric_date",
            [("dso", "2026-03-01"), ("total_ar", "2026-03-01"), ("dso", "2026-03-20"),
             ("total_ar", "2026-03-20")],
        ),
        (
            "metric_date",
            [("dso", "2026-03-01"), ("total_ar", "2026-03-01"), ("dso", "2026-03-20"),
             ("total_ar", "2026-03-20")],
        ),
        (
            "+value",  # 30, 40 (cents), 40.25, 45.5 (days): the numbers, in order
            [("total_ar", "2026-03-01"), ("total_ar", "2026-03-20"), ("dso", "2026-03-20"),
             ("dso", "2026-03-01")],
        ),
        (
            "-value",
            [("dso", "2026-03-01"), ("dso", "2026-03-20"), ("total_ar", "2026-03-20"),
             ("total_ar", "2026-03-01")],
        ),
        (
            "+created_at",
            [("total_ar", "2026-03-01"), ("total_ar", "2026-03-20"), ("dso", "2026-03-01"),
             ("dso", "2026-03-20")],
        ),
        (
            "-created_at",
            [("dso", "2026-03-20"), ("dso", "2026-03-01"), ("total_ar", "2026-03-20"),
             ("total_ar", "2026-03-01")],
        ),
    ],
)  # fmt: skip
def test_sorts(reads: MetricRegistry, sort: str, expected: list[Any]) -> None:
    assert keys(reads.list_values(ORG, ORG_A, sort=sort, **WIDE)) == expected


def test_pages_partition_the_listing(reads: MetricRegistry) -> None:
    pages = [reads.list_values(ORG, ORG_A, page=number, per_page=2) for number in (1, 2, 3, 4)]
    assert [keys(page) for page in pages] == [
        DEFAULT_WINDOW[0:2],
        DEFAULT_WINDOW[2:4],
        DEFAULT_WINDOW[4:6],
        DEFAULT_WINDOW[6:],
    ]
    assert {(page.total_items, page.total_pages) for page in pages} == {(7, 4)}
    past = reads.list_values(ORG, ORG_A, page=5, per_page=2)
    assert (past.items, past.total_items, past.total_pages) == ((), 7, 4)


@pytest.mark.parametrize("sort", ["-metric_date", "+value", "-value", "+created_at"])
def test_every_sort_pages_without_overlap(reads: MetricRegistry, sort: str) -> None:
    arguments = {"start_date": "2020-01-01", "end_date": "2030-01-01", "sort": sort}
    paged = everything(lambda **a: reads.list_values(ORG, ORG_A, **a), **arguments)
    whole = reads.list_values(ORG, ORG_A, per_page=100, **arguments).items
    assert paged == list(whole)
    assert len({value.uid for value in paged}) == len(paged) == 11


def test_another_entity_sees_only_its_own(reads: MetricRegistry) -> None:
    assert keys(reads.list_values(ORG, ORG_B)) == [
        ("total_ar", "2026-03-20"),
        ("dso", "2026-03-15"),
    ]
    assert reads.list_values(ORG, ORG_B.upper()).total_items == 2


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"context_type": "org"}, {("context_type", "invalid_choice")}),
        ({"metric_uids": ["nope"]}, {("metric_uids", "not_found")}),
        ({"metric_uids": ["dso", "a\x00"]}, {("metric_uids", "not_found")}),
        ({"metric_uids": "dso"}, {("metric_uids", "invalid_type")}),
        ({"metric_uids": [5]}, {("metric_uids.0", "invalid_type")}),
        ({"start_date": "2026-03-02", "end_date": "2026-03-01"}, {("start_date", "out_of_range")}),
        ({"start_date": "2026-02-30"}, {("start_date", "invalid_format")}),
        ({"end_date": "tomorrow"}, {("end_date", "invalid_format")}),
        ({"as_of": "2026/03/01", "latest": True}, {("as_of", "invalid_format")}),
        ({"time_unit": "week"}, {("time_unit", "invalid_choice")}),
        ({"sort": "-name"}, {("sort", "invalid_choice")}),
        ({"sort": "value desc"}, {("sort", "invalid_choice")}),
        ({"page": 0}, {("page", "out_of_range")}),
        ({"per_page": 101}, {("per_page", "out_of_range")}),
        ({"latest": "yes"}, {("latest", "invalid_type")}),
        ({"include_metadata": 1}, {("include_metadata", "invalid_type")}),
    ],
)
def test_bad_reads_are_refused(
    reads: MetricRegistry, arguments: dict[str, Any], expected: set[Any]
) -> None:
    arguments = dict(arguments)
    context_type = arguments.pop("context_type", ORG)
    with pytest.raises(ValidationError) as caught:
        reads.list_values(context_type, ORG_A, **arguments)
    assert errors_of(caught.value) == expected


@pytest.mark.parametrize(
    ("context_type", "uid"),
    [(ORG, UNREGISTERED), (PARTY, ORG_A), (ORG, "not-a-uuid")],
    ids=["unregistered", "other-context", "not-a-uuid"],
)
def test_values_of_a_missing_entity_are_not_found(
    reads: MetricRegistry, context_type: str, uid: str
) -> None:
    with pytest.raises(NotFoundError):
        reads.list_values(context_type, uid)


# -- one metric across entities ----------------------------------------------------------------


def parties(page: Any) -> list[tuple[str, float]]:
    return [(NAME_OF[value.entity_uid], value.value) for value in page.items]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param({}, [("P4", 80.0), ("P2", 50.0), ("P3", 50.0), ("P1", 35.0)], id="newest"),
        pytest.param(
            {"as_of": "2026-03-20"},
            [("P2", 50.0), ("P3", 50.0), ("P1", 35.0), ("P4", 10.0)],
            id="as-of",
        ),
        pytest.param({"as_of": "2026-03-05"}, [("P3", 50.0), ("P1", 30.0)], id="as-of-early"),
        pytest.param({"as_of": "2026-01-01"}, [], id="as-of-before-all"),
        pytest.param({"sort": "+value"}, [("P1", 35.0), ("P2", 50.0), ("P3", 50.0), ("P4", 80.0)]),
        pytest.param(
            {"sort": "-metric_date"},
            [("P4", 80.0), ("P1", 35.0), ("P2", 50.0), ("P3", 50.0)],
            id="by-date",
        ),
        pytest.param(
            {"entity_uids": [PARTIES["P1"], PARTIES["P4"].upper()]},
            [("P4", 80.0), ("P1", 35.0)],
            id="some-entities",
        ),
        pytest.param(
            {"entity_uids": [PARTIES["P1"], PARTIES["P1"]]}, [("P1", 35.0)], id="one-twice"
        ),
        pytest.param({"entity_uids": [PARTIES["P5"]]}, [], id="an-entity-without-values"),
        pytest.param({"entity_uids": []}, [], id="no-entity"),
        pytest.param(
            {"latest": False, "start_date": "2026-03-01", "end_date": "2026-03-20"},
            [("P2", 50.0), ("P1", 35.0), ("P1", 30.0), ("P4", 10.0)],
            id="every-value-in-dates",
        ),
        pytest.param(
            {"latest": False},
            [("P2", 50.0), ("P3", 50.0), ("P1", 35.0), ("P1", 30.0), ("P4", 10.0)],
            id="every-value-90-days",
        ),
        pytest.param(
            {"latest": False, "sort": "-metric_date", "end_date": "2026-03-31"},
            [("P4", 80.0), ("P4", 10.0), ("P1", 35.0), ("P2", 50.0), ("P1", 30.0), ("P3", 50.0)],
            id="every-value-by-date",
        ),
        pytest.param({"time_unit": "month"}, [], id="no-months"),
    ],
)
def test_one_metric_across_entities(
    reads: MetricRegistry, arguments: dict[str, Any], expected: list[Any]
) -> None:
    page = reads.list_metric_values("party_dso", **arguments)
    assert parties(page) == expected
    assert page.total_items == len(expected)
    assert all(value.metric_uid == "party_dso" for value in page.items)


@pytest.mark.parametrize(
    ("metric", "sort", "expected"),
    [
        ("big_ar", "-value", [("D", 2**62 + 2), ("C", 2**62 + 1), ("E", 2**62)]),
        ("big_ar", "+value", [("E", 2**62), ("C", 2**62 + 1), ("D", 2**62 + 2)]),
        ("tiny", "-value", [("C", 1.0000000000000004), ("D", 1.0000000000000002), ("E", 1.0)]),
        ("tiny", "+value", [("E", 1.0), ("D", 1.0000000000000002), ("C", 1.0000000000000004)]),
    ],
)
def test_values_sort_exactly(
    reads: MetricRegistry, metric: str, sort: str, expected: list[Any]
) -> None:
    """Cents beyond 2**53 and doubles a unit apart keep their order (no pass through a
    coarser number)."""
    page = reads.list_metric_values(metric, sort=sort)
    assert parties(page) == expected
    assert [type(value) for _, value in parties(page)] == [type(expected[0][1])] * 3


def test_every_party_newest_dso_page_by_page(reads: MetricRegistry) -> None:
    paged = everything(lambda **a: reads.list_metric_values("party_dso", **a))
    assert [(NAME_OF[v.entity_uid], v.value) for v in paged] == [
        ("P4", 80.0),
        ("P2", 50.0),
        ("P3", 50.0),
        ("P1", 35.0),
    ]
    assert all(value.metadata is None for value in paged)
    with_metadata = reads.list_metric_values("party_dso", include_metadata=True)
    assert [value.metadata for value in with_metadata.items] == [{}, {}, {}, {"p": 1}]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"entity_uids": [UNREGISTERED]}, {("entity_uids", "not_found")}),
        ({"entity_uids": [ORG_A]}, {("entity_uids", "not_found")}),  # not a party
        ({"entity_uids": ["not-a-uuid"]}, {("entity_uids", "not_found")}),
        ({"entity_uids": PARTIES["P1"]}, {("entity_uids", "invalid_type")}),
        ({"sort": "+metric_uid"}, {("sort", "invalid_choice")}),
        ({"latest": None, "start_date": "x"}, {("start_date", "invalid_format")}),
        ({"per_page": 0}, {("per_page", "out_of_range")}),
        (
            {"latest": False, "start_date": "2026-03-02", "end_date": "2026-03-01"},
            {("start_date", "out_of_range")},
        ),
    ],
)
def test_bad_metric_reads_are_refused(
    reads: MetricRegistry, arguments: dict[str, Any], expected: set[Any]
) -> None:
    with pytest.raises(ValidationError) as caught:
        reads.list_metric_values("party_dso", **arguments)
    assert errors_of(caught.value) == expected


@pytest.mark.parametrize("metric", ["nope", "", "a\x00", "a\ud800"])
def test_values_of_a_missing_metric_are_not_found(reads: MetricRegistry, metric: str) -> None:
    with pytest.raises(NotFoundError):
        reads.list_metric_values(metric)
