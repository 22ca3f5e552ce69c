"""The API documentation is served entirely from this server (no CDN)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import login

pytestmark = pytest.mark.browser


def test_the_api_docs_load_without_any_request_to_another_host(page, demo):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, demo, "town_organizer")

    response = page.goto(f"{demo.url}/api/docs")

    assert response.status == 200
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("dangjian API")
    expect(page.locator(".opblock-summary-path", has_text="/api/people").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/api/openapi.json") for url in requested)
    outside = [url for url in requested if not url.startswith(demo.url + "/")]
    assert outside == []
    assert errors == []
