"""/docs works on a machine without internet access: its page loads Swagger UI's script, style
and icon from this server's /static (web/static/vendor/, api/docs.py), never from a CDN, and
each of them is served. tests/browser/test_api_docs.py renders the page in Chromium."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

ASSET_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


class _Assets(HTMLParser):
    """The URLs a page makes the browser fetch: <script src>, <link href>, <img src>."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        url = attributes.get("href") if tag == "link" else attributes.get("src")
        if url:
            self.urls.append(url)


def assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


@pytest.fixture(scope="module")
def docs_page(client) -> str:
    r = client.get("/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def test_docs_loads_swagger_ui_only_from_this_server(docs_page):
    urls = assets(docs_page)
    assert any(url.endswith("/swagger-ui-bundle.js") for url in urls), urls
    assert any(url.endswith("/swagger-ui.css") for url in urls), urls
    assert all(url.startswith("/static/vendor/swagger-ui/") for url in urls), urls
    assert "http://" not in docs_page and "https://" not in docs_page
    assert "url: '/openapi.json'" in docs_page


def test_every_asset_of_docs_is_served_with_its_type(client, docs_page):
    for url in assets(docs_page):
        r = client.get(url)
        assert r.status_code == 200, url
        suffix = url[url.rindex("."):]
        assert r.headers["content-type"].startswith(ASSET_TYPES[suffix]), (url, r.headers["content-type"])
        assert len(r.content) > 500, url


def test_swagger_ui_assets_are_cached_by_etag(client):
    url = "/static/vendor/swagger-ui/swagger-ui-bundle.js"
    etag = client.get(url).headers["etag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_the_oauth2_redirect_page_of_swagger_ui_is_local_too(client):
    r = client.get("/docs/oauth2-redirect")
    assert r.status_code == 200
    assert assets(r.text) == []


def test_redoc_is_not_served(client):
    """ReDoc has been off since the first version. Turning it on with FastAPI's `redoc_url`
    would load it (and Google Fonts) from the internet: vendor it as api/docs.py does Swagger UI."""
    assert client.get("/redoc").status_code == 404


def test_missing_static_files_are_404_in_the_error_format(client):
    # %2E%2E reaches the server as "..": web/__init__.py is beside static/, and not served.
    for url in ("/static/vendor/swagger-ui/nothing.js", "/static/%2E%2E/__init__.py", "/static/"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.json()["error"]["code"] == "NOT_FOUND"


def test_docs_and_static_files_stay_out_of_the_openapi_document(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith(("/docs", "/static", "/redoc"))]
