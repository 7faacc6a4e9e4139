"""Schemathesis against a live server, driven by the server's own ``/openapi.json``.

Every operation of the document, with bounded examples: no 5xx, no leak, no status the
document does not list, no response that breaks its schema or its content type, and nothing
written by a refused request (the tables read by their own driver).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from graphql_api.rest.openapi import openapi_document
from tests.e2e.conftest import LiveServer

from .conftest import check_no_leak, client, log_problems, record_figures
from .test_hostile_rest_values import ACME, GLOBEX, Tables, tables

pytestmark = pytest.mark.e2e

SCHEMA = schemathesis.openapi.from_dict(openapi_document())
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Words schemathesis often draws from the document (it mines its constants): seeded as metric
# uids, so that some generated reads, updates and values find what they name.
SEEDED = ["string", "uid", "value", "metric", "name", "error", "skip", "update", "day"]


@pytest.fixture(scope="module")
def snapshot(module_server: LiveServer) -> Iterator[Callable[[], Tables]]:
    with client(module_server) as http:
        for uid in SEEDED:
            metric = {"uid": uid, "name": uid, "storage_unit": "cents"}
            assert http.post("/api/metrics", json=metric).status_code == 200
        for context in ("ORGANIZATION", "PARTY", "USER"):
            for entity in (ACME, GLOBEX):
                assert http.put(f"/api/entities/{context}/{entity}").status_code == 200
        value = {"metric_uid": "value", "metric_date": "2026-03-15", "value": 1}
        recorded = http.post(f"/api/metrics/values/ORGANIZATION/{ACME}", json=value)
        assert recorded.status_code == 200, recorded.text
    with tables(module_server.db_path) as read:
        yield read


@pytest.fixture(scope="module")
def outcomes() -> Iterator[Counter[str]]:
    counted: Counter[str] = Counter()
    yield counted
    record_figures("schemathesis REST", dict(sorted(counted.items())))


@SCHEMA.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_schemathesis_finds_no_5xx_nothing_undocumented_and_no_stray_write(
    case: Any,
    module_server: LiveServer,
    snapshot: Callable[[], Tables],
    outcomes: Counter[str],
) -> None:
    problems = len(log_problems(module_server))
    before = snapshot()
    response = case.call(
        base_url=module_server.base_url,
        headers={"Authorization": f"Bearer {module_server.write_token}"},
        timeout=30,
    )
    outcomes["requests"] += 1
    outcomes[f"status {response.status_code}"] += 1
    sent = json.dumps(case.body, ensure_ascii=False, default=str) + unquote(response.request.url)
    check_no_leak(response, sent=sent)
    case.validate_response(response, checks=CHECKS)
    if response.status_code != 200 or case.method in ("GET", "HEAD"):
        assert snapshot() == before, f"{case.method} {case.path} wrote: {response.text[:500]}"
    assert log_problems(module_server)[problems:] == []
