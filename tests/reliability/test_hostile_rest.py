"""Hostile input to the REST endpoints of a live server, on each engine.

Hypothesis writes the bodies (JSON documents near and far from a metric, JSON that is not an
object, bytes that are not JSON, with assorted Content-Types), the uids in paths and the
listing's query strings. For every request: no 5xx, no traceback or SQL in the answer, the
status the body calls for, and the database (read by the database itself, not the server) is
unchanged by every refused request and changed exactly as told by every accepted one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import LiveServer

from .conftest import Rows, check_no_leak, client, leaks, log_problems, reader

pytestmark = pytest.mark.e2e

# Bounded: each example is one request plus two reads of the database.
HOSTILE = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
MIB = 1024 * 1024
REFUSED = frozenset({400, 404, 405, 409, 413, 415, 422})
ENUMS = {
    "context_type": ["ORGANIZATION", "PARTY", "USER"],
    "value_type": ["currency", "percentage", "days", "count", "ratio"],
    "storage_unit": ["raw", "cents"],
    "period_definition": ["as_of_date", "trailing_30_days", "calendar_month", "month_to_date"],
}
SEEDED = ["seed_one", "seed_two", "seed_three"]


@cache
def texts(**bounds: Any) -> st.SearchStrategy[str]:
    """Text that UTF-8 can carry (no lone surrogates), U+0000 included."""
    return st.text(st.characters(exclude_categories=["Cs"]), **bounds)


@cache
def json_values() -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False, allow_infinity=False)
        | texts(max_size=20)
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts(max_size=8), inner),
        max_leaves=8,
    )


def valid_values() -> dict[str, st.SearchStrategy[Any]]:
    values: dict[str, st.SearchStrategy[Any]] = {
        "uid": st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,4}){0,2}", fullmatch=True),
        "name": texts(min_size=1, max_size=40).filter(str.strip),
        "description": st.none() | texts(max_size=40),
        "formula": st.none() | texts(max_size=40),
        "is_snapshot": st.booleans(),
        "is_active": st.booleans(),
    }
    values.update({name: st.sampled_from(choices) for name, choices in ENUMS.items()})
    values["period_definition"] = values["period_definition"] | st.none()
    return values


def hostile_values() -> dict[str, st.SearchStrategy[Any]]:
    """For each metric field: near misses, and anything at all."""
    near = st.sampled_from(["", " ", "true", 1, 0, "null", "x" * 256]) | json_values()
    values: dict[str, st.SearchStrategy[Any]] = {
        "uid": st.sampled_from(["Bad", "a__b", "_a", "a_", "a\nb", "a" * 65, "a-b", "1a"]),
        "name": st.sampled_from(["   ", "n" * 256, "\t\n"]),
        "description": st.just("d" * 10_001),
        "formula": st.just("f" * 4_001),
        "is_snapshot": st.sampled_from(["true", 1, "false", 0]),
        "is_active": st.sampled_from(["true", 1, "false", 0]),
    }
    for name, choices in ENUMS.items():
        values[name] = st.sampled_from([choice.swapcase() for choice in choices] + ["", "raw "])
    return {name: strategy | near for name, strategy in values.items()}


@cache
def documents(required: tuple[str, ...] = ()) -> st.SearchStrategy[dict[str, Any]]:
    """Valid documents; valid but for one field; with an unknown field; anything."""
    valid, hostile = valid_values(), hostile_values()
    optional = {name: strategy for name, strategy in valid.items() if name not in required}
    good = st.fixed_dictionaries({name: valid[name] for name in required}, optional=optional)
    one_bad = st.one_of([st.tuples(st.just(name), value) for name, value in hostile.items()])
    unknown = st.sampled_from(["valuetype", "created_at", "updated_at", "id", "UID", "uid "])
    extras = st.dictionaries(unknown | texts(max_size=8), json_values(), min_size=1)
    mixed = {name: valid[name] | hostile[name] for name in valid}
    return st.one_of(
        good,
        st.builds(lambda document, bad: {**document, bad[0]: bad[1]}, good, one_bad),
        st.builds(lambda document, extra: {**extra, **document}, good, extras),
        st.fixed_dictionaries({}, optional=mixed),
    )


@cache
def bodies(required: tuple[str, ...]) -> st.SearchStrategy[bytes]:
    def truncated(document: dict[str, Any], cut: int) -> bytes:
        text = json.dumps(document).encode()
        return text[: cut % max(len(text), 1)]

    structured = documents(required).map(lambda value: json.dumps(value).encode())
    raw = st.one_of(
        json_values().map(lambda value: json.dumps(value).encode()),
        st.builds(truncated, documents(required), st.integers(0, 10_000)),
        st.binary(max_size=40),
        st.sampled_from([b"", b"{", b"[1,", b'{"uid": NaN}', b'{"a":1,"a":2}', b"\xff\xfe{}"]),
    )
    return st.one_of(structured, structured, raw)


CONTENT_TYPES = st.one_of(
    st.just("application/json"),
    st.none(),
    st.sampled_from(["application/json; charset=utf-8", "application/merge-patch+json"]),
    st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]),
)


def expected_kind(body: bytes, content_type: str | None) -> str:
    """What the body calls for: "unsupported" (415), "malformed" (400), "surrogate" (an
    escaped lone surrogate: 400, or 422 when it sits deeper than a field), or "json"."""
    if content_type is not None:
        media_type = content_type.partition(";")[0].strip()
        if not (media_type == "application/json" or media_type.endswith("+json")):
            return "unsupported"

    def refuse(constant: str) -> Any:
        raise ValueError(constant)

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({key for key, _ in pairs}) != len(pairs):
            raise ValueError("duplicate key")
        return dict(pairs)

    try:
        value = json.loads(body.decode("utf-8"), parse_constant=refuse, object_pairs_hook=unique)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return "malformed"
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "surrogate"
    return "json"


def headers_for(content_type: str | None) -> dict[str, str]:
    return {} if content_type is None else {"Content-Type": content_type}


def check_refusal(response: httpx2.Response, kind: str) -> None:
    """A refused request: the REST error envelope, with the status the body calls for."""
    assert response.status_code in REFUSED, response.text
    body = response.json()
    assert body["status"] == "error"
    assert body["status_code"] == response.status_code
    if kind == "unsupported":
        assert response.status_code == 415, response.text
    elif kind == "malformed":
        assert response.status_code == 400, response.text
    elif kind == "surrogate":
        assert response.status_code in (400, 422), response.text
    else:
        assert response.status_code not in (400, 415), response.text


def metric_rows(rows: tuple[tuple[Any, ...], ...]) -> dict[str, tuple[Any, ...]]:
    """Stored metrics by uid (column 1 of the metric table)."""
    return {row[1]: row for row in rows if row[0] != "tokens"}


@dataclass
class Hostile:
    http: httpx2.Client
    stored: Callable[[], Rows]
    statuses: Counter[int] = field(default_factory=Counter)

    def tally(self, response: httpx2.Response) -> httpx2.Response:
        self.statuses[response.status_code] += 1
        return response


@pytest.fixture
def hostile(engine_server: LiveServer, figures: dict[str, object]) -> Iterator[Hostile]:
    with client(engine_server) as http, reader(engine_server.db_path) as read:
        for uid in SEEDED:
            assert http.post("/api/metrics", json={"uid": uid, "name": uid}).status_code == 200
        hostile = Hostile(http, read)
        yield hostile
    figures.update(
        requests=hostile.statuses.total(), statuses=dict(sorted(hostile.statuses.items()))
    )
    assert log_problems(engine_server) == []


@HOSTILE
@given(data=st.data())
def test_create_with_hostile_bodies(hostile: Hostile, data: st.DataObject) -> None:
    http, stored = hostile.http, hostile.stored
    body = data.draw(bodies(("uid", "name")), label="body")
    content_type = data.draw(CONTENT_TYPES, label="content_type")
    before = stored()
    response = http.post("/api/metrics", content=body, headers=headers_for(content_type))
    hostile.tally(response)
    check_no_leak(response, sent=body.decode("utf-8", "replace"))
    after = stored()
    kind = expected_kind(body, content_type)
    if response.status_code != 200:
        check_refusal(response, kind)
        assert after == before, "a refused create wrote"
        return
    assert kind == "json"
    created = response.json()["data"]
    added = metric_rows(after).keys() - metric_rows(before).keys()
    assert added == {created["uid"]}
    assert {k: v for k, v in metric_rows(after).items() if k not in added} == metric_rows(before)
    assert http.get(f"/api/metrics/{created['uid']}").json()["data"] == created


@cache
def segment(uid: str) -> str:
    """``uid`` as one path segment: percent-encoded, and a dot segment too (a client would
    resolve ``/api/metrics/.`` to ``/api/metrics``, RFC 3986 §5.2.4)."""
    encoded = quote(uid, safe="")
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


def hostile_uids() -> st.SearchStrategy[str]:
    return st.sampled_from(SEEDED) | texts(min_size=1, max_size=70)


@HOSTILE
@given(data=st.data())
def test_update_with_hostile_bodies_and_uids(hostile: Hostile, data: st.DataObject) -> None:
    http, stored = hostile.http, hostile.stored
    uid = data.draw(hostile_uids(), label="uid")
    body = data.draw(bodies(()), label="body")
    content_type = data.draw(CONTENT_TYPES, label="content_type")
    before = stored()
    response = http.patch(
        f"/api/metrics/{segment(uid)}", content=body, headers=headers_for(content_type)
    )
    hostile.tally(response)
    check_no_leak(response, sent=body.decode("utf-8", "replace") + uid)
    after = stored()
    if response.status_code != 200:
        kind = expected_kind(body, content_type) if uid in SEEDED else "any"
        if kind == "any":
            assert response.status_code in REFUSED, response.text
        else:
            check_refusal(response, kind)
        assert after == before, "a refused update wrote"
        return
    updated = response.json()["data"]
    assert updated["uid"] == uid
    changed = {
        key
        for key in metric_rows(before)
        if metric_rows(before)[key] != metric_rows(after).get(key)
    }
    assert changed <= {uid}, f"an update of {uid} changed {changed}"
    assert metric_rows(after).keys() == metric_rows(before).keys()
    assert http.get(f"/api/metrics/{segment(uid)}").json()["data"] == updated


LISTING = ["page", "per_page", "sort", "search", "is_active", "value_type", "context_type"]
SORTABLE = ["uid", "name", "context_type", "value_type", "created_at", "updated_at"]


@cache
def valid_queries() -> st.SearchStrategy[list[tuple[str, str]]]:
    values = {
        "page": st.integers(1, 3).map(str),
        "per_page": st.integers(1, 100).map(str),
        "sort": st.builds(
            "{}{}".format, st.sampled_from(["+", "-", ""]), st.sampled_from(SORTABLE)
        ),
        "search": texts(max_size=10),
        "is_active": st.sampled_from(["true", "false"]),
        **{name: st.sampled_from(choices) for name, choices in ENUMS.items() if name in LISTING},
    }
    return st.fixed_dictionaries({}, optional=values).map(lambda query: list(query.items()))


@cache
def query_values() -> st.SearchStrategy[str]:
    return (
        st.sampled_from(["1", "0", "-1", "100", "101", "2147483648", "9" * 30, "1.5", " 2"])
        | st.sampled_from(["true", "false", "True", "1", "+uid", "-name", " uid", "uid", "-x"])
        | st.sampled_from([value for values in ENUMS.values() for value in values])
        | texts(max_size=30)
    )


@cache
def hostile_queries() -> st.SearchStrategy[list[tuple[str, str]]]:
    names = st.sampled_from([*LISTING, "pagee", "token", ""]) | texts(max_size=10)
    return st.lists(st.tuples(names, query_values()), max_size=4)


@HOSTILE
@given(data=st.data())
def test_list_with_hostile_query_strings(hostile: Hostile, data: st.DataObject) -> None:
    http, stored = hostile.http, hostile.stored
    query = data.draw(valid_queries() | hostile_queries(), label="query")
    before = stored()
    response = hostile.tally(http.get("/api/metrics", params=query))
    check_no_leak(response, sent=repr(query) + str(response.request.url))
    assert stored() == before, "a listing wrote"
    if response.status_code != 200:
        assert response.status_code == 422, response.text
        assert response.json()["errors"], response.text
        return
    listed = response.json()["data"]
    meta = listed["_meta"]
    assert len(listed["items"]) <= meta["per_page"] <= 100
    assert {item["uid"] for item in listed["items"]} <= metric_rows(before).keys()
    assert meta["total_items"] <= len(metric_rows(before))


@settings(HOSTILE, max_examples=100)
@given(data=st.data())
def test_get_and_delete_hostile_uids(hostile: Hostile, data: st.DataObject) -> None:
    http, stored = hostile.http, hostile.stored
    uid = data.draw(hostile_uids(), label="uid")
    method = data.draw(st.sampled_from(["GET", "DELETE", "PUT", "POST"]), label="method")
    before = stored()
    response = hostile.tally(http.request(method, f"/api/metrics/{segment(uid)}"))
    check_no_leak(response, sent=uid)
    after = stored()
    if response.status_code == 200 and method == "DELETE":
        assert metric_rows(before).keys() - metric_rows(after).keys() == {uid}
        assert http.post("/api/metrics", json={"uid": uid, "name": uid}).status_code == 200
        return
    assert after == before, f"{method} wrote"
    if response.status_code == 200:
        assert method == "GET"
        assert response.json()["data"]["uid"] == uid
    else:
        assert response.status_code in REFUSED, response.text


# Bodies that are not JSON (or not JSON we accept): 400 ``malformed_json``, nothing written.
MALFORMED = {
    "empty": b"",
    "blank": b"  \n ",
    "unclosed": b'{"uid": "a_b"',
    "single quotes": b"{'uid': 'a_b', 'name': 'x'}",
    "trailing comma": b'{"uid": "a_b", "name": "x",}',
    "NaN": b'{"uid": "a_b", "name": "x", "is_active": NaN}',
    "Infinity": b'{"uid": "a_b", "name": "x", "description": -Infinity}',
    "duplicate key": b'{"uid": "a_b", "name": "x", "name": "y"}',
    "not UTF-8": b'{"uid": "a_b", "name": "\xff"}',
    "UTF-16": '{"uid": "a_b", "name": "x"}'.encode("utf-16"),
    "lone surrogate": b'{"uid": "a_b", "name": "\\ud800"}',
    "garbage after": b'{"uid": "a_b", "name": "x"} {}',
    "deep nesting": b"[" * 100_000,
    "huge integer": b'{"uid": "a_b", "name": ' + b"9" * 5_000 + b"}",
}


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_malformed_json_is_400(engine_server: LiveServer, method: str) -> None:
    path = "/api/metrics" if method == "POST" else f"/api/metrics/{SEEDED[0]}"
    with client(engine_server) as http, reader(engine_server.db_path) as stored:
        assert http.post("/api/metrics", json={"uid": SEEDED[0], "name": "x"}).status_code == 200
        before = stored()
        for label, body in MALFORMED.items():
            response = http.request(method, path, content=body)
            check_no_leak(response, sent=body.decode("utf-8", "replace"))
            assert response.status_code == 400, (label, response.text)
            assert response.json()["errors"][0]["code"] == "malformed_json", label
        assert stored() == before


def streamed(size: int) -> Iterator[bytes]:
    """A chunked body (no Content-Length) of ``size`` bytes, a JSON object if read whole."""
    yield b'{"uid": "big_one", "name": "x", "description": "'
    sent = 48
    while sent < size - 2:
        chunk = b"d" * min(64 * 1024, size - 2 - sent)
        sent += len(chunk)
        yield chunk
    yield b'"}'


def padded(size: int, **fields: Any) -> bytes:
    """A JSON object of exactly ``size`` bytes: ``fields`` and a long description."""
    head = json.dumps({**fields, "description": ""}).encode()
    return head[:-2] + b"d" * (size - len(head)) + head[-2:]


def test_bodies_over_one_mib_are_413(engine_server: LiveServer, figures: dict[str, object]) -> None:
    seeded = f"/api/metrics/{SEEDED[0]}"
    with client(engine_server) as http, reader(engine_server.db_path) as stored:
        assert http.post("/api/metrics", json={"uid": SEEDED[0], "name": "x"}).status_code == 200
        before = stored()
        for method, path, body in [
            ("POST", "/api/metrics", padded(MIB + 1, uid="big_one", name="x")),
            ("PATCH", seeded, padded(MIB + 1, name="y")),
            ("POST", "/api/metrics", streamed(MIB + 1)),
            ("PATCH", seeded, streamed(8 * MIB)),
        ]:
            response = http.request(method, path, content=body)
            check_no_leak(response)
            assert response.status_code == 413, (method, response.text)
            assert response.json()["errors"][0]["code"] == "too_large"
        # At the limit itself the body is read, and refused for what it says.
        for method, path, body in [
            ("POST", "/api/metrics", padded(MIB, uid="big_one", name="x")),
            ("PATCH", seeded, padded(MIB, name="y")),
        ]:
            response = http.request(method, path, content=body)
            check_no_leak(response)
            assert response.status_code == 422, (method, response.text)
            assert response.json()["errors"][0]["code"] == "too_long"
        assert stored() == before
        assert http.get("/healthz").status_code == 200
    figures.update(limit_bytes=MIB, refused_over=[MIB + 1, 8 * MIB], read_at=MIB)


# U+0000 where text goes, which PostgreSQL text cannot hold: refused (422, or 404 for a uid
# to look up) with nothing written, on both engines alike; never a 500.
NUL_REQUESTS = [
    ("POST", "/api/metrics", {"uid": "nul_name", "name": "a\x00b"}),
    ("POST", "/api/metrics", {"uid": "nul_description", "name": "x", "description": "\x00"}),
    ("POST", "/api/metrics", {"uid": "nul_formula", "name": "x", "formula": "a\x00"}),
    ("POST", "/api/metrics", {"uid": "nul\x00", "name": "x"}),
    ("POST", "/api/metrics", {"uid": "nul_key", "name": "x", "a\x00": 1}),
    ("PATCH", f"/api/metrics/{SEEDED[0]}", {"name": "\x00"}),
    ("PATCH", f"/api/metrics/{SEEDED[0]}", {"description": "d\x00"}),
    ("PATCH", "/api/metrics/a%00b", {"name": "x"}),
    ("GET", "/api/metrics/a%00b", None),
    ("DELETE", "/api/metrics/a%00b", None),
    ("GET", "/api/metrics?search=%00", None),
    ("GET", "/api/metrics?sort=%00", None),
]


def test_nul_characters_never_cause_a_500(engine_server: LiveServer) -> None:
    failures = []
    with client(engine_server) as http, reader(engine_server.db_path) as stored:
        assert http.post("/api/metrics", json={"uid": SEEDED[0], "name": "x"}).status_code == 200
        for method, path, body in NUL_REQUESTS:
            before = stored()
            response = http.request(method, path, json=body)
            after = stored()
            if response.status_code >= 500 or leaks(response.text):
                failures.append(f"{method} {path} {body!r}: {response.status_code}")
                continue
            assert after == before, (method, path, body)
            assert response.status_code in (404, 422), (method, path, response.text)
    assert not failures, failures
