"""How long does the server spend rerunning the Playground after one edit?

Run from the repository root:

    python benchmarks/bench_playground.py               # 20 rounds; profiles if over budget
    python benchmarks/bench_playground.py --reruns 50 --profile

The Playground is run headless with Streamlit's AppTest (`app.py`, default page), which executes
the scripts exactly as the server does, minus the network and the browser. After one warm-up run
(imports, torch, the first figures) every round times, in a rotating order:

- a rerun after one edit: sample 1's "cat" logit is set through the logits editor's session state
  (the way AppTest can edit an st.data_editor), then `at.run()`. Each edit types a value not seen
  before, as a person does, so the cache on `analyse` cannot answer and the rerun does the work an
  edit really costs;
- a rerun with no edit: the same scenario again (`analyse` is answered from its cache);
- `xentui.domain.results.analyse` alone, uncached: all the numbers the page shows, for the
  edited scenario;
- the PyTorch cross-check the page runs on every rerun (two `torch_cross_entropy` calls), in a
  fresh thread as the script runner does: torch's thread pool behaves differently there;
- compiling app.py and pages/explore/playground.py: AppTest creates a new script cache for every
  run, so each `at.run()` re-reads, rewrites (Streamlit "magic") and compiles both scripts. A live
  server keeps the bytecode, so this part of `at.run()` is AppTest's, not the server's.

Times are wall-clock (`time.perf_counter`) with the garbage collector on, as on a server. Beside the
table: how many CPUs other processes kept busy, since this machine's cores may be shared.

The line starting with "VERDICT" compares the median rerun after one edit with the 50 ms budget.
When it is over budget (or with --profile) the script profiles the script thread with cProfile and
prints where a rerun's time goes. It exits 0 either way: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import pstats
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

# `python benchmarks/bench_playground.py` puts benchmarks/ on sys.path (hence `import _measure`),
# not the repository root; put the root first so that the working copy is the one measured.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import _measure  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import xentcore  # noqa: E402
from xentui.domain.presets import DEFAULT_SCENARIO  # noqa: E402
from xentui.domain.results import analyse, loss_arguments  # noqa: E402
from xentui.domain.scenario import Scenario  # noqa: E402
from xentui.kit.format import fmt  # noqa: E402

APP = REPO_ROOT / "app.py"
PAGE = REPO_ROOT / "pages" / "playground.py"
BUDGET_MS = 50.0
EDITED_COLUMN = "c0"  # the logits editor keys class columns by position: c0 is "cat"
FIRST_RUN_TIMEOUT_S = 120  # the first run imports torch; a busy machine may take a while
PROFILE_LINES = 12

# What a rerun spends its time on: cumulative cProfile time of these functions, which do not call
# one another (a table's Styler is only described by xentui.playground.tables; st.dataframe
# renders it).
# Functions defined in the page scripts cannot be used: every run compiles them anew, and pstats
# keeps one entry per (file, line, name), so all runs but one would be lost.
BUCKETS: list[tuple[str, str, tuple[str, ...]]] = [
    ("read + magic + compile scripts (AppTest only)", "scriptrunner/script_cache.py",
     ("get_bytecode",)),
    ("st.data_editor ×2", "elements/widgets/data_editor.py", ("data_editor",)),
    ("read the editors", "xentui/playground/editor.py", ("read_classes", "read_scenario")),
    ("analyse()", "xentui/domain/results.py", ("analyse",)),
    ("share link (encode, query params)", "xentui/session/playground.py", ("sync_link",)),
    ("build tables (frames, Styler)", "xentui/playground/tables.py",
     ("probabilities_frame", "breakdown_frame")),
    ("st.dataframe ×2 (Arrow, Styler render)", "streamlit/elements/arrow.py", ("dataframe",)),
    ("build figures (Plotly objects)", "xentui/playground/figures.py",
     ("loss_matrix_figure", "loss_curve_figure")),
    ("st.plotly_chart ×2 (figure to JSON)", "streamlit/elements/plotly_chart.py",
     ("plotly_chart",)),
    ("torch cross-check ×2", "xentcore/torch_check.py", ("torch_cross_entropy",)),
    ("torch_code()", "xentui/domain/torch_code.py", ("torch_code",)),
]  # fmt: skip
# The script thread's entry point: its cumulative time is the whole profiled rerun.
THREAD_ENTRY = ("testing/v1/local_script_runner.py", "_run_script_thread")


# ---------------------------------------------------------------------------------- the app


def edited_value(index: int) -> str:
    """The text typed by edit number `index`: 1.125, 1.25, … — never 1, the default."""
    return f"{1 + (index + 1) / 8:g}"


def edited_scenario(text: str) -> Scenario:
    logits = ((float(text), *DEFAULT_SCENARIO.logits[0][1:]), *DEFAULT_SCENARIO.logits[1:])
    return dataclasses.replace(DEFAULT_SCENARIO, logits=logits)


class Playground:
    """One AppTest session of the Playground, edited and rerun; checks every run it times."""

    def __init__(self) -> None:
        self.at = AppTest.from_file(str(APP), default_timeout=FIRST_RUN_TIMEOUT_S)
        self.edits = 0
        self.shown = DEFAULT_SCENARIO

    def edit_and_rerun(self) -> float:
        text = edited_value(self.edits)
        self.edits += 1
        key = "logits_editor_" + str(self.at.session_state["logits_version"])
        self.at.session_state[key] = {
            "edited_rows": {0: {EDITED_COLUMN: text}},
            "added_rows": [],
            "deleted_rows": [],
        }
        self.shown = edited_scenario(text)
        return self.rerun()

    def rerun(self) -> float:
        start = time.perf_counter()
        self.at.run()
        elapsed = time.perf_counter() - start
        self._check()
        return elapsed

    def _check(self) -> None:
        """The run must have shown the expected loss: a timing of a broken page means nothing."""
        if self.at.exception:
            raise RuntimeError(f"the Playground raised: {self.at.exception[0].value}")
        expected = fmt(float(xentcore.cross_entropy(**loss_arguments(self.shown))))
        shown = self.at.metric[0].value
        if shown != expected:
            raise RuntimeError(f"the Playground shows loss {shown}; expected {expected}")


def in_fresh_thread(call: Callable[[], object]) -> Callable[[], float]:
    """A timer of `call` run in a new thread, like each script run (timed inside the thread)."""

    def timed() -> float:
        elapsed: list[float] = []

        def body() -> None:
            start = time.perf_counter()
            call()
            elapsed.append(time.perf_counter() - start)

        thread = threading.Thread(target=body)
        thread.start()
        thread.join()
        return elapsed[0]

    return timed


def torch_check(scenario: Scenario) -> None:
    """What the page asks of PyTorch on every rerun."""
    xentcore.torch_cross_entropy(**loss_arguments(scenario), reduction="mean")
    xentcore.torch_cross_entropy(**loss_arguments(scenario), reduction="none")


# --------------------------------------------------------------------------------- measuring


def measure(app: Playground, rounds: int) -> dict[str, list[float]]:
    """Per-call seconds of every contender, one call each per round, in a rotating order."""
    contenders: dict[str, Callable[[], float]] = {
        "rerun after one edit": app.edit_and_rerun,
        "rerun, no edit": app.rerun,
        "analyse(), uncached": _measure.timer(lambda: analyse.__wrapped__(app.shown)),
        "torch cross-check ×2, fresh thread": in_fresh_thread(lambda: torch_check(app.shown)),
        "compile both scripts (AppTest only)": _measure.compile_timer(APP, PAGE),
    }
    return _measure.interleaved(contenders, rounds)


def percentile(seconds: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `fraction` of values ≤ it."""
    ordered = sorted(seconds)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def format_table(times: dict[str, list[float]]) -> list[str]:
    reference = statistics.median(times["rerun after one edit"])
    lines = [
        f"{'':40} {'median':>8} {'p90':>8} {'min':>8} {'max':>8}  {'× edit rerun':>12}",
        f"{'':40} {'ms':>8} {'ms':>8} {'ms':>8} {'ms':>8}",
    ]
    for name, seconds in times.items():
        median = statistics.median(seconds)
        cells = [median, percentile(seconds, 0.9), min(seconds), max(seconds)]
        lines.append(
            f"{name:40} "
            + " ".join(f"{v * 1e3:8.2f}" for v in cells)
            + f"  {median / reference:12.3f}"
        )
    return lines


# --------------------------------------------------------------------------------- profiling


def _cumulative(entries: dict, path: str, functions: tuple[str, ...]) -> float:
    return sum(
        entry[3]
        for (file, _, function), entry in entries.items()
        if file.replace(os.sep, "/").endswith(path) and function in functions
    )


def format_profile(stats: pstats.Stats, reruns: int) -> list[str]:
    entries = stats.stats  # {(file, line, function): (calls, primitive, own s, cumulative s, …)}
    total = _cumulative(entries, THREAD_ENTRY[0], THREAD_ENTRY[1:])
    per_run = 1e3 / reruns
    lines = [
        f"Where a rerun after one edit spends its time: cProfile of the script thread over "
        f"{reruns} reruns, {total * per_run:.1f} ms per rerun under the profiler (which inflates "
        "Python-heavy code more than C code: read the shares).",
        f"  {'':44} {'ms/rerun':>9} {'share':>6}",
    ]
    counted = 0.0
    for label, path, functions in BUCKETS:
        cumulative = _cumulative(entries, path, functions)
        counted += cumulative
        lines.append(f"  {label:44} {cumulative * per_run:9.2f} {cumulative / total:6.0%}")
    rest, label = total - counted, "everything else (other elements, runner)"
    lines.append(f"  {label:44} {rest * per_run:9.2f} {rest / total:6.0%}")
    lines += ["", f"  Top {PROFILE_LINES} functions by own time:"]
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)
    for (file, line, function), (_, calls, own, _, _) in ranked[:PROFILE_LINES]:
        where = function if file == "~" else f"{_short(file)}:{line} {function}"
        lines.append(f"  {own * per_run:7.2f} ms/rerun {calls / reruns:8.0f} calls/rerun  {where}")
    return lines


def _short(file: str) -> str:
    parts = Path(file).parts
    for anchor in ("site-packages", "lib"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor) + 1 :])
    return str(Path(file).relative_to(REPO_ROOT)) if file.startswith(str(REPO_ROOT)) else file


# ------------------------------------------------------------------------------------- main


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reruns", type=int, default=20, help="timed rounds: reruns after an edit (default 20)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile even when the median is within budget"
    )
    options = parser.parse_args(argv)
    if options.reruns < 1:
        parser.error(f"--reruns must be at least 1; got {options.reruns}")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    print(_measure.apptest_banner("Playground reruns", options.reruns), flush=True)
    app = Playground()
    warm_up = app.rerun()
    print(f"first run (imports, torch, first figures; not in the table): {warm_up * 1e3:.0f} ms\n")

    times, busy = _measure.measured_beside_others(lambda: measure(app, options.reruns))
    print("\n".join(format_table(times)))
    compile_median = statistics.median(times["compile both scripts (AppTest only)"])
    edit_median = statistics.median(times["rerun after one edit"])
    print(
        f"\n{busy}\nA live server caches the scripts' bytecode: its rerun after one edit is about "
        f"{(edit_median - compile_median) * 1e3:.1f} ms (median edit rerun − median compile)."
    )

    over = edit_median * 1e3 > BUDGET_MS
    verdict = "FAIL" if over else "PASS"
    print(
        f"\nVERDICT median rerun after one edit: {edit_median * 1e3:.1f} ms "
        f"(budget {BUDGET_MS:.0f} ms) {verdict}"
    )
    if over or options.profile:
        print()
        stats = _measure.profile_script_thread(app.edit_and_rerun, options.reruns)
        print("\n".join(format_profile(stats, options.reruns)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
