"""Every page on a laptop, a projector-sized window and a phone: shown whole, nothing overlapping.

One tab per viewport visits the pages in turn and writes a full-page screenshot of each to
$XENT_SCREENSHOTS (default test-artifacts/screenshots/), as <viewport>/<page>.png. Then, from the
elements' bounding boxes:
- nothing is cut at the right edge: no element, control or table wider than the page's column,
  and no choice of a row of buttons hidden past its own column, no formula cut at its top;
- a table shows all its columns, or (on a phone) scrolls sideways inside its own frame;
- no two elements overlap, and a figure's mode bar never covers its title.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_pages import PAGE_IDS, PAGES, open_ready

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("XENT_SCREENSHOTS", ROOT / "test-artifacts" / "screenshots"))
VIEWPORTS = {"1400x900": (1400, 900), "1280x720": (1280, 720), "390x844": (390, 844)}
PHONE_WIDTH = 500  # below this a wide table may scroll inside its frame

# Boxes are read in the page's coordinates; a pixel of slack absorbs sub-pixel rounding.
PROBLEMS = """(phone) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const block = main.querySelector('[data-testid="stMainBlockContainer"]') || main;
  const edge = block.getBoundingClientRect().right + 1;
  const problems = [];
  const name = (el) => (el.getAttribute("aria-label") || el.innerText || el.className || "")
    .toString().replace(/\\s+/g, " ").slice(0, 60);
  // A folded expander keeps its content laid out, clipped away: that content is not shown.
  // A grid's column names live in its hidden accessibility table.
  const header = (grid) => [...grid.querySelectorAll("th")].map((th) => th.textContent).join(" | ");
  const shown = (el) => { const b = el.getBoundingClientRect();
    return b.width > 0 && b.height > 0 && !el.closest("details:not([open]) > :not(summary)"); };
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px`);
  const items = [...main.querySelectorAll('[data-testid="stElementContainer"]')].filter(shown);
  for (const el of items) {
    const box = el.getBoundingClientRect();
    const cut = Math.round(box.right - edge);
    if (cut > 0) problems.push(`cut at the right edge by ${cut}px: ${name(el)}`);
  }
  // A row of choices clips its last buttons inside a narrow column instead of overflowing it.
  for (const group of main.querySelectorAll('[data-testid="stButtonGroup"]')) {
    const right = group.closest('[data-testid="stElementContainer"]').getBoundingClientRect().right;
    for (const button of group.querySelectorAll("button"))
      if (shown(button) && button.getBoundingClientRect().right > right + 1)
        problems.push(`a choice is cut off: "${name(button)}" in ${name(group)}`);
  }
  // A displayed formula scrolls sideways, so what is taller than its box is cut, not shown.
  for (const formula of main.querySelectorAll(".katex-display")) {
    if (!shown(formula)) continue;
    const top = formula.getBoundingClientRect().top;
    const above = Math.max(0, ...[...formula.querySelectorAll(".mord, .mop, .mbin, .mrel")]
      .map((glyph) => top - glyph.getBoundingClientRect().top));
    const below = formula.scrollHeight - formula.clientHeight;
    if (above > 1 || below > 1)
      problems.push(`a formula is cut (${Math.round(above)}px above, ${below}px below): ` +
        name(formula));
  }
  for (const grid of main.querySelectorAll('[data-testid="stDataFrame"]')) {
    const scroller = grid.querySelector(".dvn-scroller");
    const hidden = scroller ? scroller.scrollWidth - scroller.clientWidth : 0;
    if (hidden > 1 && !phone)
      problems.push(`a table hides ${hidden}px of its columns: ${header(grid)}`);
  }
  // The width × height two boxes share (0 when they do not meet).
  const shared = (a, b) => [
    Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)),
    Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)),
  ];
  // Leaves only: a container is not compared with what it holds.
  const leaves = items.filter((el) => !items.some((o) => o !== el && el.contains(o)));
  for (let i = 0; i < leaves.length; i++) {
    const a = leaves[i].getBoundingClientRect();
    for (let j = i + 1; j < leaves.length; j++) {
      const [w, h] = shared(a, leaves[j].getBoundingClientRect());
      if (w > 2 && h > 2)
        problems.push(`overlap ${w}×${h}px: ${name(leaves[i])} / ${name(leaves[j])}`);
    }
  }
  for (const chart of main.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    const bar = chart.querySelector(".modebar");
    const title = chart.querySelector(".gtitle");
    if (!bar || !title || !shown(bar)) continue;
    const [w, h] = shared(bar.getBoundingClientRect(), title.getBoundingClientRect());
    if (w > 0 && h > 0) problems.push(`the mode bar covers the title "${title.textContent}"`);
  }
  return problems;
}"""


@pytest.fixture(scope="module", params=list(VIEWPORTS))
def tab(request, browser):
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.xent_viewport = request.param
    yield page
    context.close()


@pytest.mark.parametrize(("address", "heading"), PAGES, ids=PAGE_IDS)
def test_no_clipping_and_no_overlap(tab, app_url, address, heading):
    open_ready(tab, app_url, address, heading)
    folder = SHOTS / tab.xent_viewport
    folder.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=folder / f"{address or 'playground'}.png", full_page=True)
    phone = tab.viewport_size["width"] < PHONE_WIDTH
    assert tab.evaluate(PROBLEMS, phone) == []


@pytest.fixture(scope="module")
def presenting(browser, app_url):
    """A projector-sized tab with presenter mode switched on from the sidebar."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    open_ready(page, app_url, "", "Playground")
    page.locator('[data-testid="stSidebar"]').get_by_text("Presenter mode", exact=True).click()
    page.wait_for_function("getComputedStyle(document.documentElement).fontSize === '20px'")
    yield page
    context.close()


PRESENTED = [
    page for page in PAGES if page[0] in ("step-by-step", "gradients-temperature", "about")
]


@pytest.mark.parametrize(
    ("address", "heading"), PRESENTED, ids=[a or "playground" for a, _ in PRESENTED]
)
def test_presenter_mode_enlarges_the_type_and_clips_nothing(presenting, app_url, address, heading):
    open_ready(presenting, app_url, address, heading)
    folder = SHOTS / "1280x720-presenter"
    folder.mkdir(parents=True, exist_ok=True)
    presenting.screenshot(path=folder / f"{address or 'playground'}.png")
    assert presenting.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    assert presenting.evaluate(PROBLEMS, False) == []
