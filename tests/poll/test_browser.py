"""One teacher and two students in a real browser: make a poll, answer it, watch it live.

The teacher's page is never reloaded: the answers appear through its fragment's own refresh.
"""

from __future__ import annotations

import re

import pytest
from servers import streamlit_server

from xentui.poll.limits import DATABASE_ENV

pytestmark = pytest.mark.browser

WAIT_MS = 45_000
IDLE_APP = '.stApp[data-test-script-state="notRunning"]'
ERRORS = '[data-testid="stException"], [data-testid="stError"]'


def _idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun begin before waiting for it to end
    page.locator(IDLE_APP).wait_for(timeout=WAIT_MS)


def _metric(page, label: str):
    return page.locator('[data-testid="stMetric"]').filter(has_text=label)


def _student(browser, link: str, nickname: str, to_the_end: bool):
    page = browser.new_context().new_page()
    page.goto(link)
    page.get_by_role("textbox", name=re.compile("^Your nickname")).fill(nickname)
    page.keyboard.press("Enter")
    _idle(page)
    if to_the_end:  # p(true) = 1: the slider's End key
        page.get_by_role("slider").first.focus()
        page.keyboard.press("End")
        _idle(page)
    page.get_by_role("button", name="Submit").first.click()
    _idle(page)
    return page


def test_a_teacher_and_two_students_end_to_end(browser, tmp_path):
    env = {DATABASE_ENV: f"sqlite:///{tmp_path / 'polls.sqlite3'}"}
    with streamlit_server(tmp_path / "streamlit.log", env=env) as (url, _):
        teacher = browser.new_context().new_page()
        teacher.goto(f"{url}/class-poll")
        teacher.get_by_role("textbox", name="Your own questions, one a line").fill(
            "Cats are mammals | true"
        )
        teacher.keyboard.press("Control+Enter")
        _idle(teacher)
        teacher.get_by_role("button", name="Create the poll").click()
        _idle(teacher)
        shown = teacher.locator('[data-testid="stCode"]').filter(has_text="?poll=")
        shown.wait_for(timeout=WAIT_MS)
        link = shown.inner_text().strip()
        assert link.startswith(url), link
        assert teacher.locator('[data-testid="stImage"] img').count() == 1  # the QR code

        ada = _student(browser, link, "<b>Ada</b>", to_the_end=False)
        bob = _student(browser, link, "**Bob**", to_the_end=True)
        assert (
            "Recorded. Your loss: 0.6931 nats" in ada.locator('[data-testid="stMain"]').inner_text()
        )
        assert (
            "Recorded. Your loss: 0.0000 nats" in bob.locator('[data-testid="stMain"]').inner_text()
        )
        # Neither student sees the other's nickname.
        assert "Bob" not in ada.locator('[data-testid="stMain"]').inner_text()

        _metric(teacher, "Answers").filter(has_text="2").wait_for(timeout=WAIT_MS)
        board = teacher.locator('[data-testid="stMain"]').inner_text()
        assert "Students who answered" in board
        assert teacher.locator(ERRORS).count() == 0
        for student in (ada, bob):
            assert student.locator(ERRORS).count() == 0
