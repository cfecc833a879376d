"""The Learn part 2 pages in a real Chromium: each opens by its URL path, shows its key number,
raises nothing; a control's value reaches the address bar and a link brings it back.

Uses the session-scoped `app_url` (a live `streamlit run app.py`) and `browser` fixtures of
conftest.py. Numbers are read from the page's DOM text (metrics, code blocks, Markdown): tables and
charts are drawn on canvases, so their contents are not text a test can find.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

LOAD_MS = 60_000
EXCEPTION = '[data-testid="stException"]'

# path, numbers its default view must show, and its last section heading (the script finished)
PAGES = [
    (
        "k-dimensional",
        ["3.7192e-03", "8.0037e+00", "0.6519"],
        "The Playground's samples as positions",
    ),
    (
        "targets-weights-smoothing",
        ["0.3567", "2.3026", "1.6527", "0.71355817782"],
        "The same inputs in PyTorch, Keras and scikit-learn",
    ),
    ("gradients-temperature", ["2.4076", "1.2196", "0.8324"], "Temperature"),
]


def _open(tab, url: str, last_heading: str) -> None:
    tab.goto(url)
    _settle(tab, last_heading)


def _settle(tab, last_heading: str) -> None:
    tab.get_by_role("heading", name=last_heading, exact=True).wait_for(timeout=LOAD_MS)
    # the heading arrives before the elements under it: wait for the script to finish
    tab.locator('.stApp[data-test-script-state="notRunning"]').wait_for(timeout=LOAD_MS)


@pytest.mark.parametrize(("path", "numbers", "last_heading"), PAGES)
def test_page_opens_with_its_seed_numbers(tab, app_url, path, numbers, last_heading):
    _open(tab, f"{app_url}/{path}", last_heading)
    for number in numbers:
        tab.get_by_text(number).first.wait_for(state="attached", timeout=LOAD_MS)
    assert tab.locator(EXCEPTION).count() == 0


def test_a_control_goes_into_the_address_and_the_link_brings_it_back(tab, app_url):
    last = "The Playground's samples as positions"
    _open(tab, f"{app_url}/k-dimensional", last)
    tab.get_by_role("radio", name="(2, 4, 2)").click()
    tab.get_by_text("1.1921e-07").first.wait_for(timeout=LOAD_MS)
    tab.wait_for_url(re.compile(r"kdim_example=%282%2C\+4%2C\+2%29|kdim_example=\(2"))
    address = tab.url
    _open(tab, f"{app_url}/gradients-temperature", "Temperature")  # leave the page …
    _open(tab, address, last)  # … and come back by the link
    tab.get_by_text("4.5418e-05").first.wait_for(state="attached", timeout=LOAD_MS)
    assert tab.locator(EXCEPTION).count() == 0


def test_a_bad_mask_shows_a_message_not_a_traceback(tab, app_url):
    _open(tab, f"{app_url}/k-dimensional?kdim_mask=0+9", "The Playground's samples as positions")
    tab.get_by_text("class 9 does not exist").first.wait_for(state="attached", timeout=LOAD_MS)
    tab.get_by_text("3.7192e-03").first.wait_for(
        state="attached", timeout=LOAD_MS
    )  # the rest of the page still works
    assert tab.locator(EXCEPTION).count() == 0


def test_a_link_picks_the_sample_on_the_gradient_page(tab, app_url):
    _open(tab, f"{app_url}/gradients-temperature?grad_sample=2&grad_T=0.5", "Temperature")
    # sample 2's loss; metrics can be drawn just after the last heading, so wait for it
    metric = tab.locator('[data-testid="stMetricValue"]', has_text="0.1429")
    metric.first.wait_for(timeout=LOAD_MS)
    assert tab.locator(EXCEPTION).count() == 0
