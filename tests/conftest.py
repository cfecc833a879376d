"""Shared fixtures for the browser tests: a live `streamlit run` server and a headless Chromium.

Both are session-scoped and only start when a test asks for them, so the unit and AppTest suites
never pay for them. Chromium is Debian's (`apt-get install chromium`): Playwright cannot download
browsers here. Where it is missing the browser tests are skipped, unless XENT_REQUIRE_BROWSER=1
(as in CI), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
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
SERVER_START_SECONDS = 60
SERVER_STOP_SECONDS = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
            return answer.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Base URL of `streamlit run app.py` on a free local port; stopped after the session."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("server") / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not _healthy(url):
                if server.poll() is not None:
                    pytest.fail(
                        f"streamlit exited with code {server.returncode} before answering "
                        f"/_stcore/health; its output:\n{log_path.read_text(errors='replace')}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"streamlit did not answer {url}/_stcore/health within "
                        f"{SERVER_START_SECONDS} s; its output:\n"
                        f"{log_path.read_text(errors='replace')}"
                    )
                time.sleep(0.1)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=SERVER_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them where XENT_REQUIRE_BROWSER=1 (CI)."""
    if os.environ.get("XENT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (XENT_REQUIRE_BROWSER=1: the browser tests are required)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; skipped (or failed in CI) where missing."""
    if not CHROMIUM.exists():
        _unavailable(
            f"Chromium not found at {CHROMIUM}; install it with `apt-get install chromium`"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing; `pip install -r requirements-dev.txt`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
