"""How much server time does a rerun of each Learn page cost, beside the Playground's?

Run from the repository root:

    python benchmarks/bench_pages.py              # 20 reruns per page
    python benchmarks/bench_pages.py --reruns 50 --profile

Every page runs headless in Streamlit's AppTest (`app.py`, opened on the Playground, then switched
to the page), which executes the scripts as the server does, minus the network and the browser.
After two warm-up runs (imports, PyTorch's first call, caches) each round reruns every page once
at its default view, in a rotating order, so a busy machine slows all pages alike: "× Playground"
(a page's median over the Playground's median, measured in the same rounds) is the figure to
trust on a shared machine.
Every timed run is checked: it must show the page's key number and raise nothing.

AppTest re-reads and compiles the scripts on every run, which a live server does not (it keeps the
bytecode); "compile" is that share, timed alone, and "server ≈" is the median minus it.

The Step by step page's live timing control is timed next: for every size it offers, the rerun in
which the page times the four implementations at that size, against one second.

Lines starting with "VERDICT" hold each Learn page's median AppTest rerun against the 50 ms budget
and the slowest timing-control rerun against one second. With --profile, cProfile shows where each
Learn page's rerun goes. The script exits 0 either way: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# `python benchmarks/bench_pages.py` puts benchmarks/ on sys.path (hence `import _measure`), not
# the repository root; put the root first so that the working copy is the one measured.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import _measure  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from xentui.lessons.timing import TIMING_SIZES  # noqa: E402

APP = REPO_ROOT / "app.py"
RERUN_BUDGET_MS = 50.0
TIMING_BUDGET_MS = 1000.0
WARM_UP_RUNS = 2
FIRST_RUN_TIMEOUT_S = 120  # the first run imports torch; a busy machine may take a while
PROFILE_LINES = 10


@dataclass(frozen=True)
class Page:
    script: str
    metric_label: str  # the st.metric whose value proves the default view was drawn
    metric_value: str


PLAYGROUND = Page(
    "pages/explore/playground.py", "", "1.2753"
)  # its first metric, labelled by reduction
LEARN = (
    Page("pages/learn/step_by_step.py", "Where the walk ends: the mean", "1.2753"),
    Page(
        "pages/learn/binary_cross_entropy.py", "binary_cross_entropy_with_logits(x, y)", "20.0000"
    ),
    Page("pages/learn/numerical_stability.py", "cross_entropy(z, target)", "200.0000"),
    Page("pages/learn/k_dimensional.py", "Mean loss over the labelled pixels", "0.6519"),
    Page("pages/learn/targets_weights_smoothing.py", "PyTorch: ÷ Σ w[target]", "1.6527"),
    Page("pages/learn/gradients_temperature.py", "Loss of sample 1 of the Playground", "2.4076"),
)


class Session:
    """One AppTest session on one page; checks every run it times."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.at = AppTest.from_file(str(APP), default_timeout=FIRST_RUN_TIMEOUT_S)
        # The session opens on the default page first, as a visitor's does: AppTest runs a page
        # switched to before any run on its own, without app.py and its frame.
        self.at.run()
        self.at.switch_page(page.script)
        for _ in range(WARM_UP_RUNS):
            self.run()

    def run(self) -> float:
        start = time.perf_counter()
        self.at.run()
        elapsed = time.perf_counter() - start
        self.check()
        return elapsed

    def check(self) -> None:
        """A timing of a broken page means nothing: it must show its key number."""
        if self.at.exception:
            raise RuntimeError(f"{self.page.script} raised: {self.at.exception[0].value}")
        shown = {m.label: m.value for m in self.at.metric}
        value = shown.get(self.page.metric_label) or next(iter(shown.values()), None)
        if value != self.page.metric_value:
            raise RuntimeError(
                f"{self.page.script} shows {value}; expected {self.page.metric_value}"
            )


def measure(sessions: list[Session], rounds: int) -> dict[str, list[float]]:
    """Seconds per call: every page's rerun and its compile share, interleaved in rounds."""
    contenders: dict[str, Callable[[], float]] = {}
    for session in sessions:
        script = session.page.script
        contenders[script] = session.run
        contenders[f"compile {script}"] = _measure.compile_timer(APP, REPO_ROOT / script)
    return _measure.interleaved(contenders, rounds)


def measure_timing_control() -> list[tuple[int, float]]:
    """(N, ms) of the rerun that times the implementations at N, for every size on offer."""
    session = Session(LEARN[0])
    out = []
    for n in TIMING_SIZES:
        session.at.select_slider(key="time_n").set_value(n)
        out.append((n, session.run() * 1e3))
    return out


def profile(session: Session, reruns: int) -> list[str]:
    """Where a page's reruns go: its own calls and Streamlit's elements, by cumulative time."""
    entries = _measure.profile_script_thread(session.run, reruns).stats
    ranked = sorted(entries.items(), key=lambda item: item[1][3], reverse=True)
    lines = [
        f"  {session.page.script}: the page's own calls and Streamlit's elements, by cumulative "
        "ms per rerun (under cProfile, which inflates Python-heavy code)"
    ]
    shown = 0
    for (file, line, function), (_, _, _, cumulative, _) in ranked:
        path = file.replace(os.sep, "/")
        if not any(part in path for part in ("/xentui/", "/xentcore/", "streamlit/elements/")):
            continue
        lines.append(f"  {cumulative * 1e3 / reruns:8.2f}  {Path(file).name}:{line} {function}")
        shown += 1
        if shown == PROFILE_LINES:
            break
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reruns", type=int, default=20, help="timed reruns per page (default 20)")
    parser.add_argument("--profile", action="store_true", help="show where each rerun's time goes")
    options = parser.parse_args(argv)
    if options.reruns < 1:
        parser.error(f"--reruns must be at least 1; got {options.reruns}")
    print(_measure.apptest_banner("Page reruns", options.reruns), flush=True)
    sessions = [Session(page) for page in (PLAYGROUND, *LEARN)]
    times, busy = _measure.measured_beside_others(lambda: measure(sessions, options.reruns))

    medians = {name: statistics.median(seconds) * 1e3 for name, seconds in times.items()}
    playground = medians[PLAYGROUND.script]
    print(f"\nDefault view: rerun times, ms ({options.reruns} interleaved rounds)")
    header = f"{'page':34}{'median':>8}{'min':>8}{'max':>8}{'compile':>9}{'server ≈':>10}"
    print(header + f"{'× Playground':>14}")
    for page in (PLAYGROUND, *LEARN):
        seconds = times[page.script]
        compile_ms = medians[f"compile {page.script}"]
        cells = [medians[page.script], min(seconds) * 1e3, max(seconds) * 1e3, compile_ms]
        print(
            f"{page.script:34}"
            + "".join(f"{v:8.1f}" for v in cells[:3])
            + f"{cells[3]:9.1f}{cells[0] - compile_ms:10.1f}{cells[0] / playground:14.2f}"
        )
    print(busy)

    print(
        "\nLive timing control of pages/learn/step_by_step.py: the rerun that times all four at N"
    )
    control = measure_timing_control()
    print(f"{'N':>12}{'rerun ms':>10}")
    for n, ms in control:
        print(f"{n:>12,}{ms:>10.1f}")

    if options.profile:
        print()
        for session in sessions[1:]:
            print("\n".join(profile(session, options.reruns)))

    print()
    for page in LEARN:
        median = medians[page.script]
        verdict = "PASS" if median <= RERUN_BUDGET_MS else "FAIL"
        print(
            f"VERDICT {page.script} default-view rerun median {median:.1f} ms (budget "
            f"{RERUN_BUDGET_MS:.0f} ms; Playground {playground:.1f} ms in the same rounds) "
            f"{verdict}"
        )
    slowest_n, slowest = max(control, key=lambda item: item[1])
    verdict = "PASS" if slowest < TIMING_BUDGET_MS else "FAIL"
    print(
        f"VERDICT live timing control: slowest rerun {slowest:.0f} ms, at N = {slowest_n:,} "
        f"(budget {TIMING_BUDGET_MS:.0f} ms per run) {verdict}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
