"""GraphQL in process: entities (SPEC §9.1, §9.6), every query, mutation and union member."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from metric_registry import MetricRegistry
from tests.api._support import GraphQL, serving

ACME = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
GLOBEX = "0b6f1c57-4f1e-4d44-9a57-7a3b2a8d8e10"
ENTITY_FIELDS = "contextType uid name createdAt updatedAt"
REGISTER = f"""
mutation Register($input: RegisterEntityInput!) {{
  registerEntity(input: $input) {{
    __typename ... on Entity {{ {ENTITY_FIELDS} }}
    ... on ValidationError {{ code message fieldErrors {{ field code }} }}
  }}
}}"""
DELETE = """
mutation Delete($contextType: ContextType!, $uid: UUID!) {
  deleteEntity(contextType: $contextType, uid: $uid) {
    __typename ... on DeletedEntity { contextType uid } ... on UserError { code message }
  }
}"""
GET = f"""
query Get($contextType: ContextType!, $uid: UUID!) {{
  entity(contextType: $contextType, uid: $uid) {{ {ENTITY_FIELDS} }}
}}"""
LIST = """
query List($contextType: ContextType!, $search: String, $page: Int! = 1, $perPage: Int! = 25) {
  entities(contextType: $contextType, search: $search, page: $page, perPage: $perPage) {
    items { uid name } page perPage totalPages totalItems
  }
}"""


@pytest.fixture
def graphql(registry: MetricRegistry) -> Iterator[GraphQL]:
    with serving(registry) as api:
        yield GraphQL(api)


def register(graphql: GraphQL, **fields: Any) -> dict[str, Any]:
    given = {"contextType": "ORGANIZATION", "uid": ACME, **fields}
    result: dict[str, Any] = graphql.data(REGISTER, input=given)["registerEntity"]
    return result


def test_register_returns_the_entity_with_its_canonical_uid(graphql: GraphQL) -> None:
    created = register(graphql, uid=ACME.upper().replace("-", ""), name="Acme")
    assert created == {
        "__typename": "Entity",
        "contextType": "ORGANIZATION",
        "uid": ACME,
        "name": "Acme",
        "createdAt": created["createdAt"],
        "updatedAt": created["createdAt"],
    }
    assert graphql.data(GET, contextType="ORGANIZATION", uid=ACME)["entity"] == {
        key: value for key, value in created.items() if key != "__typename"
    }


def test_register_is_idempotent_and_renames(graphql: GraphQL) -> None:
    first = register(graphql, name="Acme")
    assert register(graphql) == first  # no name given: kept
    renamed = register(graphql, name="Acme Corp")
    assert (renamed["name"], renamed["createdAt"]) == ("Acme Corp", first["createdAt"])
    assert graphql.data(LIST, contextType="ORGANIZATION")["entities"]["totalItems"] == 1


@pytest.mark.parametrize(
    ("name", "code"), [("x" * 256, "too_long"), ("a\u0000b", "invalid_format")]
)
def test_register_with_a_bad_name_is_a_validation_error(
    graphql: GraphQL, name: str, code: str
) -> None:
    result = register(graphql, name=name)
    assert result["__typename"] == "ValidationError"
    assert [(error["field"], error["code"]) for error in result["fieldErrors"]] == [("name", code)]
    assert graphql.data(LIST, contextType="ORGANIZATION")["entities"]["totalItems"] == 0


def test_a_uid_that_is_no_uuid_is_a_graphql_error(graphql: GraphQL) -> None:
    body = graphql(REGISTER, input={"contextType": "ORGANIZATION", "uid": "acme"})
    assert body["data"] is None
    assert "UUID" in body["errors"][0]["message"]


def test_entity_is_null_when_missing_or_in_another_context(graphql: GraphQL) -> None:
    register(graphql)
    assert graphql(GET, contextType="PARTY", uid=ACME) == {"data": {"entity": None}}
    assert graphql(GET, contextType="ORGANIZATION", uid=GLOBEX) == {"data": {"entity": None}}


def test_entities_search_and_pages(graphql: GraphQL) -> None:
    register(graphql, name="Acme")
    register(graphql, uid=GLOBEX, name="Globex")
    register(graphql, contextType="PARTY", uid=GLOBEX, name="Party")
    page = graphql.data(LIST, contextType="ORGANIZATION", perPage=1, page=2)["entities"]
    assert page == {
        "items": [{"uid": ACME, "name": "Acme"}],
        "page": 2,
        "perPage": 1,
        "totalPages": 2,
        "totalItems": 2,
    }
    found = graphql.data(LIST, contextType="ORGANIZATION", search="GLOB")["entities"]
    assert [item["name"] for item in found["items"]] == ["Globex"]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"perPage": 0}, ["perPage"]),
        ({"page": 0, "perPage": 101}, ["page", "perPage"]),
        ({"search": "x" * 256}, ["search"]),
    ],
)
def test_entities_with_a_bad_argument_is_a_top_level_error_naming_it(
    graphql: GraphQL, arguments: dict[str, Any], named: list[str]
) -> None:
    body = graphql(LIST, contextType="ORGANIZATION", **arguments)
    assert body["data"] is None
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["entities"], "BAD_USER_INPUT")
    assert [item["field"] for item in error["extensions"]["fieldErrors"]] == named


def test_delete_every_member(graphql: GraphQL) -> None:
    registry = graphql.api.registry
    register(graphql)
    register(graphql, uid=GLOBEX)
    registry.create_metric(uid="dso", name="DSO")
    registry.record_value(
        "ORGANIZATION", GLOBEX, metric_uid="dso", metric_date="2026-03-01", value=1
    )
    deleted = graphql.data(DELETE, contextType="ORGANIZATION", uid=ACME.upper())["deleteEntity"]
    assert deleted == {"__typename": "DeletedEntity", "contextType": "ORGANIZATION", "uid": ACME}
    missing = graphql.data(DELETE, contextType="ORGANIZATION", uid=ACME)["deleteEntity"]
    assert (missing["__typename"], missing["code"]) == ("NotFoundError", "not_found")
    in_use = graphql.data(DELETE, contextType="ORGANIZATION", uid=GLOBEX)["deleteEntity"]
    assert (in_use["__typename"], in_use["code"]) == ("ConflictError", "in_use")
    assert graphql.data(GET, contextType="ORGANIZATION", uid=GLOBEX)["entity"]["uid"] == GLOBEX


def test_entity_mutations_need_the_write_scope(graphql: GraphQL) -> None:
    register(graphql, name="Acme")
    before = graphql.api.registry.list_entities("ORGANIZATION").model_dump()
    mutations = [
        (REGISTER, {"input": {"contextType": "ORGANIZATION", "uid": GLOBEX}}),
        (REGISTER, {"input": {"contextType": "ORGANIZATION", "uid": ACME, "name": "Renamed"}}),
        (DELETE, {"contextType": "ORGANIZATION", "uid": ACME}),
    ]
    for query, variables in mutations:
        body = graphql.post({"query": query, "variables": variables}, token="read").json()
        assert body["data"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert graphql.api.registry.list_entities("ORGANIZATION").model_dump() == before
