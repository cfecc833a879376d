"""Timing and memory helpers shared by the scripts in benchmarks/.

Timing
    `time_in_passes` times each contender's repeats as blocks of consecutive calls, spread over a
    few passes through all contenders. The passes matter on a shared machine: when it slows down
    for a while (another tenant, a busy neighbour), each contender has blocks before and after, so
    the medians, and their *ratios*, hold up even when absolute times drift. The blocks matter on
    few cores: alternating call by call is not how any of these functions is used, and it charges
    each call for the previous library's threads (PyTorch's OpenMP team falls asleep behind a
    single-threaded NumPy call and must be woken; OpenBLAS workers may still be spinning).

Memory
    `peak_rss_growth` measures the resident-set high-water mark of *this process* during one call,
    which sees every allocation — NumPy's, PyTorch's, BLAS's, other threads' — unlike tracemalloc,
    which only sees allocations reported to Python (NumPy's, not PyTorch's). Use it in a fresh
    process started with `ALLOCATOR_ENV`, after one warm-up call, so that:

    - the inputs are already resident (created before the baseline) and count in the baseline;
    - code pages of the libraries and one-time pools (thread stacks) were faulted in by the warm-up,
      so they are not mistaken for the call's working memory;
    - memory freed by the warm-up really went back to the kernel (see `ALLOCATOR_ENV`), so the
      measured call cannot quietly reuse it and look smaller than it is.

    `traced_peak` is the tracemalloc figure, a cross-check for code whose memory is NumPy arrays.

AppTest reruns
    The page benchmarks time whole reruns of the app through Streamlit's AppTest, in rounds
    (`interleaved`) whose rotating order makes a busy machine slow every contender alike;
    `measured_beside_others` says how busy the machine was meanwhile, and
    `profile_script_thread` runs cProfile inside the thread where AppTest runs each script.

Linux only (/proc/self/status, /proc/self/clear_refs and /proc/stat).
"""

from __future__ import annotations

import cProfile
import gc
import logging
import os
import platform
import pstats
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

MIB = 1 << 20

# glibc keeps freed heap memory for reuse and, after the first large free, raises its mmap
# threshold (up to 32 MiB), so temporaries up to that size land on a heap that is never given
# back. A warm-up call would then leave resident memory behind that the measured call reuses, and
# the measured peak would be too small. A fixed threshold (which also turns off the dynamic
# adjustment) makes every allocation of 64 KiB or more its own mmap, returned on free; a zero trim
# threshold returns a freed heap top at once. This changes where memory comes from, not how much a
# call needs.
ALLOCATOR_ENV = {"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "0"}


# ---------------------------------------------------------------------------------------- timing


def time_in_passes(
    calls: dict[str, Callable[[], object]], repeats: dict[str, int], passes: int = 3
) -> dict[str, list[float]]:
    """Per-call wall times in seconds (time.perf_counter): each contender's repeats in a few passes.

    In each pass every contender runs a block of consecutive calls, its share of its repeats; the
    order of the contenders rotates from pass to pass.
    """
    names = list(calls)
    times: dict[str, list[float]] = {name: [] for name in names}
    # As timeit does: otherwise a collection, triggered by the garbage of earlier calls, can land
    # inside any timed call and be charged to it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for pass_index in range(passes):
            shift = pass_index % len(names)
            for name in names[shift:] + names[:shift]:
                # Pass p brings the count to (p + 1)/passes of the repeats: an even spread.
                block = (pass_index + 1) * repeats[name] // passes - len(times[name])
                call = calls[name]
                for _ in range(block):
                    start = time.perf_counter()
                    call()
                    times[name].append(time.perf_counter() - start)
    finally:
        if collecting:
            gc.enable()
    return times


def timed_call(call: Callable[[], object]) -> tuple[object, float]:
    """Call once and return (result, seconds) — used for the warm-up."""
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def repeats_for(warm_seconds: float, budget_seconds: float, least: int, most: int) -> int:
    """As many repeats as fit in the budget, judged by the warm-up call, within [least, most]."""
    fitting = int(budget_seconds / max(warm_seconds, 1e-9))
    return max(least, min(most, fitting))


def summarize(seconds: list[float]) -> tuple[float, float]:
    """(median, min) in milliseconds."""
    return statistics.median(seconds) * 1e3, min(seconds) * 1e3


# ---------------------------------------------------------------------------------------- memory


def _status_kib(field: str) -> int:
    """A `VmRSS:`-style line of /proc/self/status, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field} line")


def reset_peak_rss() -> None:
    """Set the high-water mark VmHWM back to the current RSS (Linux ≥ 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_growth(call: Callable[[], object]) -> tuple[object, int]:
    """Call once; return (result, bytes by which the peak RSS rose above the RSS just before)."""
    reset_peak_rss()
    baseline_kib = _status_kib("VmRSS")
    result = call()
    return result, (_status_kib("VmHWM") - baseline_kib) * 1024


def traced_peak(call: Callable[[], object]) -> tuple[object, int]:
    """Call once under tracemalloc; return (result, peak bytes traced during the call)."""
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def available_memory_bytes() -> int:
    """MemAvailable from /proc/meminfo: what can be allocated without swapping."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("/proc/meminfo has no MemAvailable line")


# ------------------------------------------------------------------------------------ machine load


def cpu_seconds() -> tuple[float, float]:
    """(busy CPU seconds of the whole machine since boot, CPU seconds used by this process)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    ticks = os.sysconf("SC_CLK_TCK")
    own = os.times()
    return (user + nice + system + irq + softirq + steal) / ticks, own.user + own.system


def cpus_busy_elsewhere(
    before: tuple[float, float], after: tuple[float, float], wall: float
) -> float:
    """How many CPUs other processes kept busy, on average, between two `cpu_seconds` readings.

    A benchmark that shares its cores with other work is slowed unevenly; printing this beside
    the figures says how much to trust them.
    """
    machine = after[0] - before[0]
    mine = after[1] - before[1]
    return max(0.0, machine - mine) / max(wall, 1e-9)


def measured_beside_others(measure: Callable[[], T]) -> tuple[T, str]:
    """Run `measure`; return its result and a line saying how many CPUs others kept busy."""
    before, wall_before = cpu_seconds(), time.perf_counter()
    result = measure()
    busy = cpus_busy_elsewhere(before, cpu_seconds(), time.perf_counter() - wall_before)
    return (
        result,
        f"other processes kept {busy:.1f} of {os.cpu_count()} CPUs busy while this was timed.",
    )


# ---------------------------------------------------------------------------------- AppTest reruns


def timer(call: Callable[[], object]) -> Callable[[], float]:
    """A function that calls `call` once and returns the seconds it took."""

    def timed() -> float:
        start = time.perf_counter()
        call()
        return time.perf_counter() - start

    return timed


def interleaved(timers: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Seconds per call of every contender: one call each per round, in a rotating order."""
    names = list(timers)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(timers[name]())
    return times


def apptest_banner(what: str, rounds: int) -> str:
    """The first line of a page benchmark: what runs, on which versions, how many rounds.

    Also silences the warning Streamlit logs each time session state is set from outside a
    script run, which is how AppTest edits a widget.
    """
    import streamlit

    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "missing ScriptRunContext" not in record.getMessage()
    )
    return (
        f"{what} through AppTest: python {platform.python_version()}, streamlit "
        f"{streamlit.__version__}, {os.cpu_count()} CPUs, {rounds} rounds"
    )


def compile_timer(*scripts: Path) -> Callable[[], float]:
    """Time AppTest's per-run cost of reading, rewriting ("magic") and compiling the scripts.

    AppTest makes a new script cache for every run; a live server keeps the bytecode, so this
    share of an AppTest rerun is not the server's.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache

    def compile_all() -> None:
        cache = ScriptCache()  # a new one per run, as AppTest does
        for script in scripts:
            cache.get_bytecode(str(script))

    return timer(compile_all)


def profile_script_thread(rerun: Callable[[], object], reruns: int) -> pstats.Stats:
    """cProfile of the script thread during `reruns` calls of `rerun`.

    cProfile sees only the thread that enables it, and AppTest runs each script in a new thread,
    so the profiler is switched on inside that thread by wrapping its entry point.
    """
    from streamlit.testing.v1 import local_script_runner

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
            rerun()
    finally:
        runner._run_script_thread = original
    return pstats.Stats(profiler)
