"""The Learn pages' browser tests share one tab per module."""

from __future__ import annotations

import pytest

LOAD_MS = 60_000


@pytest.fixture(scope="module")
def tab(browser, app_url):
    """One tab for the module; the front page opens first, so the server knows every page."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    page.get_by_role("heading", name="Playground", exact=True).wait_for(timeout=LOAD_MS)
    yield page
    page.close()
