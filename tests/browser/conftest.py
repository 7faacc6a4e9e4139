"""Headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by Selenium.

The tests skip when either binary or Selenium is missing (a laptop); ``.ci/run`` installs
them and sets ``METRIC_REGISTRY_BROWSER_TESTS=required``, so there they run or fail. The
browser is cut off from every host but 127.0.0.1: a page that needed anything from elsewhere
would not render. Screenshots go to ``$METRIC_REGISTRY_SCREENSHOTS`` when it is set (CI
keeps them), else to the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import LiveServer, start_server

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS_VARIABLE = "METRIC_REGISTRY_SCREENSHOTS"
REQUIRED_VARIABLE = "METRIC_REGISTRY_BROWSER_TESTS"
# As the machine notes say Chromium must be started here, plus: no host but loopback.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,860",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def _missing() -> str | None:
    for binary in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(binary) or shutil.which(binary)):
            return f"{binary} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="session")
def browser_or_skip() -> None:
    reason = _missing()
    if reason and os.environ.get(REQUIRED_VARIABLE) == "required":
        pytest.fail(f"{REQUIRED_VARIABLE}=required, but {reason}")
    if reason:
        pytest.skip(reason)


@pytest.fixture
def browser(browser_or_skip: None, tmp_path: Path) -> Iterator[object]:
    """A fresh headless Chromium with an empty profile, logging the console and the network."""
    os.environ.setdefault("SE_AVOID_STATS", "true")  # Selenium Manager: no telemetry
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get(SCREENSHOTS_VARIABLE) or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def served(browser_or_skip: None, tmp_path: Path) -> Iterator[LiveServer]:
    """A real ``metric-registry serve`` (access log on), with one metric stored."""
    with start_server(str(tmp_path / "metrics.db")) as server:
        yield server
