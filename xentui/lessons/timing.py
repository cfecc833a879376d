"""Timing the four implementations live, at a size the user picks, within a second per run.

The data are seeded random logits (N × C, float32) and uniform class targets. The three
probability forms start from P = softmax(logits), made before the clock starts; PyTorch starts from
the logits, so its time includes its softmax. Each implementation is called until it has used
`_BUDGET_SECONDS` or `_MOST_REPEATS` calls, and the fastest call is reported (the least disturbed
by whatever else the machine is doing). Two of them decline sizes they cannot do in a second.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

import xentcore

__all__ = [
    "LOOP_MAX_TERMS",
    "MAX_TIMING_ELEMENTS",
    "TIMING_SIZES",
    "Timing",
    "decline_reason",
    "size_problem",
    "time_implementations",
    "timings_frame",
]

TIMING_SIZES = (10, 100, 1_000, 2_000, 10_000, 100_000, 1_000_000)
# CPython takes about 1 µs per term of the loop on these machines: 300 000 terms ≈ 0.3 s a call.
LOOP_MAX_TERMS = 300_000
# The run holds several N × C float32 arrays at once (logits, P, temporaries): 4 M elements keep
# each at 16 MB, and the largest run under a second.
MAX_TIMING_ELEMENTS = 4_000_000
_BUDGET_SECONDS = 0.08
_MOST_REPEATS = 5
_SEED = 0

LOOP, DOT, KERNEL, TORCH = (
    "Loop",
    "Dot product (N × N)",
    "Vectorised kernel",
    "PyTorch",
)


@dataclass(frozen=True)
class Timing:
    name: str
    value: float | None = None  # the mean loss it computed
    seconds: float | None = None  # its fastest call
    calls: int = 0
    declined: str | None = None  # why it sat this size out


def size_problem(n: int, c: int) -> str | None:
    """Why no implementation is timed at N × C, or None when the size is fine."""
    if n * c > MAX_TIMING_ELEMENTS:
        return (
            f"N × C = {n:,} × {c} = {n * c:,} numbers is more than this live demo times "
            f"({MAX_TIMING_ELEMENTS:,}); pick a smaller N."
        )
    return None


def decline_reason(name: str, n: int, c: int) -> str | None:
    """Why `name` sits size N × C out: N × N memory for the dot product, loop time for the loop."""
    if name == DOT and n > xentcore.MAX_LOSS_MATRIX_ROWS:
        mib = n * n * 8 / 2**20
        return (
            f"Y · (−log P)ᵀ is N × N: at N = {n:,} it needs {mib:,.0f} MiB of float64 to keep "
            f"{n:,} diagonal numbers (xentcore refuses N above {xentcore.MAX_LOSS_MATRIX_ROWS:,})."
        )
    if name == LOOP and n * c > LOOP_MAX_TERMS:
        return (
            f"The loop visits N × C = {n * c:,} terms one Python step at a time — about "
            f"{n * c / 1e6:,.1f} s at ~1 µs a step; it sits out sizes above "
            f"{LOOP_MAX_TERMS:,} terms."
        )
    return None


def _best_of(call: Callable[[], object]) -> tuple[float, float, int]:
    """(result, fastest seconds, calls): call until the budget or the repeat limit is used."""
    spent, best, calls, result = 0.0, float("inf"), 0, None
    while calls < _MOST_REPEATS and (calls == 0 or spent < _BUDGET_SECONDS):
        start = time.perf_counter()
        result = call()
        elapsed = time.perf_counter() - start
        spent, best, calls = spent + elapsed, min(best, elapsed), calls + 1
    return float(result), best, calls


def _warm_up() -> None:
    """Call each implementation once on a tiny input: PyTorch's and BLAS's first calls carry
    one-time set-up costs (tens of ms) that belong to no size."""
    logits = np.zeros((4, 3), dtype=np.float32)
    targets = np.arange(4) % 3
    probs = xentcore.softmax(logits)
    xentcore.categorical_cross_entropy_loop(targets, probs)
    xentcore.categorical_cross_entropy_diagonal(targets, probs)
    xentcore.categorical_cross_entropy(targets, probs)
    if xentcore.torch_available():
        xentcore.torch_cross_entropy(logits, targets)


def time_implementations(n: int, c: int) -> list[Timing]:
    """Time the four implementations on seeded N × C data; [] when the size itself is refused."""
    if size_problem(n, c) is not None:
        return []
    rng = np.random.default_rng(_SEED)
    logits = rng.normal(0.0, 2.0, size=(n, c)).astype(np.float32)
    targets = rng.integers(0, c, size=n)
    probs = xentcore.softmax(logits)
    calls: dict[str, Callable[[], object]] = {
        LOOP: lambda: xentcore.categorical_cross_entropy_loop(targets, probs),
        DOT: lambda: xentcore.categorical_cross_entropy_diagonal(targets, probs),
        KERNEL: lambda: xentcore.categorical_cross_entropy(targets, probs),
    }
    if xentcore.torch_available():
        calls[TORCH] = lambda: xentcore.torch_cross_entropy(logits, targets)
    _warm_up()
    timings = []
    collecting = gc.isenabled()
    gc.disable()  # a collection triggered by earlier garbage would be charged to whoever runs
    try:
        for name in (LOOP, DOT, KERNEL, TORCH):
            reason = decline_reason(name, n, c)
            if name not in calls:
                timings.append(Timing(name, declined="PyTorch is not installed here."))
            elif reason:
                timings.append(Timing(name, declined=reason))
            else:
                value, seconds, count = _best_of(calls[name])
                timings.append(Timing(name, value, seconds, count))
    finally:
        if collecting:
            gc.enable()
    return timings


def timings_frame(timings: list[Timing]) -> pd.DataFrame:
    """A row per implementation: its loss, fastest time, how many times the kernel's, or why not."""
    kernel = next((t.seconds for t in timings if t.name == KERNEL and t.seconds), None)
    rows = []
    for t in timings:
        ran = t.seconds is not None
        rows.append(
            {
                "implementation": t.name,
                "mean loss": t.value if ran else None,
                "fastest call (ms)": t.seconds * 1e3 if ran else None,
                "× the kernel's time": t.seconds / kernel if ran and kernel else None,
                "calls": t.calls if ran else None,
                "note": t.declined or "",
            }
        )
    return pd.DataFrame(rows)
