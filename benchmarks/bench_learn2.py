"""How much server time does a rerun of each Learn part 2 page cost, beside the Playground's?

Run from the repository root:

    python benchmarks/bench_learn2.py              # median of 20 reruns per page
    python benchmarks/bench_learn2.py --reruns 50 --profile

The pages are K-dimensional losses, Targets, weights and smoothing, and Gradients and temperature.
Each runs headless in Streamlit's AppTest (`app.py`, switched to the page), which executes the
scripts as the server does, minus the network and the browser. After two warm-up runs (imports —
torch, scikit-learn — and the pages' caches) every round reruns each page once at its default view,
the Playground too, in a rotating order: a busy machine slows them all alike, so "× Playground"
(a page's median over the Playground's, from the same rounds) is the figure to trust on a shared
machine. Every timed run is checked: it must show the page's key number and raise nothing.

AppTest re-reads and compiles the scripts on every run; a live server keeps the bytecode. The
"compile" column is that share, timed alone, and "server ≈" is the median minus it.

Lines starting with "VERDICT" hold each page's median AppTest rerun (compile included, so an upper
bound on the server's time) against the 50 ms budget. With --profile, cProfile shows where each
page's rerun goes. The script exits 0 either way: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import platform
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# `python benchmarks/bench_learn2.py` puts benchmarks/ on sys.path (hence `import _measure`), not
# the repository root; put the root first so that the working copy is the one measured.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import _measure  # noqa: E402
import streamlit  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest, local_script_runner  # noqa: E402

APP = REPO_ROOT / "app.py"
BUDGET_MS = 50.0
WARM_UP_RUNS = 2
FIRST_RUN_TIMEOUT_S = 120  # the first run imports torch and scikit-learn; a busy machine is slow
PROFILE_LINES = 12


@dataclass(frozen=True)
class Page:
    script: str
    metric_label: str  # the st.metric whose value proves the default view was drawn ("": first)
    metric_value: str


PLAYGROUND = Page("pages/playground.py", "", "1.2753")
LEARN2 = (
    Page("pages/k_dimensional.py", "Mean loss over the labelled pixels", "0.6519"),
    Page("pages/targets_weights_smoothing.py", "PyTorch: ÷ Σ w[target]", "1.6527"),
    Page("pages/gradients_temperature.py", "Loss of sample 1 of the Playground", "2.4076"),
)


class Session:
    """One AppTest session on one page; checks every run it times."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.at = AppTest.from_file(str(APP), default_timeout=FIRST_RUN_TIMEOUT_S)
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


def compile_timer(script: str) -> Callable[[], float]:
    """Time AppTest's per-run cost of reading, rewriting and compiling app.py and the page."""

    def timed() -> float:
        start = time.perf_counter()
        cache = ScriptCache()  # a new one per run, as AppTest does
        cache.get_bytecode(str(APP))
        cache.get_bytecode(str(REPO_ROOT / script))
        return time.perf_counter() - start

    return timed


def measure(sessions: list[Session], rounds: int) -> dict[str, list[float]]:
    """Seconds per call, one call of every contender per round, in a rotating order."""
    contenders: dict[str, Callable[[], float]] = {}
    for session in sessions:
        contenders[session.page.script] = session.run
        contenders[f"compile {session.page.script}"] = compile_timer(session.page.script)
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(contenders[name]())
    return times


def profile(session: Session, reruns: int) -> list[str]:
    """cProfile of the script thread (AppTest runs each script in a new thread)."""
    profiler = cProfile.Profile()
    runner = local_script_runner.LocalScriptRunner
    original = runner._run_script_thread

    def profiled(self) -> None:
        profiler.enable()
        try:
            original(self)
        finally:
            profiler.disable()

    runner._run_script_thread = profiled
    try:
        for _ in range(reruns):
            session.run()
    finally:
        runner._run_script_thread = original
    entries = pstats.Stats(profiler).stats
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
    # Setting widget state from outside a script run makes Streamlit warn on every run.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )
    print(
        f"Learn part 2 page reruns through AppTest: python {platform.python_version()}, "
        f"streamlit {streamlit.__version__}, {os.cpu_count()} CPUs, {options.reruns} rounds",
        flush=True,
    )
    started = time.perf_counter()
    sessions = [Session(page) for page in (PLAYGROUND, *LEARN2)]
    print(f"warm-up (imports, first runs): {time.perf_counter() - started:.1f} s")
    cpu_before, wall_before = _measure.cpu_seconds(), time.perf_counter()
    times = measure(sessions, options.reruns)
    busy = _measure.cpus_busy_elsewhere(
        cpu_before, _measure.cpu_seconds(), time.perf_counter() - wall_before
    )

    medians = {name: statistics.median(seconds) * 1e3 for name, seconds in times.items()}
    playground = medians[PLAYGROUND.script]
    print(f"\nDefault view: rerun times, ms ({options.reruns} interleaved rounds)")
    header = f"{'page':38}{'median':>8}{'min':>8}{'max':>8}{'compile':>9}{'server ≈':>10}"
    print(header + f"{'× Playground':>14}")
    for page in (PLAYGROUND, *LEARN2):
        seconds = times[page.script]
        compile_ms = medians[f"compile {page.script}"]
        cells = [medians[page.script], min(seconds) * 1e3, max(seconds) * 1e3, compile_ms]
        print(
            f"{page.script:38}"
            + "".join(f"{v:8.1f}" for v in cells[:3])
            + f"{cells[3]:9.1f}{cells[0] - compile_ms:10.1f}{cells[0] / playground:14.2f}"
        )
    print(f"other processes kept {busy:.1f} of {os.cpu_count()} CPUs busy while this was timed.")

    if options.profile:
        print()
        for session in sessions[1:]:
            print("\n".join(profile(session, options.reruns)))

    print()
    for page in LEARN2:
        median = medians[page.script]
        verdict = "PASS" if median <= BUDGET_MS else "FAIL"
        print(
            f"VERDICT {page.script} default-view rerun median {median:.1f} ms (budget "
            f"{BUDGET_MS:.0f} ms; Playground {playground:.1f} ms in the same rounds) {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
