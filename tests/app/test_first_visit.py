"""A fresh server's first visit to any page's address opens that page, with no "Page not found".

Streamlit routes a process's first run by the files at the top of `pages/` before app.py's
st.navigation exists (see app.py); each case starts its own server so
that its visit is that first run.
"""

from __future__ import annotations

import pytest
from browser_pages import PAGES
from servers import streamlit_server

pytestmark = pytest.mark.browser

ADDRESSES = PAGES  # every address of the menu, with the heading its page opens on


@pytest.mark.parametrize(("address", "heading"), ADDRESSES, ids=[a or "root" for a, _ in ADDRESSES])
def test_the_first_visit_of_a_fresh_server_opens_the_page(browser, tmp_path, address, heading):
    with streamlit_server(tmp_path / "streamlit.log") as (url, _):
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{url}/{address}")
            page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=60_000)
            page.locator("h1", has_text=heading).first.wait_for(timeout=60_000)
            page.wait_for_timeout(1_500)  # the notice, when it comes, follows the page
            # The dialog, not the page's text: the About page may quote the words.
            assert page.locator('[role="dialog"]', has_text="Page not found").count() == 0
            assert page.title() == "xent — cross-entropy, visible"  # app.py's frame ran
            assert "Step by step" in page.locator('[data-testid="stSidebarNav"]').inner_text()
        finally:
            context.close()
