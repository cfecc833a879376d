"""Every page checked by axe-core in Chromium, and every control reached with the Tab key.

axe-core (MPL-2.0, vendored unmodified under tests/vendor/axe-core/, version in its header) is
the accessibility engine browsers' own audit tools use. A page passes with no "serious" or
"critical" violation of WCAG 2.x A/AA rules, in the light and the dark theme. The Tab walk
presses Tab through the page and checks that each visible control took the focus once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_pages import PAGE_IDS, PAGES, open_ready

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ") + " — " + n.failureSummary),
  }));
}"""

# What a keyboard user must be able to reach; radio buttons count once per group (arrows move
# inside a group), and Plotly's mode bar is reached through the chart's own keyboard-free tools.
CONTROLS = (
    "button, input, textarea, select, a[href], summary, [role='slider'], [role='switch'],"
    " [role='checkbox'], [role='tab'], [role='combobox']"
)
# The walk starts at the top of the document, from a stop placed there for the walk.
START_WALK = """() => {
  const start = document.createElement("span");
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
  window.xentFocused = new Set();
  document.addEventListener("focusin", (e) => window.xentFocused.add(e.target), true);
}"""
UNREACHED = """(selector) => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && !el.disabled && el.getAttribute("aria-disabled") !== "true"
      && el.tabIndex >= 0 && !el.closest('[aria-hidden="true"], .modebar, [inert]');
  };
  const reached = (el) => [...window.xentFocused].some((f) => f === el || el.contains(f)
    || f.contains(el));
  const seenGroups = new Set();
  const missing = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!shown(el)) continue;
    if (el.type === "radio") {
      if (seenGroups.has(el.name)) continue;
      seenGroups.add(el.name);
      const group = document.querySelectorAll(`input[type=radio][name="${el.name}"]`);
      if ([...group].some(reached)) continue;
    } else if (reached(el)) continue;
    missing.push((el.getAttribute("aria-label") || el.innerText || el.outerHTML).slice(0, 80));
  }
  return { missing, focused: window.xentFocused.size };
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["light", "dark"])
def tab(request, browser):
    """One tab per theme, which visits the pages in turn (the theme follows the system's)."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 900}, color_scheme=request.param
    )
    yield context.new_page()
    context.close()


def _blocking_violations(page, axe_source: str) -> list[dict]:
    page.add_script_tag(content=axe_source)
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def _unreached_by_tab(page) -> dict:
    page.evaluate(START_WALK)
    controls = page.locator(CONTROLS).count()
    for _ in range(controls + 10):  # one Tab per control, and a few for the grids' own stops
        page.keyboard.press("Tab")
    return page.evaluate(UNREACHED, CONTROLS)


@pytest.mark.parametrize(("address", "heading"), PAGES, ids=PAGE_IDS)
def test_axe_finds_nothing_serious_and_tab_reaches_every_control(
    tab, app_url, axe_source, address, heading
):
    open_ready(tab, app_url, address, heading)
    assert _blocking_violations(tab, axe_source) == []
    walk = _unreached_by_tab(tab)
    assert walk["missing"] == [], f"not reached by Tab on /{address}: {walk}"
