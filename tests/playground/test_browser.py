"""The Playground in a real Chromium against a live `streamlit run` server.

What AppTest cannot see: the canvas grid taking keystrokes, the address bar following the
scenario, a link opening in a fresh browser, a click on a Plotly point reaching the page. Every
test ends with a screenshot in test-artifacts/ and a check that no exception box was rendered.

The logits grid is a canvas (glide-data-grid). Its cells have no boxes to click, but the grid keeps
an accessible table inside the canvas (`td#glide-cell-<column>-<row>` with `aria-selected`): the
test clicks the first data cell of the grid, moves to the wanted cell with the arrow keys, and
checks `aria-selected` before typing — no column widths are assumed.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

import xentcore
from xentui.domain.share_link import QUERY_KEY, decode

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT = {"width": 1400, "height": 1000}
WAIT_MS = 15_000
DEFAULT_LOSS = "1.2753"  # README: cross_entropy([[1, 2, 3], [2, 4, 6]], [0, 2])
EDITED_LOGITS = [[5.0, 2.0, 3.0], [2.0, 4.0, 6.0]]  # sample 1's "cat" logit: 1 → 5
EDITED_LOSS = f"{float(xentcore.cross_entropy(np.array(EDITED_LOGITS, np.float32), [0, 2])):.4f}"

METRIC = '[data-testid="stMetricValue"]'
LOGITS_EDITOR = '[class*="st-key-logits_editor_"]'  # the element's key is logits_editor_<version>
IDLE_APP = '.stApp[data-test-script-state="notRunning"]'


def expect(*args, **kwargs):
    # Imported on use: without Playwright the `browser` fixture skips (or, in CI, fails) with a
    # clear reason, instead of this module failing to import.
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=WAIT_MS)
    return playwright_expect(*args, **kwargs)


# ---------------------------------------------------------------------------------- helpers


def _new_page(browser, app_url, query: str = ""):
    """A page in a fresh browser context (its own session), with the Playground shown."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    page.goto(f"{app_url}/{query}")
    _settle(page)
    return page


@pytest.fixture
def open_page(browser, app_url):
    """open_page(query="") → a page in a fresh context; the contexts are closed afterwards."""
    pages = []

    def _open(query: str = ""):
        pages.append(_new_page(browser, app_url, query))
        return pages[-1]

    yield _open
    for page in pages:
        page.context.close()


def _settle(page) -> None:
    """Wait until the script has run and the headline metric is on the page."""
    page.locator(IDLE_APP).wait_for()
    page.locator(METRIC).first.wait_for()


def _finish(page, name: str) -> None:
    """Screenshot for the artefacts, then: no exception box anywhere on the page."""
    _settle(page)
    # Grids and charts load their code lazily and show a skeleton meanwhile.
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    # Streamlit scrolls inside its own container, so a "full page" shot holds only the viewport:
    # make the viewport as tall as the content for the picture.
    height = page.locator('[data-testid="stMain"]').evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    page.screenshot(path=ARTIFACTS / f"{name}.png")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def _column(grid, label: str) -> int:
    """The grid's own column number (aria-colindex) of the column headed `label`."""
    header = grid.locator('th[role="columnheader"]', has_text=re.compile(rf"^{re.escape(label)}$"))
    return int(header.get_attribute("aria-colindex"))


def _cell(grid, row: int, column_label: str):
    """The accessible-table twin of a grid cell: its text is the cell's text."""
    return grid.locator(f"#glide-cell-{_column(grid, column_label)}-{row}")


def _select_cell(page, grid, row: int, column_label: str) -> None:
    """Select one cell of a data editor: click a cell of its first row, then walk by arrow keys."""
    column = _column(grid, column_label)
    canvas = grid.locator('[data-testid="data-grid-canvas"]')
    selected = grid.locator('td[role="gridcell"][aria-selected="true"]')
    # The header row is drawn on its own canvas laid over the top of the grid.
    header_height = grid.locator("canvas:not([data-testid])").bounding_box()["height"]
    # The grid takes clicks only once its code has loaded and laid it out: retry until one lands.
    # Under load a click can land a second after it was made: a retry waits for that, and clicks
    # the other of the first two rows, as a click on the selected cell would open its editor,
    # which takes no arrow keys (and a late click moving the selection would misdirect the walk).
    for attempt in range(20):
        box = canvas.bounding_box()
        # 48 px: past the row-marker column (~32 px wide), inside the first column; rows are 35 px.
        page.mouse.click(box["x"] + 48, box["y"] + header_height + 12 + 35 * (attempt % 2))
        try:
            # A cell of the first two rows: a selection left from an earlier edit does not count.
            first_rows = re.compile(r"^glide-cell-\d+-[01]$")
            expect(selected).to_have_attribute("id", first_rows, timeout=3_000)
            break
        except AssertionError:
            continue
    else:
        raise AssertionError("the grid never took a click on its first rows")
    # A rerun that lands meanwhile may redraw the grid and swallow a key: walk again from where
    # the selection is, a few times.
    for _ in range(3):
        canvas.focus()  # the keys go to the grid, even after a rerun redrew the page
        at_column, at_row = map(int, selected.get_attribute("id").rsplit("-", 2)[1:])
        moves = (
            ("ArrowRight" if column > at_column else "ArrowLeft", abs(column - at_column)),
            ("ArrowDown" if row > at_row else "ArrowUp", abs(row - at_row)),
        )
        for key, steps in moves:
            for _ in range(steps):
                page.keyboard.press(key)
        try:
            expect(selected).to_have_attribute("id", f"glide-cell-{column}-{row}", timeout=2_000)
            return
        except AssertionError:
            continue
    expect(selected).to_have_attribute("id", f"glide-cell-{column}-{row}")


def _edit_cell(page, grid, row: int, column_label: str, text: str) -> None:
    """Single-click (select), type, Enter — the way the canvas grid accepts an edit."""
    _select_cell(page, grid, row, column_label)
    _type_into_selected(page, text)


def _type_into_selected(page, text: str) -> None:
    """Type into the selected cell and press Enter."""
    # The first keystroke opens an overlay editor; keys that come before it is focused are lost.
    page.keyboard.type(text[0])
    overlay = page.locator("textarea.gdg-input")
    expect(overlay).to_be_focused()
    page.keyboard.type(text[1:])
    expect(overlay).to_have_value(text)
    # An Enter a few ms after the last key, on a loaded machine, can close the grid's editor
    # before it took the keys the text box shows: the cell stays unchanged and no rerun is sent
    # (a new class's name was lost so in 3 of 10 runs, in none of 7 with this pause).
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    expect(overlay).to_have_count(0)


@pytest.fixture(scope="module")
def edited_page(browser, app_url):
    """The Playground after sample 1's "cat" logit was changed from 1 to 5 in the logits grid.

    Module-scoped: the edit test checks it, the shared-link test reads its address (a page load
    costs seconds, so it is done once).
    """
    page = _new_page(browser, app_url)
    grid = page.locator(LOGITS_EDITOR)
    expect(_cell(grid, 0, "cat")).to_have_text("1")
    _edit_cell(page, grid, row=0, column_label="cat", text="5")
    expect(page.locator(METRIC).first).to_have_text(f"{EDITED_LOSS} nats")
    yield page
    page.context.close()


# ------------------------------------------------------------------------------------ tests


def test_expected_edited_loss():
    """The figure the browser tests look for, checked by hand: −log softmax of the target."""
    # sample 1: 5 − logsumexp(5, 2, 3); sample 2: 6 − logsumexp(2, 4, 6)
    by_hand = np.mean([np.log(np.exp([5, 2, 3]).sum()) - 5, np.log(np.exp([2, 4, 6]).sum()) - 6])
    assert float(EDITED_LOSS) == pytest.approx(by_hand, abs=5e-5)
    assert EDITED_LOSS == "0.1564"


@pytest.mark.browser
def test_opens_with_the_default_loss(open_page):
    page = open_page()
    expect(page.locator(METRIC).first).to_have_text(f"{DEFAULT_LOSS} nats")
    expect(page.get_by_text("Mean loss", exact=True)).to_be_visible()
    _finish(page, "default")


@pytest.mark.browser
def test_editing_a_logit_updates_the_loss_and_the_address(edited_page):
    page = edited_page
    expect(_cell(page.locator(LOGITS_EDITOR), 0, "cat")).to_have_text("5")
    expect(page).to_have_url(re.compile(rf"[?&]{QUERY_KEY}="))
    token = parse_qs(urlsplit(page.url).query)[QUERY_KEY][0]
    assert [list(row) for row in decode(token).logits] == EDITED_LOGITS
    _finish(page, "edited")


@pytest.mark.browser
def test_shared_link_reopens_the_scenario(edited_page, open_page):
    expect(edited_page).to_have_url(re.compile(rf"[?&]{QUERY_KEY}="))
    query = "?" + urlsplit(edited_page.url).query
    page = open_page(query)  # a fresh context: nothing shared with the page that made the link
    expect(page.locator(METRIC).first).to_have_text(f"{EDITED_LOSS} nats")
    expect(_cell(page.locator(LOGITS_EDITOR), 0, "cat")).to_have_text("5")
    expect(page.locator('[data-testid="stAlert"]')).to_have_count(0)
    _finish(page, "shared-link")


@pytest.mark.browser
def test_tampered_link_warns_and_shows_the_default(open_page):
    page = open_page(f"?{QUERY_KEY}=1.garbage")
    expect(page.get_by_text("This link could not be opened")).to_be_visible()
    expect(page.locator(METRIC).first).to_have_text(f"{DEFAULT_LOSS} nats")
    _finish(page, "tampered-link")


@pytest.mark.browser
def test_clicking_a_curve_point_switches_the_breakdown(open_page):
    page = open_page()
    breakdown = page.locator('[data-testid="stSelectbox"]').filter(has_text="Breakdown of")
    choice = breakdown.get_by_role("combobox")
    expect(choice).to_have_value("sample 1")
    curve = page.locator(".js-plotly-plot").nth(1)  # the first chart is Y·(−log P)ᵀ
    curve.scroll_into_view_if_needed()
    point = curve.locator("path.point").nth(1)  # the points trace: one marker per sample
    expect(point).to_be_visible()
    box = point.bounding_box()
    # locator.click() would be intercepted by Plotly's drag layer; a mouse click goes through.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(choice).to_have_value("sample 2")
    expect(page.get_by_text("Loss of sample 2")).to_be_visible()
    _finish(page, "curve-click")


CLASSES_EDITOR = '[class*="st-key-classes_editor_"]'


def _scenario_weights(page) -> tuple[float, ...] | None:
    """The class weights of the scenario in the address bar (None: all 1, or no link yet)."""
    token = parse_qs(urlsplit(page.url).query).get(QUERY_KEY, [None])[0]
    return decode(token).weights if token else None


@pytest.mark.browser
def test_a_new_class_keeps_its_name_and_weight_typed_at_once(open_page):
    """Add a class, type its name, then at once its weight: both stick, and reach the link."""
    page = open_page()
    grid = page.locator(CLASSES_EDITOR)
    grid.hover()
    grid.get_by_role("button", name="Add row").click()
    expect(_cell(grid, 3, "class name")).to_have_count(1)
    # The rerun the new, empty row starts ends first.
    expect(page.get_by_text("Row 4, column “name”")).to_be_visible()
    page.locator(IDLE_APP).wait_for()
    _edit_cell(page, grid, row=3, column_label="class name", text="cow")
    _edit_cell(page, grid, row=3, column_label="weight", text="5")  # while the name's rerun runs
    logits_headers = page.locator(LOGITS_EDITOR).locator('th[role="columnheader"]')
    expect(logits_headers.filter(has_text=re.compile(r"^cow$"))).to_have_count(1)  # logits follow
    for _ in range(50):  # the address follows the last rerun
        if _scenario_weights(page) == (1.0, 1.0, 1.0, 5.0):
            break
        page.wait_for_timeout(200)
    page.wait_for_timeout(1000)  # a revert would come with a later rerun: give it the time
    _settle(page)
    expect(_cell(grid, 3, "class name")).to_have_text("cow")
    expect(_cell(grid, 3, "weight")).to_have_text("5")
    assert _scenario_weights(page) == (1.0, 1.0, 1.0, 5.0)
    _finish(page, "new-class-name-and-weight")
