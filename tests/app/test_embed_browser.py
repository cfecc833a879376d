"""In Chromium: a page embedded in a course page's iframe, a lesson link stepped through, the QR
code read back from the screen.
"""

from __future__ import annotations

import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from xentui.domain.lesson import Lesson, Step, encode

pytestmark = pytest.mark.browser

WAIT_MS = 45_000
IDLE_APP = '.stApp[data-test-script-state="notRunning"]'
ERRORS = '[data-testid="stException"], [data-testid="stError"]'


def _idle(where) -> None:
    where.locator(IDLE_APP).wait_for(timeout=WAIT_MS)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(WAIT_MS)
    yield context.new_page()
    context.close()


def test_a_page_embedded_in_a_course_page_shows_its_content(page, app_url, tmp_path):
    course = tmp_path / "course.html"
    course.write_text(
        "<!doctype html><title>Week 3</title><h1>Week 3: cross-entropy</h1>"
        f'<iframe src="{app_url}/step-by-step?embed=true&term=2" width="1100" height="800"'
        ' title="xent"></iframe>',
        encoding="utf-8",
    )
    page.goto(course.as_uri())
    app = page.frame_locator("iframe")
    app.get_by_role("heading", name=re.compile("Step by step")).first.wait_for()
    _idle(app)
    expect(app.locator(".st-key-term input")).to_have_value("2")
    assert app.locator(ERRORS).count() == 0


def test_a_lesson_link_steps_hides_and_shares(page, app_url, tmp_path):
    lesson = Lesson(
        (
            Step("step-by-step", (("term", "2"),), "Look at term 2 only.", ("all_terms",)),
            Step("about", (), "Now read how xent computes it."),
        )
    )
    # Tall enough for the whole Share popover under the sidebar's controls: in a shorter window it
    # scrolls, and a screenshot of the QR code would hold only the part in view.
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(f"{app_url}/step-by-step?term=2&lesson={encode(lesson)}")
    panel = page.locator(".st-key-lesson_panel")
    panel.get_by_text("Lesson — step 1 of 2").wait_for()
    _idle(page)
    assert "Look at term 2 only." in panel.inner_text()
    expect(page.locator(".st-key-term input")).to_have_value("2")
    assert page.locator(".st-key-all_terms").count() == 1
    assert not page.locator(".st-key-all_terms").is_visible()  # hidden by the step

    # The Share control: its link, and its QR code read back from the screen.
    page.locator(".st-key-share button").first.click()
    link = page.locator('[data-testid="stPopoverBody"] code').first.inner_text().strip()
    assert link == f"{app_url}/step-by-step?term=2"
    shot = tmp_path / "qr.png"
    page.locator('[data-testid="stPopoverBody"] img').first.screenshot(path=shot)
    found = zxingcpp.read_barcodes(Image.open(shot), formats=zxingcpp.BarcodeFormat.QRCode)
    assert [code.text for code in found] == [link]
    page.keyboard.press("Escape")

    panel.get_by_text("Next →").click()
    page.wait_for_url(re.compile(r"/about\?.*step=2"))
    panel = page.locator(".st-key-lesson_panel")
    panel.get_by_text("Lesson — step 2 of 2").wait_for()
    assert "Now read how xent computes it." in panel.inner_text()
    panel.get_by_text("← Back").click()
    page.wait_for_url(re.compile(r"/step-by-step\?"))
    page.locator(".st-key-lesson_panel").get_by_text("step 1 of 2").wait_for()
    _idle(page)
    expect(page.locator(".st-key-term input")).to_have_value("2")
    assert page.locator(ERRORS).count() == 0
