"""GraphQL in process: the schema as printed, every query, mutation and union member."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphql_api.graphql.schema import LISTING_ARGUMENTS
from graphql_api.graphql.types import MetricFilter, MetricOrder, MetricOrderField
from graphql_api.schema import sdl
from metric_registry import MetricRegistry
from metric_registry.models import LISTING_FILTERS, MUTABLE_FIELDS, MetricCreate, MetricListing
from metric_registry.models import SORTABLE_FIELDS as SORTABLE
from tests.api._support import CREATE, GRAPHQL_METRIC_FIELDS, GraphQL, serving

ROOT = Path(__file__).resolve().parents[2]
METRIC_FIELDS = GRAPHQL_METRIC_FIELDS
UPDATE = f"""
mutation Update($uid: String!, $input: UpdateMetricInput!) {{
  updateMetric(uid: $uid, input: $input) {{
    __typename
    ... on Metric {{ {METRIC_FIELDS} }}
    ... on UserError {{ code message }}
    ... on ValidationError {{ fieldErrors {{ field code message }} }}
  }}
}}"""
DELETE = """
mutation Delete($uid: String!) {
  deleteMetric(uid: $uid) {
    __typename
    ... on DeletedMetric { uid }
    ... on UserError { code message }
  }
}"""
GET = f"query Get($uid: String!) {{ metric(uid: $uid) {{ {METRIC_FIELDS} }} }}"
LIST = """
query List($filter: MetricFilter, $orderBy: MetricOrder, $page: Int! = 1, $perPage: Int! = 25) {
  metrics(filter: $filter, orderBy: $orderBy, page: $page, perPage: $perPage) {
    items { uid }
    page perPage totalPages totalItems
  }
}"""


@pytest.fixture
def graphql(registry: MetricRegistry) -> Iterator[GraphQL]:
    with serving(registry) as api:
        yield GraphQL(api)


# -- the schema -----------------------------------------------------------------------------


def test_checked_in_schema_is_the_printed_schema() -> None:
    assert (ROOT / "schema.graphql").read_text() == sdl() + "\n", (
        "schema.graphql is stale: run `metric-registry schema > schema.graphql`"
    )


def test_cli_prints_the_schema() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "metric_registry", "schema"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed == sdl() + "\n"


def test_order_fields_are_the_core_sortable_fields() -> None:
    assert tuple(member.value for member in MetricOrderField) == SORTABLE


def test_order_defaults_to_the_core_default_sort() -> None:
    assert MetricOrder().sort == MetricListing.model_fields["sort"].default
    assert "input MetricOrder {\n  field: MetricOrderField! = UID\n" in sdl()


def test_filter_fields_are_the_core_listing_filters() -> None:
    assert tuple(MetricFilter.__annotations__) == LISTING_FILTERS


def test_listing_arguments_name_the_graphql_arguments_of_each_core_parameter() -> None:
    assert LISTING_ARGUMENTS == {
        "is_active": "filter.isActive",
        "value_type": "filter.valueType",
        "context_type": "filter.contextType",
        "search": "filter.search",
        "sort": "orderBy",
        "page": "page",
        "per_page": "perPage",
    }


def test_update_input_has_only_the_mutable_fields() -> None:
    assert "input UpdateMetricInput {\n  name: String\n  description: String\n" in sdl()
    printed = sdl().split("input UpdateMetricInput {\n")[1].split("}")[0]
    names = [line.split(":")[0].strip() for line in printed.strip().splitlines()]
    assert names == ["name", "description", "formula", "isActive"]
    assert len(names) == len(MUTABLE_FIELDS)


@pytest.mark.parametrize(
    ("graphql_field", "core_field", "printed_default"),
    [
        ("contextType", "context_type", "ORGANIZATION"),
        ("valueType", "value_type", "COUNT"),
        ("storageUnit", "storage_unit", "RAW"),
        ("isSnapshot", "is_snapshot", "false"),
        ("isActive", "is_active", "true"),
        ("periodDefinition", "period_definition", "null"),
    ],
)
def test_create_input_carries_the_core_defaults(
    graphql_field: str, core_field: str, printed_default: str
) -> None:
    core_default = MetricCreate.model_fields[core_field].default
    assert printed_default == ("null" if core_default is None else _printed(core_default))
    assert f"  {graphql_field}: " in sdl()
    assert f" = {printed_default}\n" in sdl().split(f"  {graphql_field}: ")[1].split("\n")[0] + "\n"


def _printed(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(getattr(value, "name", value))


# -- createMetric ---------------------------------------------------------------------------


def test_create_returns_the_metric_with_defaults(graphql: GraphQL) -> None:
    created = graphql.create(uid="total_ar", name="  Total AR Outstanding ")
    assert created == {
        "__typename": "Metric",
        "uid": "total_ar",
        "name": "Total AR Outstanding",
        "contextType": "ORGANIZATION",
        "description": None,
        "formula": None,
        "valueType": "COUNT",
        "storageUnit": "RAW",
        "isSnapshot": False,
        "periodDefinition": None,
        "isActive": True,
        "createdAt": created["createdAt"],
        "updatedAt": created["createdAt"],
    }
    assert len(created["createdAt"]) == 20
    assert created["createdAt"].endswith("Z")


def test_create_takes_every_field_and_upper_case_enums(graphql: GraphQL) -> None:
    created = graphql.create(
        uid="party_dso",
        name="Days Sales Outstanding",
        contextType="PARTY",
        description="How long invoices wait",
        formula="(Average AR / Credit Sales) x Days in period",
        valueType="DAYS",
        storageUnit="CENTS",
        isSnapshot=True,
        periodDefinition="TRAILING_30_DAYS",
        isActive=False,
    )
    assert {key: created[key] for key in ("contextType", "valueType", "storageUnit")} == {
        "contextType": "PARTY",
        "valueType": "DAYS",
        "storageUnit": "CENTS",
    }
    assert created["periodDefinition"] == "TRAILING_30_DAYS"
    assert created["isSnapshot"] is True
    assert created["isActive"] is False
    stored = graphql.data(GET, uid="party_dso")["metric"]
    assert stored == {key: value for key, value in created.items() if key != "__typename"}


def test_create_with_a_taken_uid_is_a_conflict_error(graphql: GraphQL) -> None:
    graphql.create(uid="total_ar", name="Total AR")
    again = graphql.create(uid="total_ar", name="Another")
    assert again["__typename"] == "ConflictError"
    assert again["code"] == "already_exists"
    assert "total_ar" in again["message"]


def test_create_with_bad_fields_is_a_validation_error_naming_graphql_fields(
    graphql: GraphQL,
) -> None:
    result = graphql.create(uid="Total-AR", name="   ", formula="x" * 4001)
    assert result["__typename"] == "ValidationError"
    assert result["code"] == "invalid"
    fields = {error["field"]: error["code"] for error in result["fieldErrors"]}
    assert fields == {"uid": "invalid_format", "name": "required", "formula": "too_long"}
    assert graphql.data(LIST)["metrics"]["totalItems"] == 0


def test_core_field_names_become_camel_case() -> None:
    from graphql_api.graphql.types import graphql_name

    assert graphql_name("value_type") == "valueType"
    assert graphql_name("period_definition") == "periodDefinition"
    assert graphql_name("uid") == "uid"


def test_an_enum_outside_the_schema_is_a_graphql_error(graphql: GraphQL) -> None:
    body = graphql(CREATE, input={"uid": "total_ar", "name": "x", "valueType": "currency"})
    assert body.get("data") is None
    assert "valueType" in body["errors"][0]["message"]


# -- updateMetric ---------------------------------------------------------------------------


def test_update_changes_only_the_given_fields(graphql: GraphQL) -> None:
    created = graphql.create(uid="total_ar", name="Total AR", description="kept")
    updated = graphql.data(UPDATE, uid="total_ar", input={"name": "AR", "isActive": False})
    result = updated["updateMetric"]
    assert result["__typename"] == "Metric"
    assert (result["name"], result["isActive"], result["description"]) == ("AR", False, "kept")
    assert result["createdAt"] == created["createdAt"]


def test_update_can_clear_a_nullable_field(graphql: GraphQL) -> None:
    graphql.create(uid="total_ar", name="Total AR", description="gone soon")
    result = graphql.data(UPDATE, uid="total_ar", input={"description": None})["updateMetric"]
    assert result["description"] is None


def test_update_of_a_missing_metric_is_a_not_found_error(graphql: GraphQL) -> None:
    result = graphql.data(UPDATE, uid="missing", input={"name": "x"})["updateMetric"]
    assert result["__typename"] == "NotFoundError"
    assert result["code"] == "not_found"
    assert "missing" in result["message"]


def test_update_with_a_null_name_is_a_validation_error(graphql: GraphQL) -> None:
    graphql.create(uid="total_ar", name="Total AR")
    result = graphql.data(UPDATE, uid="total_ar", input={"name": None, "isActive": None})
    errors = result["updateMetric"]["fieldErrors"]
    assert {(error["field"], error["code"]) for error in errors} == {
        ("name", "invalid_type"),
        ("isActive", "invalid_type"),
    }


def test_update_input_refuses_an_immutable_field(graphql: GraphQL) -> None:
    graphql.create(uid="total_ar", name="Total AR")
    body = graphql(UPDATE, uid="total_ar", input={"valueType": "CURRENCY"})
    assert body.get("data") is None
    assert "valueType" in body["errors"][0]["message"]


# -- deleteMetric ---------------------------------------------------------------------------


def test_delete_returns_the_deleted_uid(graphql: GraphQL) -> None:
    graphql.create(uid="total_ar", name="Total AR")
    result = graphql.data(DELETE, uid="total_ar")["deleteMetric"]
    assert result == {"__typename": "DeletedMetric", "uid": "total_ar"}
    assert graphql.data(GET, uid="total_ar")["metric"] is None


def test_delete_of_a_missing_metric_is_a_not_found_error(graphql: GraphQL) -> None:
    result = graphql.data(DELETE, uid="missing")["deleteMetric"]
    assert result["__typename"] == "NotFoundError"
    assert result["code"] == "not_found"


def test_delete_of_a_metric_in_use_is_a_conflict_error(sqlite_path: str) -> None:
    with MetricRegistry(sqlite_path) as registry, serving(registry) as api:
        graphql = GraphQL(api)
        graphql.create(uid="total_ar", name="Total AR")
        refer_to_metric(sqlite_path, "total_ar")
        result = graphql.data(DELETE, uid="total_ar")["deleteMetric"]
        assert graphql.data(GET, uid="total_ar")["metric"] is not None
    assert result["__typename"] == "ConflictError"
    assert result["code"] == "in_use"


def refer_to_metric(sqlite_path: str, uid: str) -> None:
    """A row that refers to the metric through a foreign key, as a recorded value will."""
    with sqlite3.connect(sqlite_path) as connection:
        connection.execute(
            "CREATE TABLE referrer (metric_uid TEXT NOT NULL REFERENCES metric (uid))"
        )
        connection.execute("INSERT INTO referrer VALUES (?)", (uid,))
    connection.close()


# -- queries --------------------------------------------------------------------------------


def test_metric_is_null_when_missing(graphql: GraphQL) -> None:
    assert graphql(GET, uid="missing") == {"data": {"metric": None}}


def test_metrics_filters_orders_and_pages(graphql: GraphQL) -> None:
    graphql.create(uid="total_ar", name="Total AR", valueType="CURRENCY")
    graphql.create(uid="dso", name="Days Sales Outstanding", valueType="DAYS")
    graphql.create(uid="ar_ratio", name="AR ratio", valueType="RATIO", isActive=False)
    listed = graphql.data(LIST, orderBy={"field": "NAME", "direction": "DESC"}, perPage=2)
    page = listed["metrics"]
    assert [item["uid"] for item in page["items"]] == ["total_ar", "dso"]
    assert (page["page"], page["perPage"], page["totalPages"], page["totalItems"]) == (1, 2, 2, 3)
    second = graphql.data(LIST, orderBy={"field": "NAME", "direction": "DESC"}, page=2, perPage=2)
    assert [item["uid"] for item in second["metrics"]["items"]] == ["ar_ratio"]
    active_ar = graphql.data(LIST, filter={"isActive": True, "search": "AR"})["metrics"]
    assert [item["uid"] for item in active_ar["items"]] == ["total_ar"]
    days = graphql.data(LIST, filter={"valueType": "DAYS", "contextType": "ORGANIZATION"})
    assert [item["uid"] for item in days["metrics"]["items"]] == ["dso"]
    by_uid = graphql.data(LIST)["metrics"]["items"]
    assert [item["uid"] for item in by_uid] == ["ar_ratio", "dso", "total_ar"]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"page": 0}, ["page"]),
        ({"perPage": 0}, ["perPage"]),
        ({"perPage": 101}, ["perPage"]),
        ({"page": 0, "perPage": 500}, ["page", "perPage"]),
        ({"filter": {"search": "x" * 256}}, ["filter.search"]),
    ],
)
def test_metrics_with_a_bad_argument_is_a_top_level_error_naming_it(
    graphql: GraphQL, arguments: dict[str, Any], named: list[str]
) -> None:
    body = graphql(LIST, **arguments)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["path"] == ["metrics"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert [item["field"] for item in error["extensions"]["fieldErrors"]] == named
    for name in named:
        assert f"{name}: " in error["message"]
