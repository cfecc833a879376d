"""The Learn pages in a real Chromium: each opens by its URL path, shows its key number, raises
nothing.

Uses the session-scoped `app_url` (a live `streamlit run app.py`) and `browser` fixtures of
conftest.py. Numbers are read from the page's DOM text (metrics and Markdown): tables are drawn on a
canvas, so their cells are not text a test can find.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

LOAD_MS = 60_000

# path, the number its default view must show, and the last section heading (the script finished)
PAGES = [
    ("step-by-step", "1.2753", "Why the vectorised form wins"),
    ("binary-cross-entropy", "34.5388", "The seed's worked examples"),
    ("numerical-stability", "200.0000", "The classic mistake"),
]


def _open(tab, url: str, last_heading: str) -> None:
    tab.goto(url)
    tab.get_by_role("heading", name=last_heading).wait_for(timeout=LOAD_MS)
    # The heading arrives before the elements under it: wait until the script has finished.
    tab.locator('.stApp[data-test-script-state="notRunning"]').wait_for(timeout=LOAD_MS)


@pytest.mark.parametrize(("path", "number", "last_heading"), PAGES)
def test_learn_page_opens_with_its_key_number(tab, app_url, path, number, last_heading):
    _open(tab, f"{app_url}/{path}", last_heading)
    # A number in a data grid lives in its hidden accessibility table, drawn a moment later.
    tab.get_by_text(number).first.wait_for(state="attached", timeout=LOAD_MS)
    assert tab.locator('[data-testid="stException"]').count() == 0


def test_a_link_sets_the_page_controls(tab, app_url):
    _open(tab, f"{app_url}/numerical-stability?scale=1", "The classic mistake")
    # −log 0.0900: sample 1 at scale 1. Waited for: under load the metric can follow the heading.
    metric = tab.locator('[data-testid="stMetricValue"]', has_text="2.4076")
    metric.first.wait_for(timeout=LOAD_MS)
    assert tab.locator('[data-testid="stException"]').count() == 0
