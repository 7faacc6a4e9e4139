"""``/docs`` in a real browser (headless Chromium, when installed) against a real server: Swagger
UI renders every operation of ``/openapi.json`` with every other host unreachable, and the
page's Content-Security-Policy refuses nothing it needs."""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import pytest

from graphql_api.rest.operations import OPERATIONS

from .conftest import LiveServer

pytestmark = pytest.mark.e2e

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no headless Chromium installed")


def test_the_docs_page_renders_every_operation_from_this_origin_alone(
    live_server: LiveServer, tmp_path: Path
) -> None:
    command = [
        browser(),
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",  # no other host
        "--virtual-time-budget=20000",
        "--dump-dom",
        f"{live_server.base_url}/docs",
    ]
    shown = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)

    assert shown.returncode == 0, shown.stderr[-2000:]
    dom = html.unescape(shown.stdout)
    assert "metric-registry REST API" in dom
    for operation in OPERATIONS:
        assert operation.summary in dom, operation.summary
    assert "Refused to" not in shown.stderr  # a Content-Security-Policy violation
    assert "validator.swagger.io" not in dom
