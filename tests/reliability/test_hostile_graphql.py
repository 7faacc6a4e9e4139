"""Hostile input to ``/graphql`` of a live server: schemathesis, and the limits of SPEC §5.

Schemathesis (GraphQL mode, from the checked-in ``schema.graphql``) writes queries and
mutations, valid and not, sent with a write token. For each: no 5xx, no traceback or SQL, and
the database is unchanged unless the answer is a successful mutation. Then the limits: depth
over 10, more than 20 aliases, more than 5,000 tokens, bodies over 1 MiB, batches, malformed
JSON; each refused as the SPEC says, with nothing written.
"""

from __future__ import annotations

import json
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

SCHEMA = schemathesis.graphql.from_path(Path(__file__).parents[2] / "schema.graphql")
MIB = 1024 * 1024
TYPENAME = "reliabilityTypename"
SUCCESSES = frozenset({"Metric", "DeletedMetric"})


# Words schemathesis often draws (it mines the application's constants): seeded as uids, so
# that some generated updates and deletes find their metric, and succeed.
SEEDED = ["value", "name", "uid", "metric", "search", "page", "count", "raw", "code", "field"]


@pytest.fixture(scope="module")
def snapshot(module_server: LiveServer) -> Iterator[Callable[[], Rows]]:
    with client(module_server) as http:
        for uid in SEEDED:
            assert http.post("/api/metrics", json={"uid": uid, "name": uid}).status_code == 200
    with reader(module_server.db_path) as read:
        yield read


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
