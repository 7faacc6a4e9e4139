"""The pages in a real browser, offline: they render from this server alone, GraphiQL takes a
token in its Headers tab, loads the schema by itself, and runs a typed query, and the REST
API's page shows every operation of the document."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest

from graphql_api.rest.operations import OPERATIONS
from tests.e2e.conftest import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WAIT_SECONDS = 20.0
HEADERS_TEMPLATE = '{"Authorization": "Bearer "}'
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADER_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESPONSE = ".graphiql-response .CodeMirror"
NETWORK_SCHEMES = {"http", "https", "ws", "wss", "ftp"}


@dataclass(frozen=True)
class BrowserPage:
    name: str
    path: str
    ready: str  # a CSS selector present once the page has rendered
    accept_401_from: str | None = None  # GraphiQL introspects before a token is in


PAGES = [
    BrowserPage("graphiql", "/graphql", ".graphiql-container " + QUERY_EDITOR, "/graphql"),
    BrowserPage("landing", "/", "table a[href='/graphql']"),
    BrowserPage("docs", "/docs", ".swagger-ui .information-container"),
]


def wait_for(condition: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def element(driver: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    found = driver.find_elements(By.CSS_SELECTOR, selector)
    return found[0] if found else None


def editor_text(driver: Any, selector: str) -> str:
    script = "const e = document.querySelector(arguments[0]); return e && e.CodeMirror.getValue()"
    return str(driver.execute_script(script, selector))


def requested_urls(driver: Any) -> list[str]:
    """Every URL the page asked for, from Chromium's network log."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def console_errors(driver: Any, page: BrowserPage, base_url: str) -> list[str]:
    allowed = f"{base_url}{page.accept_401_from} - Failed to load resource: the server " \
        "responded with a status of 401" if page.accept_401_from else None  # fmt: skip
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if entry["level"] == "SEVERE" and not (allowed and entry["message"].startswith(allowed))
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_page_renders_with_nothing_from_another_host(
    browser: Any, served: LiveServer, screenshots: Path, page: BrowserPage
) -> None:
    browser.get(served.base_url + page.path)
    wait_for(lambda: element(browser, page.ready), f"{page.name} to render")
    time.sleep(0.5)  # let the page's own requests (GraphiQL's introspection) go out
    browser.save_screenshot(str(screenshots / f"{page.name}.png"))
    urls = requested_urls(browser)
    assert urls, "the network log recorded nothing"
    network = [url for url in urls if url.split(":", 1)[0] in NETWORK_SCHEMES]  # not chrome://
    assert served.base_url + page.path in network
    elsewhere = [url for url in network if not url.startswith(served.base_url + "/")]
    assert elsewhere == []
    assert console_errors(browser, page, served.base_url) == []


def type_into(driver: Any, selector: str, *keys: str, select_all: bool = False) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    actions = ActionChains(driver).click(element(driver, selector))
    if select_all:
        actions.key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL)
    actions.send_keys(*keys).perform()


def test_graphiql_takes_a_token_loads_the_schema_and_runs_a_typed_query(
    browser: Any, served: LiveServer, screenshots: Path
) -> None:
    from selenium.webdriver.common.keys import Keys

    created = httpx2.post(
        f"{served.base_url}/api/metrics",
        json={"uid": "days_sales", "name": "Days Sales Outstanding", "value_type": "days"},
        headers={"Authorization": f"Bearer {served.write_token}"},
    )
    assert created.status_code == 200, created.text
    browser.get(served.base_url + "/graphql")
    wait_for(lambda: element(browser, HEADER_EDITOR), "the Headers tab, open")
    assert editor_text(browser, HEADER_EDITOR) == HEADERS_TEMPLATE
    hint = element(browser, "#token-hint").text
    assert 'after "Bearer " in the Headers tab' in hint
    wait_for(lambda: "POST /graphql 401" in served.log(), "introspection without a token")

    # The token goes where the hint says: after "Bearer ", before the closing quote.
    end = (Keys.CONTROL, Keys.END)
    type_into(browser, HEADER_EDITOR, *end, Keys.LEFT, Keys.LEFT, served.read_token)
    expected = HEADERS_TEMPLATE.replace("Bearer ", f"Bearer {served.read_token}")
    wait_for(lambda: editor_text(browser, HEADER_EDITOR) == expected, "the token, typed")
    # The schema is fetched again by itself: no re-fetch button pressed.
    wait_for(lambda: "POST /graphql 200" in served.log(), "introspection with the token")
    wait_for(lambda: has_schema(browser), "the schema in the docs explorer")

    type_into(browser, QUERY_EDITOR, "{ metrics { totalItems items { uid ", select_all=True)
    wait_for(lambda: "items { uid" in editor_text(browser, QUERY_EDITOR), "the query, typed")
    element(browser, ".graphiql-execute-button").click()
    result = wait_for(
        lambda: '"days_sales"' in editor_text(browser, RESPONSE) and editor_text(browser, RESPONSE),
        "the query's result",
    )
    browser.save_screenshot(str(screenshots / "graphiql-query.png"))
    assert json.loads(result) == {
        "data": {"metrics": {"totalItems": 1, "items": [{"uid": "days_sales"}]}}
    }
    assert served.read_token not in served.log()


def has_schema(driver: Any) -> bool:
    """True once GraphiQL's docs explorer shows the schema's root query type."""
    explorer = element(driver, ".graphiql-doc-explorer")
    if explorer is None:
        button = element(driver, "button[aria-label='Show Documentation Explorer']")
        if button is None:
            return False
        button.click()
        return False
    return "Query" in explorer.text


def test_the_api_docs_page_shows_every_operation(
    browser: Any, served: LiveServer, screenshots: Path
) -> None:
    browser.get(served.base_url + "/docs")
    wait_for(lambda: element(browser, ".swagger-ui .opblock"), "the operations")
    browser.save_screenshot(str(screenshots / "docs-operations.png"))
    shown = {
        (block.get_attribute("class"), block.text)
        for block in browser.find_elements("css selector", ".swagger-ui .opblock-summary")
    }
    for operation in OPERATIONS:
        assert any(operation.summary in text for _, text in shown), operation.summary
    assert len(shown) == len(OPERATIONS)
    assert element(browser, ".swagger-ui .auth-wrapper .authorize"), "no Authorize button"
    assert element(browser, ".swagger-ui .errors-wrapper") is None
