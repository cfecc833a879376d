"""The production profile in a real browser: an error shows no traceback and no internals."""

from __future__ import annotations

import pytest
from servers import REPO_ROOT, production_workdir, streamlit_server

pytestmark = pytest.mark.browser

CRASH_APP = REPO_ROOT / "tests" / "fixtures" / "crash_app.py"


def test_a_forced_error_shows_the_user_no_traceback(tmp_path, browser):
    workdir = production_workdir(tmp_path / "app")
    with streamlit_server(tmp_path / "server.log", script=CRASH_APP, workdir=workdir) as (url, _):
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector(
            '[data-testid="stException"], [data-testid="stAlert"]', timeout=30_000
        )
        text = page.inner_text("body")
        page.close()
    assert "secret-token-4242" not in text
    assert "Traceback" not in text and "RuntimeError" not in text
    assert "playground.py" not in text
    # ...while the server log keeps the details for whoever runs it.
    assert "secret-token-4242" in (tmp_path / "server.log").read_text()
