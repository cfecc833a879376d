"""Shared fixtures for the browser tests: a live `streamlit run` server and a headless Chromium.

Both are session-scoped and only start when a test asks for them, so the unit and AppTest suites
never pay for them. Chromium is Debian's (`apt-get install chromium`): Playwright cannot download
browsers here. Where it is missing the browser tests are skipped, unless XENT_REQUIRE_BROWSER=1
(as in CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from servers import streamlit_server, unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these Chromium keeps calling home, which floods a closed network with retries.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_configure(config):
    """Polls made by tests go to a folder of the run, never the user's ~/.local/share/xent; the
    servers tests start inherit the setting."""
    if "XENT_DATA_DIR" not in os.environ:
        os.environ["XENT_DATA_DIR"] = tempfile.mkdtemp(prefix="xent-test-data-")


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Base URL of `streamlit run app.py` on a free local port; stopped after the session."""
    with streamlit_server(tmp_path_factory.mktemp("server") / "streamlit.log") as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; skipped (or failed in CI) where missing."""
    if not CHROMIUM.exists():
        unavailable(f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is missing; `pip install -r requirements-dev.txt`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
