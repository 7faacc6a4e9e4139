"""REST against a real ``metric-registry serve`` on 127.0.0.1: curl and httpx2 over TCP."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from metric_registry import MetricRegistry

from .conftest import LiveServer

pytestmark = pytest.mark.e2e

TIMESTAMP_JSON = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
ONE_MEBIBYTE = 1024 * 1024


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx2.Client]:
    headers = {"Authorization": f"Bearer {live_server.write_token}"}
    with httpx2.Client(base_url=live_server.base_url, headers=headers, timeout=10) as opened:
        yield opened


def curl(*arguments: str) -> tuple[int, dict[str, Any]]:
    """Run the real curl binary; (HTTP status, JSON body)."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    command = ["curl", "--silent", "--show-error", "--write-out", "\n%{http_code}", *arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=30).stdout
    body, _, status = output.rpartition("\n")
    return int(status), json.loads(body)


def test_the_published_example_works_unchanged_with_curl(live_server: LiveServer) -> None:
    status, body = curl(
        "--request",
        "POST",
        "--url",
        f"{live_server.base_url}/api/metrics",
        "--header",
        f"Authorization: Bearer {live_server.write_token}",
        "--header",
        "Content-Type: application/json",
        "--data",
        '{"uid": "party_dso", "name": "Party DSO", "context_type": "ORGANIZATION", '
        '"description": "<string>", "formula": "<string>", "value_type": "count", '
        '"storage_unit": "raw", "is_snapshot": false, "period_definition": "as_of_date", '
        '"is_active": true}',
    )

    assert status == 200
    assert {key: body[key] for key in ("status", "status_code", "message")} == {
        "status": "success",
        "status_code": 200,
        "message": "Metric created",
    }
    data = body["data"]
    assert data["uid"] == "party_dso"
    assert data["period_definition"] == "as_of_date"
    assert TIMESTAMP_JSON.fullmatch(data["created_at"])
    assert TIMESTAMP_JSON.fullmatch(data["updated_at"])
    with MetricRegistry(live_server.db_path) as registry:
        assert registry.get_metric("party_dso").model_dump(mode="json") == data


def test_a_plus_sign_sort_sent_raw_by_curl_is_ascending(
    live_server: LiveServer, client: httpx2.Client
) -> None:
    for uid in ("b_metric", "a_metric", "c_metric"):
        client.post("/api/metrics", json={"uid": uid, "name": uid}).raise_for_status()
    token = f"Authorization: Bearer {live_server.read_token}"

    for sort, expected in (("+uid", ["a_metric", "b_metric", "c_metric"]), ("-uid", None)):
        status, body = curl("--header", token, f"{live_server.base_url}/api/metrics?sort={sort}")
        assert status == 200
        uids = [item["uid"] for item in body["data"]["items"]]
        assert uids == (expected or ["c_metric", "b_metric", "a_metric"])


def test_the_whole_lifecycle_over_http(client: httpx2.Client) -> None:
    created = client.post("/api/metrics", json={"uid": "dso", "name": "DSO"}).json()
    assert created["message"] == "Metric created"

    got = client.get("/api/metrics/dso").json()
    assert got["data"] == created["data"]

    listed = client.get("/api/metrics", params={"per_page": "1", "sort": "-created_at"}).json()
    assert listed["data"]["_meta"] == {
        "page": 1,
        "per_page": 1,
        "total_pages": 1,
        "total_items": 1,
    }

    updated = client.patch("/api/metrics/dso", json={"name": "Days Sales Outstanding"}).json()
    assert (updated["message"], updated["data"]["name"]) == (
        "Metric updated",
        "Days Sales Outstanding",
    )

    deleted = client.delete("/api/metrics/dso").json()
    assert (deleted["message"], deleted["data"]) == ("Metric deleted", {"uid": "dso"})

    missing = client.get("/api/metrics/dso")
    assert (missing.status_code, missing.json()["errors"][0]["code"]) == (404, "not_found")


def error_of(response: httpx2.Response) -> tuple[int, str, str | None]:
    """(status, the first error code or "", the WWW-Authenticate header)."""
    body = response.json()
    assert body["status"] == "error"
    assert body["status_code"] == response.status_code
    code = body["errors"][0]["code"] if body["errors"] else ""
    return response.status_code, code, response.headers.get("www-authenticate")


def test_each_failure_status_over_http(live_server: LiveServer, client: httpx2.Client) -> None:
    client.post("/api/metrics", json={"uid": "dso", "name": "DSO"}).raise_for_status()
    read = {"Authorization": f"Bearer {live_server.read_token}"}
    json_type = {"Content-Type": "application/json"}

    assert error_of(client.post("/api/metrics", content=b"{", headers=json_type)) == (
        400,
        "malformed_json",
        None,
    )
    assert error_of(client.get("/api/metrics", params={"page": "two"})) == (
        422,
        "invalid_type",
        None,
    )
    assert error_of(client.post("/api/metrics", json={"uid": "dso", "name": "Again"})) == (
        409,
        "already_exists",
        None,
    )
    assert error_of(client.put("/api/metrics/dso", json={})) == (405, "method_not_allowed", None)
    assert error_of(client.delete("/api/metrics/dso", headers=read)) == (
        403,
        "insufficient_scope",
        'Bearer realm="metric-registry", error="insufficient_scope"',
    )
    assert error_of(client.get("/api/metrics", headers={"Authorization": ""})) == (
        401,
        "",
        'Bearer realm="metric-registry"',
    )
    assert client.get("/api/metrics/dso").status_code == 200  # nothing was deleted


def test_a_body_over_one_mebibyte_is_413_over_http(client: httpx2.Client) -> None:
    body = b'{"uid": "big", "name": "Big", "description": "' + b"x" * ONE_MEBIBYTE + b'"}'

    declared = client.post("/api/metrics", content=body)
    streamed = client.post("/api/metrics", content=iter([body[:1000], body[1000:]]))

    assert error_of(declared) == (413, "too_large", None)
    assert error_of(streamed) == (413, "too_large", None)
    assert client.get("/api/metrics/big").status_code == 404
