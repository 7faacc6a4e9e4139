"""Entities (SPEC §9.1) on both engines: idempotent registration, canonical UUIDs, atomic
batches, get, list, delete."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from metric_registry import (
    ConflictError,
    ContextType,
    Entity,
    MetricRegistry,
    NotFoundError,
    ValidationError,
)

from ._support import errors_of, raw_rows
from ._value_support import ENGINES, ORG, ORG_A, ORG_B, PARTY, USER, Ticking, module_database

UPPER = ORG_A.upper()
BARE = ORG_A.replace("-", "")


@pytest.fixture
def ticking(database_url: str) -> Iterator[MetricRegistry]:
    """A registry whose clock moves on one second at every reading."""
    with MetricRegistry(database_url, clock=Ticking()) as registry:
        yield registry


@pytest.fixture(scope="module", params=ENGINES)
def shared_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database per engine for a module's refusals and reads (each refusal checks that
    it wrote nothing, so they may share it)."""
    with module_database(request.param, tmp_path_factory) as url:
        with MetricRegistry(url) as registry:
            registry.register_entity(ORG, ORG_B, name="Bystander")
        yield url


@pytest.fixture(scope="module")
def shared(shared_url: str) -> Iterator[MetricRegistry]:
    with MetricRegistry(shared_url, clock=Ticking()) as registry:
        yield registry


def fresh_uid() -> str:
    """An entity uid no other test uses."""
    return str(uuid.uuid4())


def entity_rows(url: str) -> list[tuple[Any, ...]]:
    return raw_rows(url, "SELECT * FROM entity ORDER BY id")


# -- register --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spell",
    [
        pytest.param(lambda uid: uid, id="canonical"),
        pytest.param(str.upper, id="upper-case"),
        pytest.param(lambda uid: uid.replace("-", ""), id="no-hyphens"),
        pytest.param(lambda uid: uid.replace("-", "").upper(), id="upper-no-hyphens"),
        pytest.param(lambda uid: uid[:9] + uid[9:].upper(), id="mixed-case"),
    ],
)
def test_any_case_uuid_is_stored_canonical(
    shared: MetricRegistry, shared_url: str, spell: Any
) -> None:
    uid = fresh_uid()
    spelling = spell(uid)
    entity = shared.register_entity(ORG, spelling, name="Acme")
    assert entity.uid == uid
    assert entity.context_type is ContextType.ORGANIZATION
    assert raw_rows(shared_url, "SELECT uid FROM entity WHERE uid = ?", (uid,)) == [(uid,)]
    assert raw_rows(shared_url, "SELECT COUNT(*) FROM entity WHERE uid = ?", (spelling,)) == [
        (1 if spelling == uid else 0,)
    ]
    assert shared.get_entity(ORG, spelling) == entity
    assert shared.get_entity(ORG, uid) == entity
    assert shared.register_entity(ORG, uid) == entity


def test_register_returns_what_get_reads(ticking: MetricRegistry) -> None:
    entity = ticking.register_entity(PARTY, ORG_A, name="  Initech  ")
    assert entity.name == "Initech"
    assert entity.created_at == entity.updated_at
    assert ticking.get_entity(PARTY, ORG_A) == entity
    dumped = entity.model_dump(mode="json")
    assert dumped["context_type"] == "PARTY"
    assert set(dumped) == {"context_type", "uid", "name", "created_at", "updated_at"}


@pytest.mark.parametrize(
    ("first", "again", "name_after", "renamed"),
    [
        pytest.param("Acme", None, "Acme", False, id="no-name-keeps-it"),
        pytest.param("Acme", "Acme", "Acme", False, id="same-name"),
        pytest.param("Acme", "  Acme ", "Acme", False, id="same-name-after-strip"),
        pytest.param("Acme", "Acme Corp", "Acme Corp", True, id="new-name"),
        pytest.param(None, "Acme", "Acme", True, id="first-name"),
        pytest.param(None, None, None, False, id="never-named"),
    ],
)
def test_register_is_idempotent(
    shared: MetricRegistry,
    shared_url: str,
    first: str | None,
    again: str | None,
    name_after: str | None,
    renamed: bool,
) -> None:
    uid = fresh_uid()
    original = shared.register_entity(ORG, uid, name=first)
    before = entity_rows(shared_url)
    second = shared.register_entity(ORG, uid.upper(), name=again)
    assert second.name == name_after
    assert second.created_at == original.created_at
    if renamed:
        assert second.updated_at > original.updated_at
        assert second == original.model_copy(
            update={"name": name_after, "updated_at": second.updated_at}
        )
    else:
        assert second == original
        assert entity_rows(shared_url) == before
    assert shared.get_entity(ORG, uid) == second
    assert shared.list_entities(ORG, search=uid).items == (second,)


def test_one_uid_in_two_contexts_is_two_entities(registry: MetricRegistry) -> None:
    organization = registry.register_entity(ORG, ORG_A, name="As organization")
    user = registry.register_entity(USER, ORG_A, name="As user")
    assert organization != user
    assert registry.get_entity(ORG, ORG_A).name == "As organization"
    assert registry.get_entity(USER, ORG_A).name == "As user"
    with pytest.raises(NotFoundError):
        registry.get_entity(PARTY, ORG_A)


BAD_UIDS = [
    pytest.param("", "invalid_format", id="empty"),
    pytest.param("nope", "invalid_format", id="word"),
    pytest.param(ORG_A[:-1], "invalid_format", id="one-digit-short"),
    pytest.param(ORG_A + "0", "invalid_format", id="one-digit-long"),
    pytest.param(ORG_A[:-1] + "g", "invalid_format", id="not-hex"),
    pytest.param("{" + ORG_A + "}", "invalid_format", id="braces"),
    pytest.param("urn:uuid:" + ORG_A, "invalid_format", id="urn"),
    pytest.param(" " + ORG_A, "invalid_format", id="leading-space"),
    pytest.param(ORG_A + "\n", "invalid_format", id="trailing-newline"),
    pytest.param(ORG_A.replace("3", "\u0663"), "invalid_format", id="arabic-indic-digit"),
    pytest.param(ORG_A.replace("-", "--", 1), "invalid_format", id="double-hyphen"),
    pytest.param(5, "invalid_type", id="number"),
    pytest.param(None, "invalid_type", id="null"),
]


@pytest.mark.parametrize(("uid", "code"), BAD_UIDS)
def test_bad_uuid_is_refused(shared: MetricRegistry, shared_url: str, uid: Any, code: str) -> None:
    before = entity_rows(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.register_entity(ORG, uid)
    assert errors_of(caught.value) == {("uid", code)}
    assert entity_rows(shared_url) == before


@pytest.mark.parametrize(
    ("context_type", "code"),
    [
        ("organization", "invalid_choice"),
        ("ORG", "invalid_choice"),
        ("", "invalid_choice"),
        ("CUSTOMER", "invalid_choice"),
        (5, "invalid_type"),
    ],
)
def test_unknown_context_is_refused(
    shared: MetricRegistry, shared_url: str, context_type: Any, code: str
) -> None:
    before = entity_rows(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.register_entity(context_type, ORG_A)
    assert errors_of(caught.value) == {("context_type", code)}
    if code == "invalid_choice":
        assert all(name in caught.value.errors[0].message for name in (ORG, PARTY, USER))
    assert entity_rows(shared_url) == before


@pytest.mark.parametrize(
    ("name", "code"),
    [("x" * 256, "too_long"), ("a\x00b", "invalid_format"), (5, "invalid_type")],
)
def test_bad_name_is_refused(shared: MetricRegistry, shared_url: str, name: Any, code: str) -> None:
    before = entity_rows(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.register_entity(ORG, ORG_A, name=name)
    assert errors_of(caught.value) == {("name", code)}
    assert entity_rows(shared_url) == before


def test_longest_name_is_kept(registry: MetricRegistry) -> None:
    assert registry.register_entity(ORG, ORG_A, name="é" * 255).name == "é" * 255


# -- register_entities -----------------------------------------------------------------------


def test_register_entities_returns_each_in_order(registry: MetricRegistry) -> None:
    rows = [
        {"context_type": ORG, "uid": UPPER, "name": "Acme"},
        {"context_type": PARTY, "uid": ORG_B},
        {"context_type": USER, "uid": ORG_A, "name": None},
    ]
    registered = registry.register_entities(iter(rows))
    assert [(entity.context_type, entity.uid, entity.name) for entity in registered] == [
        (ORG, ORG_A, "Acme"),
        (PARTY, ORG_B, None),
        (USER, ORG_A, None),
    ]
    assert registered == [registry.get_entity(e.context_type, e.uid) for e in registered]


def test_register_entities_again_changes_nothing(
    registry: MetricRegistry, database_url: str
) -> None:
    rows = [
        {"context_type": ORG, "uid": ORG_A, "name": "Acme"},
        {"context_type": ORG, "uid": ORG_B},
    ]
    first = registry.register_entities(rows)
    before = entity_rows(database_url)
    assert registry.register_entities(rows) == first
    assert entity_rows(database_url) == before


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            [{"context_type": ORG, "uid": ORG_B}, {"context_type": ORG, "uid": "bad"}],
            {("entities[1].uid", "invalid_format")},
            id="bad-uid-second",
        ),
        pytest.param(
            [{"context_type": "org", "uid": ORG_B}, {"context_type": ORG, "uid": ORG_A}],
            {("entities[0].context_type", "invalid_choice")},
            id="bad-context-first",
        ),
        pytest.param(
            [{"context_type": ORG, "uid": ORG_B}, {"context_type": ORG}],
            {("entities[1].uid", "required")},
            id="missing-uid",
        ),
        pytest.param(
            [{"context_type": ORG, "uid": ORG_B, "colour": "red"}],
            {("entities[0].colour", "unknown_field")},
            id="unknown-field",
        ),
        pytest.param(
            [{"context_type": ORG, "uid": ORG_B}, "not a row", [ORG, ORG_A]],
            {("entities[1]", "invalid_type"), ("entities[2]", "invalid_type")},
            id="not-mappings",
        ),
        pytest.param(
            [{"context_type": ORG, "uid": ORG_B, "name": "x" * 300}, {"uid": "z"}],
            {
                ("entities[0].name", "too_long"),
                ("entities[1].context_type", "required"),
                ("entities[1].uid", "invalid_format"),
            },
            id="every-error-of-every-row",
        ),
    ],
)
def test_register_entities_is_atomic(
    shared: MetricRegistry,
    shared_url: str,
    rows: list[Any],
    expected: set[tuple[str, str]],
) -> None:
    before = entity_rows(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.register_entities(rows)
    assert errors_of(caught.value) == expected
    assert entity_rows(shared_url) == before


def test_register_entities_reports_at_most_100_errors(
    shared: MetricRegistry, shared_url: str
) -> None:
    pulled = []

    def rows() -> Iterator[dict[str, Any]]:
        for number in range(1000):
            pulled.append(number)
            yield {"context_type": ORG, "uid": f"bad-{number}"}

    before = entity_rows(shared_url)
    with pytest.raises(ValidationError) as caught:
        shared.register_entities(rows())
    fields = [error.field for error in caught.value.errors]
    assert fields == [f"entities[{number}].uid" for number in range(100)]
    assert len(pulled) == 100
    assert entity_rows(shared_url) == before


# -- get and list ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("context_type", "uid"),
    [
        pytest.param(ORG, ORG_A, id="unregistered"),
        pytest.param(PARTY, ORG_B, id="other-context"),
        pytest.param(ORG, "not-a-uuid", id="not-a-uuid"),
        pytest.param(ORG, "", id="empty"),
    ],
)
def test_get_missing_is_not_found(shared: MetricRegistry, context_type: str, uid: str) -> None:
    with pytest.raises(NotFoundError) as caught:
        shared.get_entity(context_type, uid)
    assert caught.value.kind == "entity"


def test_get_in_an_unknown_context_is_refused(registry: MetricRegistry) -> None:
    with pytest.raises(ValidationError) as caught:
        registry.get_entity("organization", ORG_A)
    assert errors_of(caught.value) == {("context_type", "invalid_choice")}


# Ten organizations (uids 00…-…, 01…-…), every third named, plus entities in other contexts.
NAMES = {0: "Acme Holdings", 3: "ACME retail", 6: "Globex", 9: "Percent 100% Ltd"}


def listed_uid(number: int) -> str:
    return f"{number:02d}{number:06d}-0000-4000-8000-{number:012d}"


@pytest.fixture(scope="module", params=ENGINES)
def listed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MetricRegistry]:
    """Read-only: shared by the listing tests of one engine."""
    with (
        module_database(request.param, tmp_path_factory) as url,
        MetricRegistry(url) as registry,
    ):
        registry.register_entities(
            [
                {"context_type": ORG, "uid": listed_uid(number), "name": NAMES.get(number)}
                for number in reversed(range(10))
            ]
            + [
                {"context_type": PARTY, "uid": listed_uid(number), "name": "Acme party"}
                for number in range(3)
            ]
        )
        yield registry


def uids(page: Any) -> list[str]:
    return [entity.uid for entity in page.items]


def numbers(page: Any) -> list[int]:
    return [int(entity.uid[:2]) for entity in page.items]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        pytest.param(None, list(range(10)), id="no-search"),
        pytest.param("", list(range(10)), id="empty-search"),
        pytest.param("acme", [0, 3], id="name-any-case"),
        pytest.param("ACME R", [3], id="name-words"),
        pytest.param("glob", [6], id="name-part"),
        pytest.param("%", [9], id="percent-is-literal"),
        pytest.param("_", [], id="underscore-is-literal"),
        pytest.param("000007", [7], id="uid-part"),
        pytest.param(listed_uid(4).upper(), [4], id="uid-any-case"),
        pytest.param("-4000-", list(range(10)), id="uid-hyphens"),
        pytest.param("nothing like it", [], id="no-match"),
    ],
)
def test_list_searches_uid_and_name(
    listed: MetricRegistry, search: str | None, expected: list[int]
) -> None:
    page = listed.list_entities(ORG, search=search, per_page=100)
    assert numbers(page) == expected
    assert page.total_items == len(expected)
    assert all(entity.context_type is ContextType.ORGANIZATION for entity in page.items)


@pytest.mark.parametrize(
    ("page", "per_page", "expected", "total_pages"),
    [
        (1, 4, [0, 1, 2, 3], 3),
        (2, 4, [4, 5, 6, 7], 3),
        (3, 4, [8, 9], 3),
        (4, 4, [], 3),
        (1, 25, list(range(10)), 1),
        (10, 1, [9], 10),
    ],
)
def test_list_pages_in_uid_order(
    listed: MetricRegistry, page: int, per_page: int, expected: list[int], total_pages: int
) -> None:
    listing = listed.list_entities(ORG, page=page, per_page=per_page)
    assert numbers(listing) == expected
    assert (listing.page, listing.per_page) == (page, per_page)
    assert (listing.total_items, listing.total_pages) == (10, total_pages)


def test_list_of_an_empty_context(listed: MetricRegistry) -> None:
    page = listed.list_entities(USER)
    assert (page.items, page.total_items, page.total_pages) == ((), 0, 0)
    assert uids(listed.list_entities(PARTY)) == [listed_uid(n) for n in range(3)]


@pytest.mark.parametrize(
    ("arguments", "field", "code"),
    [
        ({"context_type": "party"}, "context_type", "invalid_choice"),
        ({"context_type": ORG, "page": 0}, "page", "out_of_range"),
        ({"context_type": ORG, "per_page": 0}, "per_page", "out_of_range"),
        ({"context_type": ORG, "per_page": 101}, "per_page", "out_of_range"),
        ({"context_type": ORG, "per_page": "10"}, "per_page", "invalid_type"),
        ({"context_type": ORG, "search": "x" * 256}, "search", "too_long"),
        ({"context_type": ORG, "search": "a\x00"}, "search", "invalid_format"),
    ],
)
def test_bad_listing_is_refused(
    listed: MetricRegistry, arguments: dict[str, Any], field: str, code: str
) -> None:
    keywords = dict(arguments)
    context_type = keywords.pop("context_type")
    with pytest.raises(ValidationError) as caught:
        listed.list_entities(context_type, **keywords)
    assert errors_of(caught.value) == {(field, code)}


# -- delete ----------------------------------------------------------------------------------


def test_delete_then_get(registry: MetricRegistry, database_url: str) -> None:
    registry.register_entity(ORG, ORG_A)
    kept = registry.register_entity(ORG, ORG_B)
    assert registry.delete_entity(ORG, UPPER) is None
    with pytest.raises(NotFoundError):
        registry.get_entity(ORG, ORG_A)
    with pytest.raises(NotFoundError):
        registry.delete_entity(ORG, ORG_A)
    assert registry.list_entities(ORG).items == (kept,)
    again = registry.register_entity(ORG, ORG_A, name="Back")
    assert registry.get_entity(ORG, ORG_A) == again


@pytest.mark.parametrize(
    ("context_type", "uid"),
    [(ORG, ORG_A), (PARTY, ORG_B), (ORG, "not-a-uuid")],
    ids=["unregistered", "other-context", "not-a-uuid"],
)
def test_delete_missing_is_not_found(
    shared: MetricRegistry, shared_url: str, context_type: str, uid: str
) -> None:
    before = entity_rows(shared_url)
    with pytest.raises(NotFoundError):
        shared.delete_entity(context_type, uid)
    assert entity_rows(shared_url) == before


def test_delete_is_refused_while_values_refer_to_the_entity(
    registry: MetricRegistry, database_url: str
) -> None:
    registry.create_metric(uid="total_ar", name="Total AR", storage_unit="cents")
    entity: Entity = registry.register_entity(ORG, ORG_A)
    value = registry.record_value(
        ORG, ORG_A, metric_uid="total_ar", metric_date="2026-03-15", value=100
    )
    before = entity_rows(database_url)
    with pytest.raises(ConflictError) as caught:
        registry.delete_entity(ORG, ORG_A)
    assert caught.value.code == "in_use"
    assert ORG_A in caught.value.message
    assert entity_rows(database_url) == before
    assert registry.get_entity(ORG, ORG_A) == entity
    registry.delete_value(value.uid)
    registry.delete_entity(ORG, ORG_A)
    with pytest.raises(NotFoundError):
        registry.get_entity(ORG, ORG_A)
