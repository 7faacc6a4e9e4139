"""REST values against a real ``metric-registry serve`` on 127.0.0.1: the public example with the
real curl binary, and a value's life over TCP."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator

import httpx2
import pytest

from metric_registry import MetricRegistry
from tests.spec import VALUE_FIELDS

from .conftest import LiveServer
from .test_rest_e2e import curl

pytestmark = pytest.mark.e2e

TIMESTAMP_JSON = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
ENTITY = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
# The public example, verbatim but for the host and the token.
PUBLIC_EXAMPLE = (
    "curl --request POST "
    "--url http://127.0.0.1:PORT/api/metrics/values/ORGANIZATION/"
    "3c90c3cc-0d44-4b50-8888-8dd25736052a "
    "--header 'Authorization: Bearer <token>' "
    "--header 'Content-Type: application/json' "
    """--data '{"metric_uid": "total_ar", "time_unit": "day", "metric_date": "2026-03-15", """
    """"value": 350000000, "timezone": "America/Los_Angeles", "_metadata": {}}'"""
)


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx2.Client]:
    headers = {"Authorization": f"Bearer {live_server.write_token}"}
    with httpx2.Client(base_url=live_server.base_url, headers=headers, timeout=10) as opened:
        yield opened


@pytest.fixture
def catalog(client: httpx2.Client) -> None:
    metric = {"uid": "total_ar", "name": "Total AR", "value_type": "currency"}
    client.post("/api/metrics", json={**metric, "storage_unit": "cents"}).raise_for_status()
    registered = client.put(f"/api/entities/ORGANIZATION/{ENTITY}")
    assert registered.json()["message"] == "Entity registered"


@pytest.mark.usefixtures("catalog")
def test_the_public_value_example_works_unchanged_with_curl(live_server: LiveServer) -> None:
    command = PUBLIC_EXAMPLE.replace("http://127.0.0.1:PORT", live_server.base_url)
    command = command.replace("<token>", live_server.write_token)
    words = shlex.split(command)
    assert words[0] == "curl"

    status, body = curl(*words[1:])

    assert status == 200
    assert {key: body[key] for key in ("status", "status_code", "message")} == {
        "status": "success",
        "status_code": 200,
        "message": "Metric value recorded",
    }
    data = body["data"]
    assert set(data) == set(VALUE_FIELDS)
    assert {key: data[key] for key in ("metric_uid", "context_type", "entity_uid", "value")} == {
        "metric_uid": "total_ar",
        "context_type": "ORGANIZATION",
        "entity_uid": ENTITY,
        "value": 350000000,
    }
    assert type(data["value"]) is int
    assert (data["period_start_at"], data["period_end_at"]) == (
        "2026-03-15T07:00:00Z",
        "2026-03-16T07:00:00Z",
    )
    assert TIMESTAMP_JSON.fullmatch(data["created_at"])
    with MetricRegistry(live_server.db_path) as registry:
        stored = registry.get_value(data["uid"])
        assert stored.model_dump(mode="json", by_alias=True) == data


@pytest.mark.usefixtures("catalog")
def test_a_values_life_over_http(client: httpx2.Client) -> None:
    big = 2**62 + 7
    path = f"/api/metrics/values/ORGANIZATION/{ENTITY}"
    body = {"metric_uid": "total_ar", "metric_date": "2026-03-15", "value": big}
    created = client.post(path, json=body)
    assert f'"value":{big},' in created.text
    uid = created.json()["data"]["uid"]

    assert client.get(f"/api/metrics/values/{uid}").json()["data"]["value"] == big
    latest = client.get(path, params={"latest": "true", "include_metadata": "true"}).json()
    assert [item["uid"] for item in latest["data"]["items"]] == [uid]
    assert latest["data"]["items"][0]["_metadata"] == {}

    updated = client.patch(f"/api/metrics/values/{uid}", json={"value": big + 1}).json()
    assert (updated["message"], updated["data"]["value"]) == ("Metric value updated", big + 1)

    row = {"context_type": "ORGANIZATION", "entity_uid": ENTITY, **body}
    batch = {"values": [row, {**row, "metric_date": "2026-03-16"}], "on_conflict": "skip"}
    summary = client.post("/api/metrics/values", json=batch).json()
    assert summary["data"] == {"inserted": 1, "updated": 0, "unchanged": 0, "skipped": 1}

    across = client.get("/api/metrics/total_ar/values", params={"entity_uid": ENTITY}).json()
    assert [item["value"] for item in across["data"]["items"]] == [big]  # the newest: the 16th

    in_use = client.delete(f"/api/entities/ORGANIZATION/{ENTITY}")
    assert (in_use.status_code, in_use.json()["errors"][0]["code"]) == (409, "in_use")
    deleted = client.delete(f"/api/metrics/values/{uid}").json()
    assert (deleted["message"], deleted["data"]) == ("Metric value deleted", {"uid": uid})
    missing = client.get(f"/api/metrics/values/{uid}")
    assert (missing.status_code, missing.json()["errors"][0]["code"]) == (404, "not_found")
