"""/docs in a real browser, on a closed network: Swagger UI renders from the files the server
itself serves (api/docs.py, web/static/vendor/swagger-ui/), lists the operations and shows the
request examples of api/examples.py. tests/api/test_docs_offline.py checks the page's HTML."""

from __future__ import annotations

import json
from urllib.parse import urljoin

from storekeeper.api.examples import EXAMPLES

ADJUSTMENT = EXAMPLES[("POST", "/v1/stock/adjustments")].request


def test_docs_render_in_chromium_from_the_server_alone(served, page, expect, off_host_requests):
    page.goto(f"{served.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Storekeeper")

    operation = page.locator(".opblock-post").filter(has=page.locator('[data-path="/v1/stock/adjustments"]'))
    expect(operation).to_have_count(1)
    summary = operation.locator(".opblock-summary")
    expect(summary).to_contain_text("POST")
    expect(summary).to_contain_text("/v1/stock/adjustments")

    summary.locator(".opblock-summary-control").click()
    example = operation.locator(".opblock-section-request-body").get_by_role("tabpanel", name="Example Value")
    expect(example).to_contain_text(f'"item": "{ADJUSTMENT["item"]}"')
    assert json.loads(example.locator("code").inner_text()) == ADJUSTMENT
    assert off_host_requests == []


def test_docs_link_to_each_dialects_own_page_which_renders_its_document(served, page, expect, off_host_requests):
    page.goto(f"{served.url}/docs")
    link = page.locator('.swagger-ui .info .description a[href="compat/warehouses/docs"]')
    expect(link).to_have_count(1)
    page.goto(urljoin(page.url, link.get_attribute("href")))  # Swagger UI opens links in a new tab
    operation = page.locator(".opblock-get").filter(has=page.locator('[data-path="/api/inventory/{sku}"]'))
    expect(operation).to_have_count(1)
    assert off_host_requests == []
