"""GraphQL in process: values (SPEC §9.6), every query, mutation and union member.

Also the ``Number`` scalar (cents exact at any size, booleans and strings refused), the
camelCase names of refused fields (``values.1.metricUid``), the write scope, and the
statement count of ``Metric.values``/``Metric.latestValue`` on a page of metrics.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLError

from graphql_api.graphql.resolving import graphql_name
from graphql_api.graphql.scalars import parse_literal, parse_value, serialize
from graphql_api.graphql.value_types import MetricValueOrderField
from graphql_api.graphql.values import OnConflict
from graphql_api.schema import sdl
from metric_registry import DatabaseBusyError, MetricRegistry
from metric_registry.models.values import ON_CONFLICT, VALUE_SORTS
from tests.api._support import GraphQL, serving

ACME = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
GLOBEX = "0b6f1c57-4f1e-4d44-9a57-7a3b2a8d8e10"
MISSING = "00000000-0000-4000-8000-000000000000"
VALUE_FIELDS = (
    "uid metricUid metricName periodDefinition contextType entityUid timeUnit timezone "
    "metricDate storageUnit valueType value periodStart periodEnd periodStartAt periodEndAt "
    "metadata createdAt updatedAt"
)
ERRORS = "... on UserError { code message } ... on ValidationError { fieldErrors { field code } }"
RECORD = f"""
mutation Record($input: RecordMetricValueInput!) {{
  recordMetricValue(input: $input) {{ __typename ... on MetricValue {{ {VALUE_FIELDS} }} {ERRORS} }}
}}"""
RECORD_MANY = f"""
mutation RecordMany($input: RecordMetricValuesInput!) {{
  recordMetricValues(input: $input) {{
    __typename ... on RecordSummary {{ inserted updated unchanged skipped }} {ERRORS}
  }}
}}"""
UPDATE = f"""
mutation Update($uid: UUID!, $input: UpdateMetricValueInput!) {{
  updateMetricValue(uid: $uid, input: $input) {{
    __typename ... on MetricValue {{ {VALUE_FIELDS} }} {ERRORS}
  }}
}}"""
DELETE = """
mutation Delete($uid: UUID!) {
  deleteMetricValue(uid: $uid) {
    __typename ... on DeletedMetricValue { uid } ... on UserError { code message }
  }
}"""
GET = f"query Get($uid: UUID!) {{ metricValue(uid: $uid) {{ {VALUE_FIELDS} }} }}"
LIST = """
query List($contextType: ContextType!, $entityUid: UUID!, $filter: MetricValueFilter,
           $orderBy: MetricValueOrder, $page: Int! = 1, $perPage: Int! = 25) {
  metricValues(contextType: $contextType, entityUid: $entityUid, filter: $filter,
               orderBy: $orderBy, page: $page, perPage: $perPage) {
    items { metricUid metricDate value metadata }
    page perPage totalPages totalItems
  }
}"""
RANKING = """
query Ranking($metricUid: String!, $filter: MetricRankingFilter, $orderBy: MetricValueOrder,
              $page: Int! = 1, $perPage: Int! = 25) {
  metricRanking(metricUid: $metricUid, filter: $filter, orderBy: $orderBy, page: $page,
                perPage: $perPage) {
    items { entityUid metricDate value }
    totalItems
  }
}"""


@pytest.fixture
def graphql(registry: MetricRegistry) -> Iterator[GraphQL]:
    registry.create_metric(uid="total_ar", name="Total AR", storage_unit="cents")
    registry.create_metric(uid="dso", name="DSO", value_type="days")
    registry.create_metric(
        uid="mrr", name="MRR", storage_unit="cents", period_definition="calendar_month"
    )
    registry.register_entity("ORGANIZATION", ACME, name="Acme")
    registry.register_entity("ORGANIZATION", GLOBEX, name="Globex")
    with serving(registry) as api:
        yield GraphQL(api)


def value_input(**fields: Any) -> dict[str, Any]:
    given = {
        "contextType": "ORGANIZATION",
        "entityUid": ACME,
        "metricUid": "total_ar",
        "metricDate": "2026-03-15",
        "value": 350000000,
    }
    given.update(fields)
    return {name: value for name, value in given.items() if value is not ...}


def record(graphql: GraphQL, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = graphql.data(RECORD, input=value_input(**fields))["recordMetricValue"]
    return result


def field_codes(result: dict[str, Any]) -> set[tuple[str, str]]:
    assert result["__typename"] == "ValidationError", result
    assert result["code"] == "invalid"
    return {(error["field"], error["code"]) for error in result["fieldErrors"]}


def stored_values(registry: MetricRegistry) -> list[Any]:
    """Every value of both entities (every metric, every date), to prove nothing was written."""
    found = []
    for entity in (ACME, GLOBEX):
        for unit in ("day", "month"):
            page = registry.list_values(
                "ORGANIZATION", entity, time_unit=unit, start_date="0002-01-01",
                end_date="9998-12-31", include_metadata=True, per_page=100,
            )  # fmt: skip
            found.extend(item.model_dump() for item in page.items)
    return found


# -- the schema -----------------------------------------------------------------------------


def test_order_fields_and_on_conflict_are_the_core_choices() -> None:
    assert tuple(member.value for member in MetricValueOrderField) == VALUE_SORTS
    assert tuple(member.value for member in OnConflict) == ON_CONFLICT
    assert (
        "  field: MetricValueOrderField! = METRIC_DATE\n  direction: OrderDirection! = DESC"
        in sdl()
    )
    assert "  onConflict: OnConflict! = ERROR\n" in sdl()


def test_the_readme_graphql_examples_are_valid_documents() -> None:
    from graphql import build_schema, parse, validate

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    blocks = re.findall(r"```graphql\n(.*?)```", readme, flags=re.DOTALL)
    assert blocks
    schema = build_schema(sdl())
    for block in blocks:
        assert validate(schema, parse(block)) == [], block


@pytest.mark.parametrize(
    ("core_field", "graphql_field"),
    [
        ("metric_uid", "metricUid"),
        ("values[17].value", "values.17.value"),
        ("values[3].metric_uid", "values.3.metricUid"),
        ("_metadata", "metadata"),
        ("values[0]._metadata", "values.0.metadata"),
        ("values[2]", "values.2"),
    ],
)
def test_core_field_names_become_graphql_input_names(core_field: str, graphql_field: str) -> None:
    assert graphql_name(core_field) == graphql_field


@pytest.mark.parametrize(
    "number", [0, -1, 2**31, 2**53 + 1, 2**62 + 7, -(2**63), 10**30, 0.5, -1e300]
)
def test_number_keeps_ints_and_floats_as_they_are(number: float) -> None:
    assert parse_value(number) == number
    assert type(parse_value(number)) is type(number)
    assert type(serialize(number)) is type(number)


@pytest.mark.parametrize("refused", [True, False, "12", "1.5", None, [1], {"a": 1}])
def test_number_refuses_what_is_not_a_number(refused: object) -> None:
    with pytest.raises(GraphQLError):
        parse_value(refused)
    with pytest.raises(TypeError):  # the core never gives one: a bug, shown as unexpected
        serialize(refused)


def test_number_reads_literals_exactly() -> None:
    from graphql import parse_value as parse_ast

    assert parse_literal(parse_ast(str(2**62 + 7))) == 2**62 + 7
    assert type(parse_literal(parse_ast("1e2"))) is float
    for text in ("true", '"12"', "null", "[1]", "ORGANIZATION", "9" * 5000):
        with pytest.raises(GraphQLError):
            parse_literal(parse_ast(text))


# -- recordMetricValue ----------------------------------------------------------------------


def test_record_returns_the_value_with_every_field(graphql: GraphQL) -> None:
    created = record(
        graphql,
        entityUid=ACME.upper(),
        metricUid="dso",
        value=41.5,
        timezone="America/Los_Angeles",
        metadata={"source": "ledger"},
    )
    assert created == {
        "__typename": "MetricValue",
        "uid": created["uid"],
        "metricUid": "dso",
        "metricName": "DSO",
        "periodDefinition": None,
        "contextType": "ORGANIZATION",
        "entityUid": ACME,
        "timeUnit": "DAY",
        "timezone": "America/Los_Angeles",
        "metricDate": "2026-03-15",
        "storageUnit": "RAW",
        "valueType": "DAYS",
        "value": 41.5,
        "periodStart": "2026-03-15",
        "periodEnd": "2026-03-15",
        "periodStartAt": "2026-03-15T07:00:00Z",
        "periodEndAt": "2026-03-16T07:00:00Z",
        "metadata": {"source": "ledger"},
        "createdAt": created["createdAt"],
        "updatedAt": created["createdAt"],
    }
    assert str(uuid.UUID(created["uid"])) == created["uid"]
    assert graphql.data(GET, uid=created["uid"])["metricValue"] == {
        key: value for key, value in created.items() if key != "__typename"
    }


def test_record_takes_the_defaults(graphql: GraphQL) -> None:
    created = record(graphql, metricUid="mrr", metricDate="2026-03-01", timeUnit="MONTH")
    assert (created["timeUnit"], created["periodStart"], created["periodEnd"]) == (
        "MONTH",
        "2026-03-01",
        "2026-03-31",
    )
    assert (created["timezone"], created["metadata"]) == (None, {})


@pytest.mark.parametrize("cents", [2**40 + 7, 2**62 + 7, 2**63 - 1, -(2**63)])
def test_cents_beyond_doubles_are_exact_json_integers(graphql: GraphQL, cents: int) -> None:
    response = graphql.post({"query": RECORD, "variables": {"input": value_input(value=cents)}})
    assert f'"value":{cents},' in response.text
    created = response.json()["data"]["recordMetricValue"]
    assert created["value"] == cents
    fetched = graphql.post({"query": GET, "variables": {"uid": created["uid"]}})
    assert f'"value":{cents},' in fetched.text


def test_literals_of_any_size_reach_the_core(graphql: GraphQL) -> None:
    literal = (
        'mutation {{ recordMetricValue(input: {{contextType: ORGANIZATION, entityUid: "{e}", '
        'metricUid: "total_ar", metricDate: "{d}", value: {v}}}) {{ __typename '
        "... on MetricValue {{ value }} ... on ValidationError {{ fieldErrors {{ field code }} }} "
        "}} }}"
    )
    exact = graphql.data(literal.format(e=ACME, d="2026-03-01", v=2**62 + 7))["recordMetricValue"]
    assert exact == {"__typename": "MetricValue", "value": 2**62 + 7}
    from_float = graphql.data(literal.format(e=ACME, d="2026-03-02", v="1e2"))
    assert from_float["recordMetricValue"]["value"] == 100
    too_big = graphql.data(literal.format(e=ACME, d="2026-03-03", v=2**63))["recordMetricValue"]
    assert too_big["fieldErrors"] == [{"field": "value", "code": "out_of_range"}]


def test_raw_values_are_json_floats(graphql: GraphQL) -> None:
    response = graphql.post(
        {"query": RECORD, "variables": {"input": value_input(metricUid="dso", value=45)}}
    )
    assert '"value":45.0,' in response.text


@pytest.mark.parametrize(
    ("value", "literal"),
    [(True, "true"), ("350000000", '"350000000"'), (None, "null"), ([1], "[1]"),
     ({"a": 1}, "{a: 1}"), (None, "ORGANIZATION"), (None, "9" * 4400)],
    ids=["boolean", "string", "null", "list", "object", "enum", "too many digits"],
)  # fmt: skip
def test_a_value_that_is_no_number_is_a_graphql_error_before_the_core(
    graphql: GraphQL, value: object, literal: str
) -> None:
    by_variable = graphql(RECORD, input=value_input(value=value))
    by_literal = graphql(
        f'mutation {{ recordMetricValue(input: {{contextType: ORGANIZATION, entityUid: "{ACME}", '
        f'metricUid: "total_ar", metricDate: "2026-03-15", value: {literal}}}) '
        "{ __typename } }"
    )
    for body in (by_variable, by_literal):
        assert body["data"] is None
        [error] = body["errors"]
        assert "Number" in error["message"]
        assert "extensions" not in error  # GraphQL's own error, not an unexpected one
    assert stored_values(graphql.api.registry) == []


def test_a_taken_key_is_a_conflict_error(graphql: GraphQL) -> None:
    first = record(graphql)
    again = record(graphql, value=1)
    assert again["__typename"] == "ConflictError"
    assert again["code"] == "already_exists"
    assert first["uid"] in again["message"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"metricUid": "missing"}, {("metricUid", "not_found")}),
        ({"contextType": "PARTY"}, {("contextType", "mismatch")}),
        ({"entityUid": MISSING}, {("entityUid", "not_found")}),
        ({"value": 1.5}, {("value", "invalid_type")}),
        ({"value": 2**63}, {("value", "out_of_range")}),
        ({"metricDate": "0001-12-31"}, {("metricDate", "out_of_range")}),
        ({"metricUid": "mrr", "timeUnit": "MONTH"}, {("metricDate", "invalid_format")}),
        (
            {"metricUid": "mrr", "timeUnit": "YEAR", "metricDate": "2026-01-01"},
            {("timeUnit", "invalid_choice")},
        ),
        ({"timezone": "Mars/Olympus"}, {("timezone", "invalid_choice")}),
        ({"metadata": [1, 2]}, {("metadata", "invalid_type")}),
        ({"metadata": {"big": "x" * 70_000}}, {("metadata", "too_long")}),
        (
            {"value": 0.5, "timezone": "Nowhere", "metadata": "x"},
            {
                ("value", "invalid_type"),
                ("timezone", "invalid_choice"),
                ("metadata", "invalid_type"),
            },
        ),
    ],
)
def test_refused_fields_are_named_as_in_the_input(
    graphql: GraphQL, fields: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    assert field_codes(record(graphql, **fields)) == expected
    assert stored_values(graphql.api.registry) == []


def test_an_inactive_metric_takes_no_new_values(graphql: GraphQL) -> None:
    graphql.api.registry.update_metric("dso", is_active=False)
    assert field_codes(record(graphql, metricUid="dso")) == {("metricUid", "inactive")}


@pytest.mark.parametrize(
    ("name", "text"),
    [("metricDate", '"15/03/2026"'), ("metricDate", "20260315"), ("entityUid", '"acme"'),
     ("entityUid", "1")],
)  # fmt: skip
def test_a_date_or_uuid_that_does_not_parse_is_a_graphql_error(
    graphql: GraphQL, name: str, text: str
) -> None:
    by_variable = graphql(RECORD, input=value_input(**{name: json.loads(text)}))
    literals = {"entityUid": f'"{ACME}"', "metricDate": '"2026-03-15"', name: text}
    by_literal = graphql(
        "mutation { recordMetricValue(input: {contextType: ORGANIZATION, "
        f'entityUid: {literals["entityUid"]}, metricUid: "total_ar", '
        f"metricDate: {literals['metricDate']}, value: 1}}) {{ __typename }} }}"
    )
    for body in (by_variable, by_literal):
        assert body["data"] is None
        [error] = body["errors"]
        assert "extensions" not in error, error  # GraphQL's own error, not an unexpected one
    assert stored_values(graphql.api.registry) == []


# -- recordMetricValues ---------------------------------------------------------------------


def rows(count: int, month: int = 3, **fields: Any) -> list[dict[str, Any]]:
    """``count`` days of total_ar for Acme from the first of ``month`` 2026, valued 1, 2…"""
    return [
        value_input(metricDate=f"2026-{month:02d}-{day:02d}", value=day, **fields)
        for day in range(1, count + 1)
    ]


def test_record_many_counts_and_converges(graphql: GraphQL) -> None:
    first = graphql.data(RECORD_MANY, input={"values": rows(3)})["recordMetricValues"]
    assert first == {
        "__typename": "RecordSummary",
        "inserted": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
    }
    skipped = graphql.data(RECORD_MANY, input={"values": rows(4), "onConflict": "SKIP"})
    assert skipped["recordMetricValues"]["inserted"] == 1
    assert skipped["recordMetricValues"]["skipped"] == 3
    changed = [{**row, "value": row["value"] * 10} for row in rows(2)]
    updated = graphql.data(RECORD_MANY, input={"values": changed, "onConflict": "UPDATE"})
    assert updated["recordMetricValues"]["updated"] == 2
    again = graphql.data(RECORD_MANY, input={"values": changed, "onConflict": "UPDATE"})
    assert again["recordMetricValues"]["unchanged"] == 2
    assert len(stored_values(graphql.api.registry)) == 4


def test_record_many_names_each_bad_row_and_writes_nothing(graphql: GraphQL) -> None:
    given = rows(3)
    given[1]["value"] = 0.5
    given[2]["metricUid"] = "missing"
    given[2]["metadata"] = "x"
    result = graphql.data(RECORD_MANY, input={"values": given})["recordMetricValues"]
    assert field_codes(result) == {
        ("values.1.value", "invalid_type"),
        ("values.2.metricUid", "not_found"),
        ("values.2.metadata", "invalid_type"),
    }
    assert stored_values(graphql.api.registry) == []


def test_record_many_duplicate_is_a_conflict_error_naming_the_row(graphql: GraphQL) -> None:
    graphql.data(RECORD_MANY, input={"values": rows(1)})
    result = graphql.data(RECORD_MANY, input={"values": rows(2)[::-1]})["recordMetricValues"]
    assert (result["__typename"], result["code"]) == ("ConflictError", "already_exists")
    assert "values[1]" in result["message"]
    assert len(stored_values(graphql.api.registry)) == 1


def test_record_many_can_register_entities(graphql: GraphQL) -> None:
    newcomer = str(uuid.uuid4())
    refused = graphql.data(RECORD_MANY, input={"values": rows(1, entityUid=newcomer)})
    assert field_codes(refused["recordMetricValues"]) == {("values.0.entityUid", "not_found")}
    given = {"values": rows(1, entityUid=newcomer), "registerEntities": True}
    assert graphql.data(RECORD_MANY, input=given)["recordMetricValues"]["inserted"] == 1
    assert graphql.api.registry.get_entity("ORGANIZATION", newcomer).uid == newcomer


# -- updateMetricValue and deleteMetricValue -----------------------------------------------


def test_update_changes_only_the_given_fields(graphql: GraphQL) -> None:
    created = record(graphql, timezone="Europe/Paris", metadata={"a": 1})
    result = graphql.data(UPDATE, uid=created["uid"], input={"value": 2**62 + 7})
    updated = result["updateMetricValue"]
    assert (updated["value"], updated["timezone"], updated["metadata"]) == (
        2**62 + 7,
        "Europe/Paris",
        {"a": 1},
    )
    cleared = graphql.data(UPDATE, uid=created["uid"], input={"timezone": None, "metadata": {}})
    assert (cleared["updateMetricValue"]["timezone"], cleared["updateMetricValue"]["metadata"]) == (
        None,
        {},
    )


def test_update_refusals(graphql: GraphQL) -> None:
    created = record(graphql)
    refused = graphql.data(UPDATE, uid=created["uid"], input={"value": None, "metadata": [1]})
    assert field_codes(refused["updateMetricValue"]) == {
        ("value", "invalid_type"),
        ("metadata", "invalid_type"),
    }
    missing = graphql.data(UPDATE, uid=MISSING, input={"value": 1})["updateMetricValue"]
    assert (missing["__typename"], missing["code"]) == ("NotFoundError", "not_found")
    assert graphql.data(GET, uid=created["uid"])["metricValue"]["value"] == 350000000


def test_update_input_has_only_the_editable_fields(graphql: GraphQL) -> None:
    created = record(graphql)
    body = graphql(UPDATE, uid=created["uid"], input={"metricDate": "2026-03-16"})
    assert body["data"] is None
    assert "metricDate" in body["errors"][0]["message"]


def test_delete_then_not_found(graphql: GraphQL) -> None:
    created = record(graphql)
    deleted = graphql.data(DELETE, uid=created["uid"])["deleteMetricValue"]
    assert deleted == {"__typename": "DeletedMetricValue", "uid": created["uid"]}
    assert graphql(GET, uid=created["uid"]) == {"data": {"metricValue": None}}
    again = graphql.data(DELETE, uid=created["uid"])["deleteMetricValue"]
    assert (again["__typename"], again["code"]) == ("NotFoundError", "not_found")


# -- metricValues and metricRanking ---------------------------------------------------------


@pytest.fixture
def series(graphql: GraphQL) -> GraphQL:
    """Acme: total_ar on March 1-3 (cents 1-3, metadata), dso on March 2; Globex: both once."""
    given = rows(3, metadata={"n": 1})
    given.append(value_input(metricUid="dso", metricDate="2026-03-02", value=40.5))
    given.append(value_input(entityUid=GLOBEX, metricDate="2026-03-01", value=10))
    given.append(
        value_input(entityUid=GLOBEX, metricUid="dso", metricDate="2026-03-01", value=50.0)
    )
    assert graphql.data(RECORD_MANY, input={"values": given})["recordMetricValues"]["inserted"] == 6
    return graphql


def listed(graphql: GraphQL, entity: str = ACME, **arguments: Any) -> dict[str, Any]:
    page: dict[str, Any] = graphql.data(
        LIST, contextType="ORGANIZATION", entityUid=entity, **arguments
    )["metricValues"]
    return page


def test_metric_values_lists_filters_orders_and_pages(series: GraphQL) -> None:
    march = {"startDate": "2026-03-01", "endDate": "2026-03-31"}
    everything = listed(series, filter=march)
    assert [(item["metricUid"], item["metricDate"]) for item in everything["items"]] == [
        ("total_ar", "2026-03-03"),
        ("dso", "2026-03-02"),
        ("total_ar", "2026-03-02"),
        ("total_ar", "2026-03-01"),
    ]
    assert all(item["metadata"] is None for item in everything["items"])
    with_metadata = listed(
        series, filter={**march, "includeMetadata": True, "metricUids": ["total_ar"]}
    )
    assert [item["metadata"] for item in with_metadata["items"]] == [{"n": 1}] * 3
    by_value = listed(
        series, filter=march, orderBy={"field": "VALUE", "direction": "ASC"}, perPage=2, page=2
    )
    assert [item["value"] for item in by_value["items"]] == [3, 40.5]
    assert (
        by_value["page"],
        by_value["perPage"],
        by_value["totalPages"],
        by_value["totalItems"],
    ) == (2, 2, 2, 4)
    latest = listed(series, filter={"latest": True})
    assert [(item["metricUid"], item["metricDate"]) for item in latest["items"]] == [
        ("total_ar", "2026-03-03"),
        ("dso", "2026-03-02"),
    ]
    as_of = listed(series, filter={"latest": True, "asOf": "2026-03-01"})
    assert [(item["metricUid"], item["value"]) for item in as_of["items"]] == [("total_ar", 1)]
    assert listed(series, filter={"timeUnit": "MONTH", "latest": True})["totalItems"] == 0


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"perPage": 101}, [("perPage", "out_of_range")]),
        ({"page": 0}, [("page", "out_of_range")]),
        (
            {"filter": {"startDate": "2026-03-02", "endDate": "2026-03-01"}},
            [("filter.startDate", "out_of_range")],
        ),
        ({"filter": {"metricUids": ["missing"]}}, [("filter.metricUids", "not_found")]),
        ({"filter": {"metricUids": ["x"] * 101}}, [("filter.metricUids", "too_long")]),
        ({"entityUid": MISSING}, [("entityUid", "not_found")]),
    ],
)
def test_metric_values_with_a_bad_argument_is_a_top_level_error_naming_it(
    series: GraphQL, arguments: dict[str, Any], named: list[tuple[str, str]]
) -> None:
    variables = {"contextType": "ORGANIZATION", "entityUid": ACME, **arguments}
    body = series(LIST, **variables)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["path"] == ["metricValues"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    fields = [(item["field"], item["code"]) for item in error["extensions"]["fieldErrors"]]
    assert fields == named
    assert f"{named[0][0]}: " in error["message"]


def test_metric_ranking_ranks_entities(series: GraphQL) -> None:
    ranking = series.data(RANKING, metricUid="dso")["metricRanking"]
    assert [(item["entityUid"], item["value"]) for item in ranking["items"]] == [
        (GLOBEX, 50.0),
        (ACME, 40.5),
    ]
    lowest = series.data(
        RANKING, metricUid="total_ar", orderBy={"field": "VALUE", "direction": "ASC"}
    )
    assert [(item["entityUid"], item["value"]) for item in lowest["metricRanking"]["items"]] == [
        (ACME, 3),
        (GLOBEX, 10),
    ]
    only_acme = series.data(RANKING, metricUid="total_ar", filter={"entityUids": [ACME.upper()]})
    assert only_acme["metricRanking"]["totalItems"] == 1
    history = series.data(
        RANKING,
        metricUid="total_ar",
        filter={"latest": False, "startDate": "2026-03-01", "endDate": "2026-03-02"},
    )
    assert history["metricRanking"]["totalItems"] == 3


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"metricUid": "missing"}, [("metricUid", "not_found")]),
        ({"filter": {"entityUids": [MISSING]}}, [("filter.entityUids", "not_found")]),
        ({"perPage": 0}, [("perPage", "out_of_range")]),
    ],
)
def test_metric_ranking_with_a_bad_argument_is_a_top_level_error(
    series: GraphQL, arguments: dict[str, Any], named: list[tuple[str, str]]
) -> None:
    body = series(RANKING, **{"metricUid": "dso", **arguments})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert [(item["field"], item["code"]) for item in error["extensions"]["fieldErrors"]] == named


# -- Metric.values and Metric.latestValue ---------------------------------------------------

PAGE_OF_METRICS = """
query Page($entityUid: UUID!, $perPage: Int! = 25, $asOf: Date) {
  metrics(perPage: $perPage) {
    items {
      uid
      latestValue(contextType: ORGANIZATION, entityUid: $entityUid, asOf: $asOf) {
        metricDate value
      }
      values(contextType: ORGANIZATION, entityUid: $entityUid, perPage: 2,
             filter: {startDate: "2026-03-01", endDate: "2026-03-31"}) {
        totalItems items { metricDate value }
      }
    }
  }
}"""


def test_metric_fields_give_each_metric_its_own_values(series: GraphQL) -> None:
    items = series.data(PAGE_OF_METRICS, entityUid=ACME)["metrics"]["items"]
    assert items == [
        {
            "uid": "dso",
            "latestValue": {"metricDate": "2026-03-02", "value": 40.5},
            "values": {"totalItems": 1, "items": [{"metricDate": "2026-03-02", "value": 40.5}]},
        },
        {"uid": "mrr", "latestValue": None, "values": {"totalItems": 0, "items": []}},
        {
            "uid": "total_ar",
            "latestValue": {"metricDate": "2026-03-03", "value": 3},
            "values": {
                "totalItems": 3,
                "items": [
                    {"metricDate": "2026-03-03", "value": 3},
                    {"metricDate": "2026-03-02", "value": 2},
                ],
            },
        },
    ]
    as_of = series.data(PAGE_OF_METRICS, entityUid=ACME, asOf="2026-03-01")["metrics"]["items"]
    assert [item["latestValue"] for item in as_of] == [
        None,
        None,
        {"metricDate": "2026-03-01", "value": 1},
    ]
    single = series.data(
        'query { metric(uid: "total_ar") { latestValue(contextType: ORGANIZATION, '
        f'entityUid: "{GLOBEX}") {{ value }} }} }}'
    )
    assert single == {"metric": {"latestValue": {"value": 10}}}


def test_metric_fields_with_an_unknown_entity_are_errors(series: GraphQL) -> None:
    body = series(PAGE_OF_METRICS, entityUid=MISSING)
    assert body["data"] is None
    assert {error["extensions"]["code"] for error in body["errors"]} == {"BAD_USER_INPUT"}
    assert body["errors"][0]["extensions"]["fieldErrors"][0]["field"] == "entityUid"


@contextmanager
def counted(graphql: GraphQL) -> Iterator[list[str]]:
    """Every SQL statement the app's connection (on the TestClient's portal thread) runs."""
    portal = graphql.api.client.portal
    assert portal is not None
    connection = portal.call(graphql.api.registry._store.engine.connections.acquire)
    assert isinstance(connection, sqlite3.Connection)
    statements: list[str] = []
    portal.call(connection.set_trace_callback, statements.append)
    try:
        yield statements
    finally:
        portal.call(connection.set_trace_callback, None)


def test_a_page_of_metrics_with_their_values_costs_the_same_for_5_and_25(sqlite_path: str) -> None:
    with MetricRegistry(sqlite_path) as registry, serving(registry) as api:
        graphql = GraphQL(api)
        registry.register_entity("ORGANIZATION", ACME)
        for n in range(25):
            registry.create_metric(uid=f"m{n:02d}", name=f"M {n}")
            registry.record_value(
                "ORGANIZATION", ACME, metric_uid=f"m{n:02d}", metric_date="2026-03-01", value=n
            )
        counts = {}
        for per_page in (5, 25):
            graphql.data(PAGE_OF_METRICS, entityUid=ACME, perPage=per_page)  # warm caches
            with counted(graphql) as statements:
                items = graphql.data(PAGE_OF_METRICS, entityUid=ACME, perPage=per_page)
            assert [item["latestValue"]["value"] for item in items["metrics"]["items"]] == list(
                range(per_page)
            )
            counts[per_page] = len(statements)
        assert counts[5] == counts[25], counts
        # the token check, the metrics' count and page, and two batched reads (each the
        # entity, the metric ids, a count and a page) with their BEGIN/COMMIT and busy timeouts
        assert counts[25] <= 20, counts


def test_a_page_read_that_must_wait_is_awaited_by_every_metric(
    series: GraphQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the page's read is refused on the event loop (the database busy), it runs once in
    the threadpool and each metric's field awaits its share of it."""
    registry = series.api.registry
    real = registry.list_values_by_metric
    threads: list[str] = []
    portal = series.api.client.portal
    assert portal is not None
    loop_thread = portal.call(threading.current_thread)

    def busy_on_the_loop(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        if threading.current_thread() is loop_thread:
            raise DatabaseBusyError("busy")
        return real(*args, **kwargs)

    monkeypatch.setattr(registry, "list_values_by_metric", busy_on_the_loop)
    items = series.data(PAGE_OF_METRICS, entityUid=ACME)["metrics"]["items"]
    assert [item["latestValue"] for item in items] == [
        {"metricDate": "2026-03-02", "value": 40.5},
        None,
        {"metricDate": "2026-03-03", "value": 3},
    ]
    assert [item["values"]["totalItems"] for item in items] == [1, 0, 3]
    assert len(threads) == 4  # each of the two reads: refused on the loop, then in a thread
    assert threads.count(loop_thread.name) == 2


def test_a_record_waiting_for_the_write_lock_succeeds(graphql: GraphQL) -> None:
    database = graphql.api.registry.database
    if database.startswith("postgresql"):
        pytest.skip("SQLite's write lock")
    connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    with closing(connection):
        connection.execute("BEGIN IMMEDIATE")
        release = threading.Timer(0.3, connection.execute, ("COMMIT",))
        release.start()
        created = record(graphql, value=2**62 + 7)
        release.join()
    assert (created["__typename"], created["value"]) == ("MetricValue", 2**62 + 7)


# -- the write scope ------------------------------------------------------------------------


def test_every_value_mutation_needs_the_write_scope(series: GraphQL) -> None:
    registry = series.api.registry
    before = stored_values(registry)
    existing = before[0]["uid"]
    mutations = [
        (RECORD, {"input": value_input(metricDate="2026-04-01")}),
        (RECORD_MANY, {"input": {"values": rows(2, month=4)}}),
        (UPDATE, {"uid": existing, "input": {"value": 7}}),
        (DELETE, {"uid": existing}),
    ]
    for query, variables in mutations:
        response = series.post({"query": query, "variables": variables}, token="read")
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
    assert stored_values(registry) == before
    assert series.data(GET, uid=existing)["metricValue"]["uid"] == existing
