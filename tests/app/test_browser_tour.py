"""A tour of the whole app in a real browser, as a student clicking through the menu would.

Every page is reached from the front page's menu; its default view shows its key number; one
control is used; the page changes, no error element appears anywhere, and a screenshot of each
step is written to test-artifacts/tour/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "tour"
WAIT_MS = 45_000
IDLE_APP = '.stApp[data-test-script-state="notRunning"]'
ERRORS = '[data-testid="stException"], [data-testid="stError"]'


@dataclass(frozen=True)
class Stop:
    menu: str  # the page's name in the menu
    key_number: str  # shown by its default view
    interact: str  # one control: "button:<name>", "switch:<label>", "slider", or "none" (text only)
    heading: str = ""  # the page's title, when it is not the menu name's first word


TOUR = [
    # Opening the presets leaves the scenario as it is, for the pages after it.
    Stop("Playground", "1.2753", "switch:Presets and random logits"),
    Stop("Step by step", "1.2753", "button:^Next"),
    Stop("Binary cross-entropy", "34.5388", "slider"),
    Stop("Numerical stability", "200.0000", "slider"),
    Stop("K-dimensional losses", "3.7192e-03", "slider"),
    Stop("Targets, weights and smoothing", "1.6527", "slider"),
    Stop("Gradients and temperature", "0.6652", "slider"),
    # It opens on its generated example; tests/your_model/test_browser.py uploads a file there.
    Stop("Your model", "Download per-sample results (CSV)", "none"),
    Stop("About xent", "Deploying for a class", "none", heading="xent"),
]


def _idle(page) -> None:
    page.wait_for_timeout(300)  # let a rerun begin before waiting for it to end
    page.locator(IDLE_APP).wait_for(timeout=WAIT_MS)


def _main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def _use_a_control(page, how: str) -> None:
    kind, _, name = how.partition(":")
    main = page.locator('[data-testid="stMain"]')
    if kind == "button":
        main.get_by_role("button", name=re.compile(name)).first.click()
    elif kind == "switch":
        main.get_by_text(name, exact=True).first.click()
    else:  # the first slider, moved one step with the keyboard
        thumb = main.get_by_role("slider").first
        thumb.focus()
        page.keyboard.press("ArrowRight")
    _idle(page)


def _screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


@pytest.fixture(scope="module")
def tour_page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(app_url)
    _idle(page)
    yield page
    context.close()


@pytest.mark.parametrize("stop", TOUR, ids=[s.menu for s in TOUR])
def test_each_page_opens_from_the_menu_and_answers_a_control(tour_page, stop):
    page = tour_page
    page.locator('[data-testid="stSidebarNav"]').get_by_text(stop.menu, exact=True).click()
    heading = stop.heading or stop.menu.split(" ")[0]
    page.get_by_role("heading", name=re.compile(re.escape(heading))).first.wait_for()
    _idle(page)
    # Numbers inside a data grid live in its hidden accessibility table: attached, not visible.
    page.get_by_text(stop.key_number).first.wait_for(state="attached")
    slug = re.sub(r"\W+", "-", stop.menu.lower()).strip("-")
    _screenshot(page, f"{slug}-default")
    before = _main_text(page)

    if stop.interact != "none":
        _use_a_control(page, stop.interact)
        assert _main_text(page) != before, f"using {stop.interact!r} changed nothing on {stop.menu}"
        _screenshot(page, f"{slug}-after")
    assert page.locator(ERRORS).count() == 0, page.locator(ERRORS).first.inner_text()
