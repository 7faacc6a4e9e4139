"""Hostile input to the values and entities paths of a live server, on each engine.

Hypothesis writes value bodies (near a valid value and far from it), batches mixing good and
bad rows, entity and value uids in paths, and the listings' query strings. For every request:
no 5xx, no traceback or SQL in the answer, and the database (read by its own driver, not the
server) is unchanged by every refused request and by every read, and changed exactly as the
answer says by every accepted write.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import LiveServer

from .conftest import check_no_leak, client, is_url, log_problems
from .test_hostile_rest import (
    CONTENT_TYPES,
    HOSTILE,
    REFUSED,
    check_refusal,
    expected_kind,
    headers_for,
    json_values,
    segment,
    texts,
)

pytestmark = pytest.mark.e2e

VALUES = settings(HOSTILE, max_examples=100)
ACME = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
GLOBEX = "9f1b3c2e-5d7a-4e8b-9c0d-1a2b3c4d5e6f"
UNREGISTERED = "11111111-2222-4333-8444-555555555555"
METRICS = ["total_ar", "dso", "retired", "party_dso"]
Tables = dict[str, tuple[tuple[Any, ...], ...]]
_TABLES = {
    "metric": "SELECT * FROM metric ORDER BY id",
    "entity": "SELECT * FROM entity ORDER BY id",
    "metric_value": "SELECT * FROM metric_value ORDER BY id",
}


@contextmanager
def tables(database: str) -> Iterator[Callable[[], Tables]]:
    """Reads the metric, entity and value tables through the database's own driver."""
    connection: Any
    if is_url(database):
        import psycopg

        connection = psycopg.connect(database, autocommit=True)
    else:
        connection = sqlite3.connect(database, timeout=30, isolation_level=None)

    def read() -> Tables:
        return {
            name: tuple(tuple(row) for row in connection.execute(sql).fetchall())
            for name, sql in _TABLES.items()
        }

    with closing(connection):
        yield read


@dataclass
class Hostile:
    http: httpx2.Client
    stored: Callable[[], Tables]
    statuses: Counter[int] = field(default_factory=Counter)

    def send(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        response = self.http.request(method, path, **kwargs)
        self.statuses[response.status_code] += 1
        return response


@pytest.fixture
def hostile(engine_server: LiveServer, figures: dict[str, object]) -> Iterator[Hostile]:
    with client(engine_server) as http, tables(engine_server.db_path) as read:
        for metric in (
            {"uid": "total_ar", "name": "AR", "value_type": "currency", "storage_unit": "cents"},
            {"uid": "dso", "name": "DSO", "value_type": "days"},
            {"uid": "retired", "name": "Retired", "is_active": False},
            {"uid": "party_dso", "name": "Party DSO", "context_type": "PARTY"},
        ):
            assert http.post("/api/metrics", json=metric).status_code == 200
        for uid in (ACME, GLOBEX):
            assert http.put(f"/api/entities/ORGANIZATION/{uid}").status_code == 200
        hostile = Hostile(http, read)
        yield hostile
    figures.update(
        requests=hostile.statuses.total(), statuses=dict(sorted(hostile.statuses.items()))
    )
    assert log_problems(engine_server) == []


# -- strategies -----------------------------------------------------------------------------

DAYS = st.dates(date(2020, 1, 1), date(2027, 12, 31))


@cache
def valid_fields() -> dict[str, st.SearchStrategy[Any]]:
    """Each input field of a value, as the core takes it."""
    return {
        "metric_uid": st.sampled_from(["total_ar", "dso"]),
        "time_unit": st.just("day"),
        "metric_date": DAYS.map(date.isoformat),
        "value": st.integers(-(2**63), 2**63 - 1) | st.sampled_from([0, 2**62 + 7, 100.0]),
        "timezone": st.sampled_from([None, "UTC", "America/Los_Angeles", "Asia/Kolkata"]),
        "_metadata": st.dictionaries(texts(max_size=8), json_values(), max_size=3),
    }


@cache
def value_fields() -> dict[str, st.SearchStrategy[Any]]:
    """Each input field of a value: valid, near a rule, or anything."""
    near = st.sampled_from(["", " ", "true", True, None, [], {}, "x" * 300]) | json_values()
    hostile = {
        "metric_uid": st.sampled_from(["retired", "party_dso", "nope", "TOTAL_AR"]),
        "time_unit": st.sampled_from(["month", "year", "week", "DAY"]),
        "metric_date": st.sampled_from(
            ["2026-03-01", "2026-01-01", "2026-02-30", "0001-01-01", "26-3-1", "9999-12-31"]
        ),
        "value": st.integers(-(2**64), 2**64)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.sampled_from([2**63, -(2**63) - 1, 0.5, "1"]),
        "timezone": st.sampled_from(["Mars/Base", "", "utc", "America/los_angeles"]),
        "_metadata": st.just({"big": "x" * 70_000}),
    }
    return {name: valid | hostile[name] | near for name, valid in valid_fields().items()}


REQUIRED = ("metric_uid", "metric_date", "value")


@cache
def value_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Valid bodies; valid but for one field; with an unknown field; anything."""
    valid, mixed = valid_fields(), value_fields()

    def documents(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
        optional = {name: strategy for name, strategy in fields.items() if name not in REQUIRED}
        return st.fixed_dictionaries({name: fields[name] for name in REQUIRED}, optional=optional)

    good = documents(valid)
    one_bad = st.one_of([st.tuples(st.just(name), value) for name, value in mixed.items()])
    extras = st.dictionaries(
        st.sampled_from(["uid", "context_type", "entity_uid", "metadata", "period_start"])
        | texts(max_size=8),
        json_values(),
        min_size=1,
        max_size=2,
    )
    return st.one_of(
        good,
        good,
        st.builds(lambda body, bad: {**body, bad[0]: bad[1]}, good, one_bad),
        st.builds(
            lambda body, drop: {k: v for k, v in body.items() if k != drop},
            good,
            st.sampled_from(REQUIRED),
        ),
        st.builds(lambda extra, body: {**extra, **body}, extras, good),
        st.fixed_dictionaries({}, optional=mixed),
    )


ENTITY_UIDS = st.sampled_from([ACME, GLOBEX, ACME.upper(), ACME.replace("-", ""), UNREGISTERED])
CONTEXTS = st.sampled_from(["ORGANIZATION", "ORGANIZATION", "PARTY", "organization", "TEAM"])


@cache
def path_texts() -> st.SearchStrategy[str]:
    return ENTITY_UIDS | texts(min_size=1, max_size=40)


def body_bytes(document: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    structured = document.map(lambda value: json.dumps(value).encode())
    raw = st.one_of(
        st.binary(max_size=30),
        st.sampled_from([b"", b"{", b'{"value": NaN}', b'{"a":1,"a":2}', b"[]", b"null"]),
    )
    return st.one_of(structured, structured, structured, raw)


def value_count(stored: Tables) -> int:
    return len(stored["metric_value"])


def unchanged_but_values(before: Tables, after: Tables) -> None:
    assert {k: v for k, v in after.items() if k != "metric_value"} == {
        k: v for k, v in before.items() if k != "metric_value"
    }


# -- record one -----------------------------------------------------------------------------


@VALUES
@given(data=st.data())
def test_record_one_with_hostile_bodies_and_paths(hostile: Hostile, data: st.DataObject) -> None:
    context = data.draw(st.just("ORGANIZATION") | CONTEXTS, label="context_type")
    entity = data.draw(st.sampled_from([ACME, GLOBEX]) | path_texts(), label="entity_uid")
    body = data.draw(body_bytes(value_bodies()), label="body")
    content_type = data.draw(CONTENT_TYPES, label="content_type")
    before = hostile.stored()
    path = f"/api/metrics/values/{segment(context)}/{segment(entity)}"
    response = hostile.send("POST", path, content=body, headers=headers_for(content_type))
    check_no_leak(response, sent=body.decode("utf-8", "replace") + entity)
    after = hostile.stored()
    if "/" in entity and response.status_code == 404:  # %2F arrives decoded: no such path
        assert response.json()["errors"][0]["code"] == "not_found"
        assert after == before, "an unrouted request wrote"
        return
    if response.status_code != 200:
        check_refusal(response, expected_kind(body, content_type))
        assert after == before, "a refused record wrote"
        return
    assert value_count(after) == value_count(before) + 1
    unchanged_but_values(before, after)
    created = response.json()["data"]
    assert hostile.send("GET", f"/api/metrics/values/{created['uid']}").json()["data"] == created
    sent = json.loads(body)
    if isinstance(sent["value"], int) and created["storage_unit"] == "cents":
        assert created["value"] == sent["value"]
        assert type(created["value"]) is int


# -- batches --------------------------------------------------------------------------------


@cache
def rows() -> st.SearchStrategy[Any]:
    keyed = st.fixed_dictionaries(
        {
            "context_type": st.just("ORGANIZATION") | CONTEXTS,
            "entity_uid": ENTITY_UIDS | texts(max_size=10),
        }
    )
    good = st.builds(lambda key, body: {**key, **body}, keyed, value_bodies())
    return good | json_values()


@cache
def batches() -> st.SearchStrategy[Any]:
    batch = st.fixed_dictionaries(
        {"values": st.lists(rows(), max_size=5)},
        optional={
            "on_conflict": st.sampled_from(["error", "skip", "update", "ignore", None]),
            "register_entities": st.sampled_from([True, False, "true", 1]),
            "dry_run": st.booleans(),
        },
    )
    valid = valid_fields()
    clean_row = st.fixed_dictionaries(
        {"context_type": st.just("ORGANIZATION"), "entity_uid": ENTITY_UIDS, **valid}
    )
    clean = st.fixed_dictionaries(
        {"values": st.lists(clean_row, max_size=5)},
        optional={"on_conflict": st.sampled_from(["error", "skip", "update"])},
    )
    return clean | batch | st.fixed_dictionaries({}, optional={"values": json_values()})


@VALUES
@given(data=st.data())
def test_batches_with_hostile_rows(hostile: Hostile, data: st.DataObject) -> None:
    body = data.draw(body_bytes(batches()), label="body")
    before = hostile.stored()
    response = hostile.send("POST", "/api/metrics/values", content=body)
    check_no_leak(response, sent=body.decode("utf-8", "replace"))
    after = hostile.stored()
    if response.status_code != 200:
        check_refusal(response, expected_kind(body, None))
        assert after == before, "a refused batch wrote"
        return
    summary = response.json()["data"]
    sent = json.loads(body)
    assert sum(summary.values()) == len(sent["values"])
    assert value_count(after) == value_count(before) + summary["inserted"]
    if summary["updated"] == 0 and summary["inserted"] == 0:
        assert after["metric_value"] == before["metric_value"]
    if not sent.get("register_entities"):
        assert after["entity"] == before["entity"]


# -- one value: get, update, delete ---------------------------------------------------------


def a_value_uid(hostile: Hostile) -> str:
    """A stored value's uid (recorded once: the next examples reuse it)."""
    body = {"metric_uid": "total_ar", "metric_date": "2026-01-15", "value": 5}
    hostile.send("POST", f"/api/metrics/values/ORGANIZATION/{GLOBEX}", json=body)
    listed = hostile.send(
        "GET", "/api/metrics/total_ar/values", params={"entity_uid": GLOBEX, "as_of": "2026-01-15"}
    )
    uid: str = listed.json()["data"]["items"][0]["uid"]
    return uid


@VALUES
@given(data=st.data())
def test_one_value_with_hostile_uids_methods_and_bodies(
    hostile: Hostile, data: st.DataObject
) -> None:
    stored_uid = a_value_uid(hostile)
    uid = data.draw(st.sampled_from([stored_uid, stored_uid.upper()]) | path_texts(), label="uid")
    method = data.draw(st.sampled_from(["GET", "PATCH", "PATCH", "DELETE", "PUT"]), label="m")
    fields = value_fields()
    changes = st.fixed_dictionaries({}, optional={**fields, "metric_date": fields["metric_date"]})
    body = data.draw(body_bytes(changes), label="body") if method == "PATCH" else None
    before = hostile.stored()
    response = hostile.send(method, f"/api/metrics/values/{segment(uid)}", content=body)
    check_no_leak(response, sent=uid + (body or b"").decode("utf-8", "replace"))
    after = hostile.stored()
    if response.status_code != 200:
        assert response.status_code in REFUSED, response.text
        assert after == before, f"a refused {method} wrote"
        return
    unchanged_but_values(before, after)
    if method == "DELETE":
        assert value_count(after) == value_count(before) - 1
        return
    assert value_count(after) == value_count(before)
    if method == "GET":
        assert after == before
    assert response.json()["data"]["uid"] == stored_uid


# -- entities -------------------------------------------------------------------------------


@VALUES
@given(data=st.data())
def test_entities_with_hostile_paths_and_bodies(hostile: Hostile, data: st.DataObject) -> None:
    context = data.draw(CONTEXTS | st.just("USER"), label="context_type")
    uid = data.draw(path_texts() | st.uuids().map(str), label="uid")
    method = data.draw(st.sampled_from(["PUT", "PUT", "GET", "DELETE", "POST"]), label="method")
    names = st.fixed_dictionaries({}, optional={"name": texts(max_size=300) | json_values()})
    body = data.draw(body_bytes(names | value_bodies()), label="body") if method == "PUT" else None
    before = hostile.stored()
    path = f"/api/entities/{segment(context)}/{segment(uid)}"
    response = hostile.send(method, path, content=body)
    check_no_leak(response, sent=uid + context + (body or b"").decode("utf-8", "replace"))
    after = hostile.stored()
    if response.status_code != 200:
        assert response.status_code in REFUSED, response.text
        assert after == before, f"a refused {method} wrote"
        return
    assert after["metric_value"] == before["metric_value"]
    grown = len(after["entity"]) - len(before["entity"])
    if method == "PUT":
        assert grown in (0, 1)  # registered, or found (and perhaps renamed)
    elif method == "DELETE":
        assert grown == -1
    else:
        assert after == before


# -- listings -------------------------------------------------------------------------------

LISTING_NAMES = [
    "metric_uid",
    "entity_uid",
    "time_unit",
    "start_date",
    "end_date",
    "latest",
    "as_of",
    "include_metadata",
    "sort",
    "page",
    "per_page",
    "search",
    "context_type",
]


@cache
def query_values() -> st.SearchStrategy[str]:
    return (
        st.sampled_from(["true", "false", "True", "1", "0", "-1", "101", "9" * 30, ""])
        | st.sampled_from(["+value", "-metric_date", " created_at", "-uid", "value"])
        | st.sampled_from(["day", "month", "week", "2026-03-15", "2026-3-15", "2026-02-30"])
        | st.sampled_from(["total_ar", "total_ar,dso", "nope", f"{ACME},{GLOBEX}", ACME])
        | texts(max_size=20)
    )


@cache
def queries() -> st.SearchStrategy[list[tuple[str, str]]]:
    """Valid queries of the values listings, and anything."""
    valid = st.fixed_dictionaries(
        {},
        optional={
            "time_unit": st.just("day"),
            "start_date": st.sampled_from(["2020-01-01", "2026-01-01"]),
            "end_date": st.sampled_from(["2027-12-31", "2026-06-30"]),
            "latest": st.sampled_from(["true", "false"]),
            "include_metadata": st.sampled_from(["true", "false"]),
            "sort": st.sampled_from(["+value", "-value", "-metric_date", " created_at"]),
            "page": st.sampled_from(["1", "2"]),
            "per_page": st.integers(1, 100).map(str),
        },
    ).map(lambda query: list(query.items()))
    names = st.sampled_from(LISTING_NAMES) | texts(max_size=8)
    return valid | st.lists(st.tuples(names, query_values()), max_size=4)


LISTINGS = st.sampled_from(
    [
        f"/api/metrics/values/ORGANIZATION/{ACME}",
        f"/api/metrics/values/ORGANIZATION/{UNREGISTERED}",
        "/api/metrics/total_ar/values",
        "/api/metrics/nope/values",
        "/api/entities/ORGANIZATION",
        "/api/entities/organization",
    ]
)


@VALUES
@given(data=st.data())
def test_listings_with_hostile_query_strings(hostile: Hostile, data: st.DataObject) -> None:
    path = data.draw(LISTINGS, label="path")
    query = data.draw(queries(), label="query")
    before = hostile.stored()
    response = hostile.send("GET", path, params=query)
    check_no_leak(response, sent=repr(query) + str(response.request.url))
    assert hostile.stored() == before, "a listing wrote"
    if response.status_code != 200:
        assert response.status_code in (404, 422), response.text
        assert response.json()["errors"], response.text
        return
    listed = response.json()["data"]
    assert len(listed["items"]) <= listed["_meta"]["per_page"] <= 100
