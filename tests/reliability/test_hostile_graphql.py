"""Hostile input to ``/graphql`` of a live server: schemathesis, and the limits of SPEC §5.

Schemathesis (GraphQL mode, from the checked-in ``schema.graphql``) writes queries and
mutations, valid and not, sent with a write token. For each: no 5xx, no traceback or SQL, and
the database (metrics, tokens, entities and values) is unchanged unless the answer is a
successful mutation. Then the limits: depth over 10, more than 20 aliases, more than 5,000
tokens, bodies over 1 MiB, batches, malformed JSON; each refused as the SPEC says, with
nothing written. Then the value and entity mutations with hostile fields: numbers of every
shape, NUL characters and lone surrogates, oversized and deep metadata, big batches, the
read scope.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx2
import pytest
import schemathesis
from graphql import (
    FieldNode,
    GraphQLError,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    get_introspection_query,
    parse,
    print_ast,
)
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.e2e._scalars import register_graphql_scalars
from tests.e2e.conftest import LiveServer

from .conftest import (
    Rows,
    check_no_leak,
    client,
    leaks,
    log_problems,
    reader,
    record_figures,
)

pytestmark = pytest.mark.e2e


register_graphql_scalars()
SCHEMA = schemathesis.graphql.from_path(Path(__file__).parents[2] / "schema.graphql")
MIB = 1024 * 1024
TYPENAME = "reliabilityTypename"
SUCCESSES = frozenset(
    {"Metric", "DeletedMetric", "Entity", "DeletedEntity", "MetricValue", "RecordSummary",
     "DeletedMetricValue"}
)  # fmt: skip
VALUE_TABLES = ("SELECT * FROM entity ORDER BY id", "SELECT * FROM metric_value ORDER BY id")


# Words schemathesis often draws (it mines the application's constants): seeded as uids, so
# that some generated updates and deletes find their metric, and succeed.
SEEDED = ["value", "name", "uid", "metric", "search", "page", "count", "raw", "code", "field"]


@pytest.fixture(scope="module")
def snapshot(module_server: LiveServer) -> Iterator[Callable[[], Rows]]:
    """Every row of the metric, token, entity and value tables, read outside the server."""
    with client(module_server) as http:
        for uid in SEEDED:
            assert http.post("/api/metrics", json={"uid": uid, "name": uid}).status_code == 200
    with (
        reader(module_server.db_path) as read,
        sqlite3.connect(module_server.db_path, timeout=30, isolation_level=None) as connection,
    ):

        def read_all() -> Rows:
            values = tuple(tuple(connection.execute(sql).fetchall()) for sql in VALUE_TABLES)
            return (*read(), ("entities and values", *values))

        yield read_all
    connection.close()


@pytest.fixture(scope="module")
def schemathesis_statuses() -> Iterator[Counter[str]]:
    """How the schemathesis cases of this module were answered, shown as a figure."""
    outcomes: Counter[str] = Counter()
    yield outcomes
    record_figures("schemathesis GraphQL", dict(sorted(outcomes.items())))


def with_typename(body: Any) -> Any:
    """``body`` with ``__typename`` (aliased) asked of every top-level mutation result, so that
    an error member can be told from a success; unparsable documents go as they are.

    Schemathesis gives a case's body as the document itself or as ``{"query": …}``."""
    if isinstance(body, dict) and isinstance(body.get("query"), str):
        return {**body, "query": with_typename(body["query"])}
    if not isinstance(body, str):
        return body
    try:
        document = parse(body)
    except GraphQLError:
        return body
    asked = FieldNode(name=NameNode(value="__typename"), alias=NameNode(value=TYPENAME))
    definitions = []
    for definition in document.definitions:
        if (
            isinstance(definition, OperationDefinitionNode)
            and definition.operation is OperationType.MUTATION
        ):
            fields = tuple(
                replace(
                    field,
                    selection_set=replace(
                        field.selection_set,
                        selections=(*field.selection_set.selections, asked),
                    ),
                )
                if isinstance(field, FieldNode) and field.selection_set
                else field
                for field in definition.selection_set.selections
            )
            definition = replace(  # noqa: PLW2901
                definition, selection_set=replace(definition.selection_set, selections=fields)
            )
        definitions.append(definition)
    return print_ast(replace(document, definitions=tuple(definitions)))


def succeeded(response: httpx2.Response | Any) -> bool:
    """A mutation that did its work: 200, no errors, every result a success member."""
    if response.status_code != 200:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    data = body.get("data") if isinstance(body, dict) else None
    if body.get("errors") or not isinstance(data, dict) or not data:
        return False
    return all(
        isinstance(result, dict) and result.get(TYPENAME) in SUCCESSES for result in data.values()
    )


def failed_below_the_mutation(response: httpx2.Response | Any) -> bool:
    """Errors only inside a mutation's result selection (a path deeper than the field): the
    mutation ran and wrote, then a sub-field (e.g. ``values(page: -1)``) was refused, and
    GraphQL nulls the result up to the nearest nullable field."""
    try:
        body = response.json()
    except ValueError:
        return False
    errors = body.get("errors") if isinstance(body, dict) else None
    return bool(errors) and all(len(error.get("path") or ()) > 1 for error in errors)


@SCHEMA.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_schemathesis_finds_no_5xx_and_no_stray_write(
    case: Any,
    module_server: LiveServer,
    snapshot: Callable[[], Rows],
    schemathesis_statuses: Counter[str],
) -> None:
    case.body = with_typename(case.body)
    problems = len(log_problems(module_server))
    before = snapshot()
    response = case.call(
        base_url=f"{module_server.base_url}/graphql",
        headers={"Authorization": f"Bearer {module_server.write_token}"},
        timeout=30,
    )
    schemathesis_statuses["requests"] += 1
    schemathesis_statuses[f"status {response.status_code}"] += 1
    check_no_leak(response, sent=json.dumps(case.body, ensure_ascii=False))
    case.validate_response(response, checks=[not_a_server_error])
    if succeeded(response):
        schemathesis_statuses["mutations done"] += 1
    elif failed_below_the_mutation(response):
        schemathesis_statuses["mutations done, a sub-field refused"] += 1
    else:
        assert snapshot() == before, f"a refused request wrote: {response.text[:500]}"
    assert log_problems(module_server)[problems:] == []


def post(server: LiveServer, body: Any, token: str | None = None) -> httpx2.Response:
    with client(server, token) as http:
        if isinstance(body, bytes | Iterator):
            response = http.post(
                "/graphql", content=body, headers={"Content-Type": "application/json"}
            )
        else:
            response = http.post("/graphql", json=body)
    check_no_leak(response, sent=body if isinstance(body, str) else repr(body))
    return response


def refused(response: httpx2.Response, status_code: int, code: str) -> None:
    """A request refused before execution: a GraphQL error body with the status, never text."""
    assert response.status_code == status_code, response.text
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": code}


def messages(response: httpx2.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [error["message"] for error in response.json().get("errors", [])]


def nested(levels: int) -> str:
    """A selection ``levels`` fields deep: depth ``levels - 1``, counting the top as 0."""
    inner = "uid"
    for level in range(levels - 2):
        inner = f"f{level} {{ {inner} }}"
    return f'{{ metric(uid: "x") {{ {inner} }} }}'


def test_depth_over_ten_is_refused(module_server: LiveServer, snapshot: Callable[[], Rows]) -> None:
    before = snapshot()
    depth_error = "exceeds maximum operation depth of 10"
    assert not any(depth_error in m for m in messages(post(module_server, {"query": nested(11)})))
    for levels in (12, 40):
        assert any(
            depth_error in m for m in messages(post(module_server, {"query": nested(levels)}))
        )
    mutation = (
        nested(12).replace(
            '{ metric(uid: "x") {',
            'mutation { createMetric(input: {uid: "deep_one", name: "x"}) { ... on Metric {',
            1,
        )
        + " }"
    )
    assert any(depth_error in m for m in messages(post(module_server, {"query": mutation})))
    assert snapshot() == before


def test_introspection_is_bounded_by_its_own_depth_rule(module_server: LiveServer) -> None:
    """Introspection is outside the depth limit (as in strawberry's limiter, so that GraphiQL's
    own introspection query works) and bounded instead by graphql-core's introspection rule."""
    standard = post(module_server, {"query": get_introspection_query()})
    assert standard.status_code == 200
    assert standard.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    cyclic = "{ __schema { types { " + "fields { type { " * 4 + "name" + " } }" * 4 + " } } }"
    refused = messages(post(module_server, {"query": cyclic}))
    assert any("introspection depth" in message.lower() for message in refused), refused


def aliased_creates(count: int, prefix: str) -> str:
    fields = " ".join(
        f'a{n}: createMetric(input: {{uid: "{prefix}_{n}", name: "x"}}) '
        f"{{ __typename ... on Metric {{ uid }} }}"
        for n in range(count)
    )
    return f"mutation {{ {fields} }}"


def test_more_than_twenty_aliases_are_refused(
    module_server: LiveServer, snapshot: Callable[[], Rows], figures: dict[str, object]
) -> None:
    before = snapshot()
    query = "{ " + " ".join(f'a{n}: metric(uid: "x") {{ uid }}' for n in range(21)) + " }"
    assert messages(post(module_server, {"query": query})) == ["21 aliases found. Allowed: 20"]
    flood = post(module_server, {"query": aliased_creates(21, "flood")})
    assert messages(flood) == ["21 aliases found. Allowed: 20"]
    assert flood.json()["data"] is None
    assert snapshot() == before, "a refused alias flood wrote"
    # Twenty are within the limit: twenty metrics, written.
    allowed = post(module_server, {"query": aliased_creates(20, "allowed")})
    assert messages(allowed) == []
    assert {result["__typename"] for result in allowed.json()["data"].values()} == {"Metric"}
    assert len(snapshot()) == len(before) + 20
    figures.update(aliases_allowed=20, aliases_refused=21)


def with_tokens(count: int) -> str:
    """A query of exactly ``count`` lexical tokens (``{ metric ( uid : "x" ) { … } }``)."""
    return '{ metric(uid: "x") { ' + "uid " * (count - 10) + "} }"


def test_more_than_five_thousand_tokens_are_refused(
    module_server: LiveServer, snapshot: Callable[[], Rows]
) -> None:
    before = snapshot()
    limit_error = "Document contains more than 5000 tokens"
    assert not any(
        limit_error in m for m in messages(post(module_server, {"query": with_tokens(5000)}))
    )
    for count in (5001, 60_000):
        assert any(
            limit_error in m for m in messages(post(module_server, {"query": with_tokens(count)}))
        )
    mutation = aliased_creates(1, "many_tokens").replace("{ uid }", "{ " + "uid " * 5000 + "}")
    assert any(limit_error in m for m in messages(post(module_server, {"query": mutation})))
    assert snapshot() == before


def test_bodies_over_one_mib_are_413(
    module_server: LiveServer, snapshot: Callable[[], Rows]
) -> None:
    before = snapshot()
    create = aliased_creates(1, "big")

    def padded(size: int) -> bytes:
        head = json.dumps({"query": create + " #"}).encode()
        return head[:-2] + b"p" * (size - len(head)) + head[-2:]

    def streamed() -> Iterator[bytes]:
        yield padded(2 * MIB)

    for body in (padded(MIB + 1), streamed()):
        refused(post(module_server, body), 413, "PAYLOAD_TOO_LARGE")
    assert snapshot() == before
    at_limit = post(module_server, padded(MIB))
    assert messages(at_limit) == []
    assert at_limit.json()["data"]["a0"]["__typename"] == "Metric"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"{", id="unclosed"),
        pytest.param(b"{'query': '{ __typename }'}", id="single quotes"),
        pytest.param(b'{"query": "{ __typename }",}', id="trailing comma"),
        pytest.param(b'{"query": "{ __typename }"} {}', id="garbage after"),
        pytest.param(
            b'{"query": "{ __typename }", "variables": {"a": NaN}}',
            id="NaN",
        ),
        pytest.param(b'{"query": "{ __typename }", "variables": {"a": -Infinity}}', id="Infinity"),
        pytest.param(b'{"query": "{ __typename }", "query": "mutation { x }"}', id="duplicate key"),
        pytest.param(b'{"query": "\x80"}', id="not UTF-8"),
        pytest.param(b"[" * 100_000, id="deep nesting"),
        pytest.param(
            b'{"query": "{ __typename }", "variables": {"a": ' + b"9" * 5_000 + b"}}",
            id="huge integer",
        ),
    ],
)
def test_malformed_json_is_400(module_server: LiveServer, body: bytes) -> None:
    with reader(module_server.db_path) as stored:
        before = stored()
        refused(post(module_server, body), 400, "BAD_REQUEST")
        assert stored() == before


def test_malformed_variables_in_a_get_are_400(module_server: LiveServer) -> None:
    with client(module_server) as http:
        response = http.get(
            "/graphql", params={"query": "{ __typename }", "variables": "[" * 5000 + "]" * 5000}
        )
    check_no_leak(response)
    refused(response, 400, "BAD_REQUEST")


def test_batches_are_refused(module_server: LiveServer, snapshot: Callable[[], Rows]) -> None:
    before = snapshot()
    batch = [{"query": aliased_creates(1, f"batched_{n}")} for n in range(3)]
    refused(post(module_server, batch), 400, "BAD_REQUEST")
    assert snapshot() == before


def test_no_field_suggestions(module_server: LiveServer) -> None:
    for query in ('{ metrc(uid: "x") { uid } }', '{ metric(uid: "x") { nam } }'):
        found = messages(post(module_server, {"query": query}))
        assert found
        assert not any("Did you mean" in m for m in found), found


def test_mutations_need_post_and_the_write_scope(
    module_server: LiveServer, snapshot: Callable[[], Rows]
) -> None:
    before = snapshot()
    query = aliased_creates(1, "sneaky")
    read_only = post(module_server, {"query": query}, token=module_server.read_token)
    assert [e["extensions"]["code"] for e in read_only.json()["errors"]] == ["FORBIDDEN"]
    with client(module_server) as http:
        over_get = http.get("/graphql", params={"query": query})
    check_no_leak(over_get)
    assert over_get.status_code in (400, 405), over_get.text
    assert snapshot() == before


def test_nul_characters_never_cause_an_unexpected_error(engine_server: LiveServer) -> None:
    queries = [
        'mutation { createMetric(input: {uid: "nul_name", name: "a\\u0000b"}) { __typename } }',
        'mutation { createMetric(input: {uid: "nul_d", name: "x", description: "\\u0000"}) '
        "{ __typename } }",
        'mutation { updateMetric(uid: "a\\u0000", input: {name: "x"}) { __typename } }',
        'mutation { deleteMetric(uid: "a\\u0000") { __typename } }',
        '{ metric(uid: "a\\u0000b") { uid } }',
        '{ metrics(filter: {search: "\\u0000"}) { totalItems } }',
    ]
    unexpected = []
    with reader(engine_server.db_path) as stored:
        for query in queries:
            before = stored()
            response = post(engine_server, {"query": query})
            found = messages(response)
            if any("Unexpected error" in m for m in found) or leaks(response.text):
                unexpected.append(f"{query}: {found}")
            data = response.json().get("data") or {}
            typenames = {r.get("__typename") for r in data.values() if isinstance(r, dict)}
            if not typenames & SUCCESSES:
                assert stored() == before, query
    assert not unexpected, unexpected


def test_lone_surrogates_in_variables_are_refused(module_server: LiveServer) -> None:
    requests = [
        ("query($u: String!) { metric(uid: $u) { uid } }", {"u": "\ud800"}),
        ("query($s: String) { metrics(filter: {search: $s}) { totalItems } }", {"s": "a\udfff"}),
        (
            'mutation($n: String!) { createMetric(input: {uid: "lone", name: $n}) { __typename } }',
            {"n": "\ud800"},
        ),
    ]
    unexpected = []
    with reader(module_server.db_path) as stored:
        for query, variables in requests:
            before = stored()
            body = json.dumps({"query": query, "variables": variables}).encode()
            response = post(module_server, body)
            if any("Unexpected error" in m for m in messages(response)):
                unexpected.append(query)
            assert stored() == before, query
    assert not unexpected, unexpected


# -- values and entities --------------------------------------------------------------------

ENTITY = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
STORED_DATE = "2026-03-15"
RECORD_LITERAL = (
    'mutation {{ recordMetricValue(input: {{contextType: ORGANIZATION, entityUid: "{entity}", '
    'metricUid: "{metric}", metricDate: "{date}", value: {value}{extra}}}) {{ __typename '
    "... on ValidationError {{ fieldErrors {{ field code }} }} }} }}"
)
RECORD_VARIABLES = (
    "mutation($input: RecordMetricValueInput!) { recordMetricValue(input: $input) "
    "{ __typename ... on ValidationError { fieldErrors { field code } } } }"
)
RECORD_MANY = (
    "mutation($input: RecordMetricValuesInput!) { recordMetricValues(input: $input) "
    "{ __typename ... on RecordSummary { inserted } ... on ValidationError { fieldErrors "
    "{ field code } } } }"
)


def as_body(query: str, **variables: Any) -> bytes:
    """A request body as bytes (lone surrogates escaped, as a client's JSON encoder sends them)."""
    return json.dumps({"query": query, "variables": variables}).encode()


def graphql(server: LiveServer, query: str, token: str | None = None, **variables: Any) -> Any:
    """The 200 answer's JSON, after checking it neither failed nor leaked."""
    response = post(server, {"query": query, "variables": variables}, token)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def cents_metric(module_server: LiveServer) -> str:
    """A cents metric with one value of ENTITY on STORED_DATE: any value sent for that key is
    refused (by its type, by a rule, or as a conflict), so nothing may be written."""
    setup = (
        'mutation { createMetric(input: {uid: "hostile_cents", name: "x", storageUnit: CENTS}) '
        "{ __typename } "
        f'registerEntity(input: {{contextType: ORGANIZATION, uid: "{ENTITY}"}}) {{ __typename }} }}'
    )
    assert graphql(module_server, setup)["data"] == {
        "createMetric": {"__typename": "Metric"},
        "registerEntity": {"__typename": "Entity"},
    }
    stored = RECORD_LITERAL.format(
        entity=ENTITY, metric="hostile_cents", date=STORED_DATE, value=1, extra=""
    )
    assert graphql(module_server, stored)["data"]["recordMetricValue"]["__typename"] == (
        "MetricValue"
    )
    return "hostile_cents"


HOSTILE_LITERALS = [
    "true", '"12"', "null", "[1]", "{a: 1}", "1e400", "-1e400", "0.5", "-0.0", "1e2",
    str(2**63), str(-(2**63) - 1), "9" * 4000, "9" * 4400, "NaN", "Infinity", "0x10", "01",
    "1_000", "$undefined", "ORGANIZATION",
]  # fmt: skip
HOSTILE_VARIABLES: list[Any] = [
    True, False, "12", "", None, [1], {"a": 1}, 0.5, -0.0, 2**63, -(2**63) - 1, 10**4000,
    1e308, 5e-324,
]  # fmt: skip


def test_hostile_numbers_are_refused_cleanly(
    module_server: LiveServer, snapshot: Callable[[], Rows], cents_metric: str
) -> None:
    problems = len(log_problems(module_server))
    before = snapshot()
    answers: Counter[str] = Counter()
    for literal in HOSTILE_LITERALS:
        query = RECORD_LITERAL.format(
            entity=ENTITY, metric=cents_metric, date=STORED_DATE, value=literal, extra=""
        )
        body = graphql(module_server, query)
        answers[_answer(body)] += 1
    for value in HOSTILE_VARIABLES:
        given = {
            "contextType": "ORGANIZATION",
            "entityUid": ENTITY,
            "metricUid": cents_metric,
            "metricDate": STORED_DATE,
            "value": value,
        }
        body = post(module_server, as_body(RECORD_VARIABLES, input=given))
        if body.status_code == 400:  # e.g. an integer too long for the JSON decoder
            refused(body, 400, "BAD_REQUEST")
            answers["BAD_REQUEST"] += 1
            continue
        answers[_answer(body.json())] += 1
    assert snapshot() == before
    assert "Unexpected error" not in answers
    assert answers["MetricValue"] == 0
    # whole numbers of cents reach the stored key: -0.0 and 1e2 as literals, -0.0 as a variable
    assert answers["ConflictError"] == 3, answers
    assert log_problems(module_server)[problems:] == []


def _answer(body: dict[str, Any]) -> str:
    """What an answer to one recordMetricValue was: its member, or its first error."""
    data = body.get("data") or {}
    result = data.get("recordMetricValue")
    if result is not None:
        return str(result["__typename"])
    message: str = body["errors"][0]["message"]
    return "Unexpected error" if "Unexpected error" in message else "GraphQL error"


def test_hostile_text_in_value_and_entity_fields(engine_server: LiveServer) -> None:
    """NUL characters and lone surrogates in every text field (and in metadata) of the value
    and entity operations, on each engine: refused or stored, never an unexpected error."""
    setup = (
        'mutation { createMetric(input: {uid: "hostile_raw", name: "x"}) { __typename } '
        f'registerEntity(input: {{contextType: ORGANIZATION, uid: "{ENTITY}"}}) {{ __typename }} }}'
    )
    graphql(engine_server, setup)
    nul, lone = "a\u0000b", "a\ud800b"
    operations: list[tuple[str, dict[str, Any]]] = []
    for text in (nul, lone):
        base = {
            "contextType": "ORGANIZATION",
            "entityUid": ENTITY,
            "metricUid": "hostile_raw",
            "metricDate": "2026-03-01",
            "value": 1,
        }
        for field, value in (
            ("metricUid", text),
            ("timezone", text),
            ("metadata", {text: 1}),
            ("metadata", {"k": text}),
        ):
            operations.append((RECORD_VARIABLES, {"input": {**base, field: value}}))
        operations.append((RECORD_MANY, {"input": {"values": [{**base, "metricUid": text}]}}))
        register = (
            "mutation($n: String) { registerEntity(input: {contextType: PARTY, "
            f'uid: "{ENTITY}", name: $n}}) {{ __typename }} }}'
        )
        operations.append((register, {"n": text}))
        for query in (
            "query($m: String!) { metricRanking(metricUid: $m) { totalItems } }",
            "query($m: String!) { metricValues(contextType: ORGANIZATION, "
            f'entityUid: "{ENTITY}", filter: {{metricUids: [$m]}}) {{ totalItems }} }}',
            "query($m: String) { entities(contextType: ORGANIZATION, search: $m) { totalItems } }",
        ):
            operations.append((query, {"m": text}))
    unexpected = []
    for query, variables in operations:
        response = post(engine_server, as_body(query, **variables))
        if response.status_code == 400:
            continue  # refused as malformed before execution
        found = messages(response)
        if any("Unexpected error" in m for m in found):
            unexpected.append(f"{query} {variables!r}: {found}")
    assert not unexpected, unexpected


def test_metadata_too_big_or_too_deep(
    module_server: LiveServer, snapshot: Callable[[], Rows], cents_metric: str
) -> None:
    problems = len(log_problems(module_server))
    before = snapshot()
    base = {
        "contextType": "ORGANIZATION",
        "entityUid": ENTITY,
        "metricUid": cents_metric,
        "metricDate": "2026-04-01",
        "value": 1,
    }
    big = graphql(module_server, RECORD_VARIABLES, input={**base, "metadata": {"x": "y" * 70_000}})
    assert big["data"]["recordMetricValue"]["fieldErrors"] == [
        {"field": "metadata", "code": "too_long"}
    ]
    # 5,000 levels of {"d": …}, written out (json.dumps itself would recurse too deep)
    given = json.dumps({"query": RECORD_VARIABLES, "variables": {"input": {**base, "metadata": 0}}})
    deep_body = given.replace(
        '"metadata": 0', '"metadata": ' + '{"d": ' * 5_000 + "1" + "}" * 5_000
    )
    deep_answer = post(module_server, deep_body.encode())
    assert deep_answer.status_code in (200, 400), deep_answer.text
    assert "Unexpected error" not in deep_answer.text
    assert snapshot() == before
    assert log_problems(module_server)[problems:] == []


def test_a_batch_over_one_mib_is_413_and_one_within_is_atomic(
    module_server: LiveServer, snapshot: Callable[[], Rows], cents_metric: str
) -> None:
    def batch(count: int, bad_at: int | None = None) -> bytes:
        values = [
            {
                "contextType": "ORGANIZATION",
                "entityUid": ENTITY,
                "metricUid": cents_metric,
                "metricDate": f"{1000 + n:04d}-01-01",
                "timeUnit": "YEAR",
                "value": 2**62 + n,
            }
            for n in range(count)
        ]
        if bad_at is not None:
            values[bad_at]["value"] = 0.5
        return as_body(RECORD_MANY, input={"values": values})

    problems = len(log_problems(module_server))
    before = snapshot()
    refused(post(module_server, batch(8_000)), 413, "PAYLOAD_TOO_LARGE")
    assert snapshot() == before
    answer = post(module_server, batch(3_000, bad_at=2_999))
    assert answer.status_code == 200, answer.text
    result = answer.json()["data"]["recordMetricValues"]
    assert result["__typename"] == "ValidationError"
    assert {"field": "values.2999.value", "code": "invalid_type"} in result["fieldErrors"]
    assert snapshot() == before
    assert log_problems(module_server)[problems:] == []


def test_value_and_entity_mutations_need_post_and_the_write_scope(
    module_server: LiveServer, snapshot: Callable[[], Rows], cents_metric: str
) -> None:
    problems = len(log_problems(module_server))
    before = snapshot()
    value_uid = str(uuid.uuid4())
    mutations = [
        RECORD_LITERAL.format(
            entity=ENTITY, metric=cents_metric, date="2026-05-01", value=1, extra=""
        ),
        "mutation { recordMetricValues(input: {values: [{contextType: ORGANIZATION, "
        f'entityUid: "{ENTITY}", metricUid: "{cents_metric}", metricDate: "2026-05-02", '
        "value: 1}]}) { __typename } }",
        f'mutation {{ updateMetricValue(uid: "{value_uid}", input: {{value: 2}}) '
        "{ __typename } }",
        f'mutation {{ deleteMetricValue(uid: "{value_uid}") {{ __typename }} }}',
        f'mutation {{ registerEntity(input: {{contextType: USER, uid: "{ENTITY}"}}) '
        "{ __typename } }",
        f'mutation {{ deleteEntity(contextType: ORGANIZATION, uid: "{ENTITY}") {{ __typename }} }}',
    ]
    for mutation in mutations:
        read_only = post(module_server, {"query": mutation}, token=module_server.read_token)
        assert [e["extensions"]["code"] for e in read_only.json()["errors"]] == ["FORBIDDEN"]
        with client(module_server) as http:
            over_get = http.get("/graphql", params={"query": mutation})
        check_no_leak(over_get)
        assert over_get.status_code in (400, 405), over_get.text
    aliases = (
        f'a{n}: registerEntity(input: {{contextType: USER, uid: "{uuid.uuid4()}"}}) '
        "{ __typename }"
        for n in range(21)
    )
    flood = "mutation { " + " ".join(aliases) + " }"
    assert messages(post(module_server, {"query": flood})) == ["21 aliases found. Allowed: 20"]
    assert snapshot() == before
    assert log_problems(module_server)[problems:] == []
