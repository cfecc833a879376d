"""Every page of the app in a real browser: its address, its heading, and opening it ready to read.

Shared by the accessibility and viewport tests, which load each page once per case.
"""

from __future__ import annotations

# Every address of the menu, with the heading its page opens on.
PAGES = [
    ("", "Playground"),
    ("step-by-step", "Step by step"),
    ("binary-cross-entropy", "Binary cross-entropy"),
    ("numerical-stability", "Numerical stability"),
    ("k-dimensional", "K-dimensional losses"),
    ("targets-weights-smoothing", "Targets, weights and smoothing"),
    ("gradients-temperature", "Gradients and temperature"),
    ("your-model", "Your model"),
    ("sequences", "Sequences"),
    ("class-poll", "Class poll"),
    ("about", "xent"),
]
PAGE_IDS = [address or "playground" for address, _ in PAGES]
WAIT_MS = 60_000
IDLE_APP = '.stApp[data-test-script-state="notRunning"]'


def open_ready(page, app_url: str, address: str, heading: str) -> None:
    """Show the page at `address` and wait until its script has finished and its figures are drawn.

    A tab already showing the app follows the menu's link (a rerun, not a reload: several times
    faster on a loaded machine); a new tab loads the address.
    """
    link = page.locator(f'[data-testid="stSidebarNavLink"][href="{app_url}/{address}"]')
    if page.url.startswith(app_url) and link.count():
        link.first.evaluate("a => a.click()")  # also where a phone's sidebar is folded away
    else:
        page.goto(f"{app_url}/{address}")
    page.locator("h1", has_text=heading).first.wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(300)  # let a rerun begin before waiting for it to end
    page.locator(IDLE_APP).wait_for(timeout=WAIT_MS)
    # Plotly and the grids draw after the script has finished (a folded or hidden grid never).
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                 .every((chart) => chart.querySelector('.main-svg'))
              && [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                 .filter((grid) => grid.getClientRects().length
                                   && !grid.closest('details:not([open])'))
                 .every((grid) => grid.querySelector('.dvn-scroller'))""",
        timeout=WAIT_MS,
    )
    page.wait_for_timeout(500)
