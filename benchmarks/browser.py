"""What a person feels, in a real browser: each page of xent beside a minimal Streamlit app.

Chromium (Debian's, through Playwright) opens each page in a fresh browser context — a new tab
with no cache and its own session — and times, from the navigation:

- key: until the page's key number (its first metric; About: its title) is on screen;
- ready: until its main control takes input (the Playground's logits grid selects a clicked
  cell; a number input or slider is on screen and enabled);
- edit: from an input (a logit typed into the grid, a number input stepped, a slider moved one
  step) until the page shows something new and the script has finished.

Beside it, in the same run and alternating tab by tab, the same three times for the least a
Streamlit app can do for the job (benchmarks/minimal_app.py: one data editor, one metric, one
Plotly chart). Both run the production profile on 127.0.0.1. The report gives medians with their
range over --tabs fresh tabs and the ratios to the minimal app; lines starting with "VERDICT" hold
each page's ready and edit ratios against 1.25×. The script exits 0 either way: it is a report.

    python benchmarks/browser.py                 # 5 tabs per page
    python benchmarks/browser.py --tabs 7 --pages playground,binary-cross-entropy
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from servers import production_workdir, streamlit_server  # noqa: E402

BUDGET = 1.25
VIEWPORT = {"width": 1400, "height": 900}
WAIT_MS = 60_000
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
METRIC = '[data-testid="stMetricValue"]'


@dataclass(frozen=True)
class Page:
    path: str  # the address after the server's root
    key: str  # the selector of the key number
    # "grid:<selector>", "number:<key>", "slider:<key>", "toggle:<key>" or "" (no control)
    control: str


PAGES = {
    # The logits editor's key ends with a version that changes when the classes do.
    "playground": Page("", METRIC, 'grid:[class*="st-key-logits_editor_"]'),
    "step-by-step": Page("step-by-step", METRIC, "number:term"),
    "binary-cross-entropy": Page("binary-cross-entropy", METRIC, "number:logit"),
    # The Learn pages' target index boxes take input only for typed logits: step the sample.
    "numerical-stability": Page("numerical-stability", METRIC, "number:sample"),
    "k-dimensional": Page("k-dimensional", METRIC, "number:kdim_seed"),
    "targets-weights-smoothing": Page("targets-weights-smoothing", METRIC, "slider:tws_eps"),
    "gradients-temperature": Page("gradients-temperature", METRIC, "number:grad_sample"),
    # The page opens on its example's analysis; the toggle redraws the loss histogram.
    "your-model": Page("your-model", METRIC, "toggle:ym_log_counts"),
    "about": Page("about", "h1", ""),
}
MINIMAL = Page("", METRIC, "grid:.st-key-logits")


def _grid_takes_a_click(page, grid, deadline: float) -> None:
    """Click the first logit cell until the grid selects it (its code loads after the page)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    grid.wait_for()
    grid.scroll_into_view_if_needed()  # as a person scrolls to it; a click off screen is lost
    canvas = grid.locator('[data-testid="data-grid-canvas"]')
    selected = grid.locator('td[role="gridcell"][aria-selected="true"]')
    while time.perf_counter() < deadline:
        box = canvas.bounding_box()
        if box:
            header = grid.locator("canvas:not([data-testid])").bounding_box()
            offset = header["height"] if header else 36
            page.mouse.click(box["x"] + 48, box["y"] + offset + 12)  # past the row markers
            try:  # a second click within the double-click time would open the cell's editor
                selected.first.wait_for(state="attached", timeout=600)
                return
            except PlaywrightTimeout:
                continue
        page.wait_for_timeout(20)
    raise TimeoutError("the grid never took a click")


def _take_input(page, control: str, deadline: float) -> None:
    """Wait until the main control takes input (for the grid: one cell selected)."""
    kind, _, key = control.partition(":")
    if kind == "grid":
        _grid_takes_a_click(page, page.locator(key).first, deadline)
    elif kind == "toggle":
        page.locator(f".st-key-{key} input").first.wait_for(state="attached")
    elif control:
        inner = "input" if kind == "number" else 'input[type="range"]'  # react-aria's thumb
        element = page.locator(f".st-key-{key} {inner}").first
        element.wait_for(state="attached")  # a slider's range input is visually hidden
        while not element.is_enabled() and time.perf_counter() < deadline:
            page.wait_for_timeout(20)


def _give_input(page, control: str) -> None:
    """One input to the main control, as a person gives it."""
    kind, _, key = control.partition(":")
    if kind == "grid":
        page.locator(key).first.locator('[data-testid="data-grid-canvas"]').focus()
        page.keyboard.type("7")  # opens the cell's editor with the key typed
        page.locator(".gdg-input").wait_for()  # a text area, or an input for numbers
        page.keyboard.press("Enter")
    elif kind == "toggle":
        page.locator(f".st-key-{key} label").first.click()
    else:
        if kind == "number":
            page.locator(f".st-key-{key} input").first.focus()
            page.keyboard.press("ArrowUp")  # one step up, as the input's own arrow does
            page.keyboard.press("Enter")
        else:
            page.locator(f'.st-key-{key} input[type="range"]').first.focus()
            page.keyboard.press("ArrowRight")


def _main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def one_tab(browser, base_url: str, spec: Page) -> tuple[float, float, float]:
    """(key, ready, edit) in ms for one fresh tab."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"{base_url}/{spec.path}", wait_until="commit")
        page.locator(spec.key).first.wait_for()
        key = time.perf_counter() - started
        _take_input(page, spec.control, started + WAIT_MS / 1000)
        ready = time.perf_counter() - started
        if not spec.control:
            return key * 1000, ready * 1000, float("nan")
        page.locator(IDLE).wait_for()
        before = _main_text(page)
        given = time.perf_counter()
        _give_input(page, spec.control)
        page.wait_for_function(
            """([before, idle]) => document.querySelector(idle) &&
                document.querySelector('[data-testid="stMain"]').innerText !== before""",
            arg=[before, IDLE],
            timeout=WAIT_MS,
        )
        edit = time.perf_counter() - given
        return key * 1000, ready * 1000, edit * 1000
    finally:
        context.close()


def _summary(values: list[float]) -> str:
    if any(math.isnan(v) for v in values):  # the page has no control
        return "—"
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tabs", type=int, default=5, help="fresh tabs per page (at least 3)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    args = parser.parse_args()
    names = [name for name in args.pages.split(",") if name]
    unknown = sorted(set(names) - set(PAGES))
    if unknown or not 3 <= args.tabs <= 20:
        parser.error(f"pages must be among {', '.join(PAGES)} and tabs in [3, 20]; got {unknown}")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    print(f"machine load (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xent-browser-")))
        workdir = production_workdir(folder / "app")
        xent, _ = stack.enter_context(streamlit_server(folder / "xent.log", workdir=workdir))
        minimal, _ = stack.enter_context(
            streamlit_server(
                folder / "minimal.log",
                script=REPO_ROOT / "benchmarks" / "minimal_app.py",
                workdir=workdir,
            )
        )
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        stack.callback(browser.close)
        one_tab(browser, xent, PAGES["playground"])  # warm-up: imports, first figures
        one_tab(browser, minimal, MINIMAL)
        print(
            f"{'page':28} {'key ms':>16} {'ready ms':>16} {'edit ms':>16}  × minimal (ready, edit)"
        )
        for name in names:
            ours, peer = [], []
            try:
                for _ in range(args.tabs):  # alternating, so that a busy moment hits both
                    ours.append(one_tab(browser, xent, PAGES[name]))
                    peer.append(one_tab(browser, minimal, MINIMAL))
            except PlaywrightError as problem:
                print(f"VERDICT {name}: not measured — {str(problem).splitlines()[0]}: FAIL")
                continue
            columns = list(zip(*ours, strict=True))
            peers = list(zip(*peer, strict=True))
            ratios = [statistics.median(columns[i]) / statistics.median(peers[i]) for i in (1, 2)]
            print(
                f"{name:28} {_summary(columns[0]):>16} {_summary(columns[1]):>16} "
                f"{_summary(columns[2]):>16}  {ratios[0]:.2f}, {ratios[1]:.2f}"
            )
            print(
                f"{'  minimal app':28} {_summary(peers[0]):>16} {_summary(peers[1]):>16} "
                f"{_summary(peers[2]):>16}"
            )
            for what, ratio in zip(("ready", "edit"), ratios, strict=True):
                if not math.isnan(ratio):
                    verdict = "PASS" if ratio <= BUDGET else "FAIL"
                    print(
                        f"VERDICT {name} {what} {ratio:.2f}× the minimal app ({BUDGET}×): {verdict}"
                    )


if __name__ == "__main__":
    main()
