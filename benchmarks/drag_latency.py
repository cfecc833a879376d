"""The Playground's logit drag: from an input on a slider to the frame that shows its numbers.

Chromium (Debian's, through Playwright) opens the Playground in --runs fresh tabs of one
`streamlit run` server (production profile, 127.0.0.1). In each, --drags synthetic input events
go to the first slider of the drag; each is timed with performance.now() from the event to the
animation frame after the component rewrote its bars, curve point and loss (a rAF, then a task:
past the paint). Beside each, in the same tab and alternating, the same wait with no input: the
frame floor, which no page can beat. The report gives every run's median and range and their
medians; the line starting with "VERDICT" holds the median against 50 ms. Exits 0 either way.

    python benchmarks/drag_latency.py              # 3 runs of 25 drags
    python benchmarks/drag_latency.py --runs 5 --drags 40
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The measurement is the browser test's own (tests/drag_timing.py).
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "tests")]
from conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from drag_timing import SLIDER, input_to_frame_ms  # noqa: E402
from servers import production_workdir, streamlit_server  # noqa: E402

BUDGET_MS = 50.0
WAIT_MS = 60_000
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _summary(values: list[float]) -> str:
    return f"median {statistics.median(values):6.1f} ms  ({min(values):5.1f}–{max(values):6.1f})"


def measure(runs: int, drags: int) -> tuple[list[float], list[float]]:
    """Each run's median drag and floor, printing each run as it ends."""
    from playwright.sync_api import sync_playwright

    drag_medians, floor_medians = [], []
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        workdir = production_workdir(Path(folder))
        log = Path(folder) / "streamlit.log"
        script = REPO_ROOT / "app.py"
        with streamlit_server(log, script=script, workdir=workdir) as (url, _):
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                for run in range(1, runs + 1):
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    context.set_default_timeout(WAIT_MS)
                    page = context.new_page()
                    page.goto(url)
                    page.locator(IDLE).wait_for()
                    slider = page.locator(SLIDER).first
                    slider.wait_for()
                    slider.scroll_into_view_if_needed()
                    times = input_to_frame_ms(page, drags)
                    context.close()
                    drag_medians.append(statistics.median(times["drags"]))
                    floor_medians.append(statistics.median(times["floors"]))
                    print(
                        f"run {run}: input → frame {_summary(times['drags'])}; "
                        f"frame floor {_summary(times['floors'])}"
                    )
            finally:
                browser.close()
    return drag_medians, floor_medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh tabs (default 3)")
    parser.add_argument("--drags", type=int, default=25, help="inputs per tab (default 25, ≥ 20)")
    args = parser.parse_args()
    if args.runs < 1 or args.drags < 20:
        parser.error(f"need --runs ≥ 1 and --drags ≥ 20; got {args.runs} and {args.drags}")
    if not CHROMIUM.exists():
        print(f"VERDICT not measured: Chromium not found at {CHROMIUM}")
        return 0
    drag_medians, floor_medians = measure(args.runs, args.drags)
    median = statistics.median(drag_medians)
    floor = statistics.median(floor_medians)
    print(
        f"over {args.runs} runs of {args.drags} drags: input → frame {_summary(drag_medians)} "
        f"of the run medians; frame floor {floor:.1f} ms ({median / floor:.2f}× the floor)"
    )
    verdict = "PASS" if median <= BUDGET_MS else "FAIL"
    print(f"VERDICT {verdict}: logit drag input → frame median {median:.1f} ms ≤ {BUDGET_MS:g} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
