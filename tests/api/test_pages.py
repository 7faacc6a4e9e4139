"""The pages a browser opens (GraphiQL, the landing page ``/``, the REST API's ``/docs``) and
their assets: served by the app itself without a token, referring to nothing on another host."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graphql_api.pages import KNOWN_PLACES
from metric_registry import MetricRegistry

from ._support import Api, serving

STATIC = Path(__file__).resolve().parents[2] / "graphql_api" / "static"
HTML = {"Accept": "text/html"}
PAGES = {"graphiql": "/graphql", "landing": "/", "docs": "/docs"}


class References(HTMLParser):
    """Every URL a page refers to (src, href), and its inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]
        self._in_script = tag == "script" and not dict(attrs).get("src")

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def references(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser


@pytest.fixture
def api(sqlite_path: str) -> Iterator[Api]:
    with MetricRegistry(sqlite_path) as registry, serving(registry) as served:
        yield served


@pytest.mark.parametrize("name", PAGES)
def test_page_refers_only_to_its_own_origin(api: Api, name: str) -> None:
    response = api.request("GET", PAGES[name], token=None, headers=HTML)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    found = references(response.text)
    assert found.urls
    for url in found.urls:
        assert url == "data:," or (url.startswith("/") and not url.startswith("//")), url
    # Text may name the server's own origin (the landing page's curl example), nothing else.
    assert set(re.findall(r"\w+://[^/\s<\"']*", response.text)) <= {"http://testserver"}
    assert "unpkg" not in response.text


@pytest.mark.parametrize("name", PAGES)
def test_page_policy_allows_its_own_origin_only(api: Api, name: str) -> None:
    response = api.request("GET", PAGES[name], token=None, headers=HTML)
    directives = response.headers["content-security-policy"].split(";")
    policy = dict(directive.strip().split(" ", 1) for directive in directives)
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    scripts = references(response.text).inline_scripts
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in scripts
    }
    assert policy["script-src"].split() == ["'self'", *sorted(hashes)]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_graphiql_loads_the_pinned_assets_which_are_served_without_a_token(api: Api) -> None:
    html = api.request("GET", "/graphql", token=None, headers=HTML).text
    assets = [url for url in references(html).urls if url.startswith("/static/")]
    assert sorted(assets) == [
        "/static/graphiql.min.css",
        "/static/graphiql.min.js",
        "/static/react-dom.production.min.js",
        "/static/react.production.min.js",
    ]
    for asset in assets:
        response = api.request("GET", asset, token=None)
        assert response.status_code == 200, asset
        assert response.content == (STATIC / asset.removeprefix("/static/")).read_bytes()
    versions = (STATIC / "VERSIONS.txt").read_text()
    assert "graphiql@3.9.0" in versions
    assert "react@18.3.1" in versions


def test_graphiql_opens_with_the_authorization_header_and_a_hint(api: Api) -> None:
    html = api.request("GET", "/graphql", token=None, headers=HTML).text
    [script] = references(html).inline_scripts
    assert """'{"Authorization": "Bearer "}'""" in script
    assert "shouldPersistHeaders: true" in script
    assert 'defaultEditorToolsVisibility: "headers"' in script
    assert "GraphiQL.createFetcher" in script
    assert 'paste it after <code>"Bearer "</code> in the <b>Headers</b> tab' in html


def test_the_stylesheet_loads_nothing_from_elsewhere() -> None:
    css = (STATIC / "graphiql.min.css").read_text()
    assert "@import" not in css
    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    assert urls
    assert [url for url in urls if not url.startswith(("data:", "#"))] == []


def test_landing_page_lists_what_is_where(api: Api) -> None:
    html = api.request("GET", "/", token=None, headers=HTML).text
    for path in ("/graphql", "/api/metrics", "/docs", "/openapi.json", "/healthz"):
        assert f'<a href="{path}">' in html
    assert "Authorization: Bearer &lt;token&gt;" in html
    assert "metric-registry token create NAME --scope write" in html
    assert 'curl -H "Authorization: Bearer $TOKEN" http://testserver/api/metrics' in html


def test_landing_json_for_clients_that_do_not_take_html(api: Api) -> None:
    response = api.request("GET", "/", token=None)
    assert response.status_code == 200
    document = response.json()
    assert document["service"] == "metric-registry"
    assert list(document["places"]) == ["graphql", "graphiql", "rest", "docs", "openapi", "health"]
    assert document["places"]["docs"]["needs_token"] is False
    assert document["places"]["rest"] == {
        "path": "/api/metrics",
        "what": "the /api/metrics endpoints",
        "needs_token": True,
    }


def test_without_graphiql_the_landing_page_does_not_list_it(sqlite_path: str) -> None:
    with MetricRegistry(sqlite_path) as registry, serving(registry, graphiql=False) as api:
        assert "graphiql" not in api.request("GET", "/", token=None).json()["places"]


def test_every_known_place_has_a_distinct_key() -> None:
    keys = [place.key for place in KNOWN_PLACES]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/", 405),
        ("GET", "/static/missing.js", 404),
        ("GET", "/static/%2e%2e/pyproject.toml", 404),
        ("HEAD", "/static/graphiql.min.css", 200),
        ("HEAD", "/", 200),
    ],
)
def test_open_paths_answer_without_a_token(api: Api, method: str, path: str, status: int) -> None:
    response = api.request(method, path, token=None)
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/api/metrics", HTML),
        ("/graphql", {"Accept": "application/json"}),
        ("/static", {}),
        ("/static/../api/metrics", {}),  # normalised by the client: /api/metrics
        ("/staticx/graphiql.min.js", {}),
        ("/healthz/x", {}),
    ],
)
def test_everything_else_still_needs_a_token(api: Api, path: str, headers: dict[str, str]) -> None:
    assert api.request("GET", path, token=None, headers=headers).status_code == 401
