"""How fast, and in how much memory, is `xentcore.cross_entropy` beside its peers?

Run from the repository root:

    python benchmarks/bench_core.py            # the acceptance run (3 runs), ~4 minutes on 2 cores
    python benchmarks/bench_core.py --quick    # smoke test: small sizes, 1 run, memory at the last
    python benchmarks/bench_core.py --sizes 1000x10 100000x1000 --repeats 9 --runs 5

For each size N × C (float32 logits from a seeded generator, int64 targets drawn uniformly) and for
reduction "none" and "mean" it measures, in the same run:

- xentcore.cross_entropy;
- torch.nn.functional.cross_entropy with torch.set_num_threads(2), on tensors made by
  torch.from_numpy before timing (no copy);
- the plain NumPy a user would write: x − max, exp, sum, log, gather;
- sklearn.metrics.log_loss on softmax probabilities computed before timing ("mean" only, since it
  has no per-sample form), skipped where its estimated time or memory is too large;
- reading the logits once (np.add.reduce on one thread, torch.sum on two): the memory-bandwidth
  floor that no method which reads every logit can beat;
- np.exp of every logit once, on one thread: what any NumPy method pays for the exponentials
  alone (log-sum-exp needs one per logit), the floor of a NumPy core on one core.

How to read a table
    "median ms" and "min ms" come from a warm-up call and then several repeats, run as blocks of
    consecutive calls spread over three passes through the methods (see benchmarks/_measure.py).
    "× torch" is the median over torch's median for the same reduction (below 1 is faster than
    torch); "× floor" is the median over the faster read-once median.
    "extra MiB" is the peak memory a call needs beyond its inputs and its output. "RSS" is
    measured for every method in a fresh process (see `measure_memory_in_child`); "tracemalloc" is
    a cross-check for the NumPy-based methods only (it cannot see PyTorch's allocations), taken on
    the process's first call, so it also counts one-time caches that outlive the call, such as
    xentcore's per-thread scratch blocks.
    Under each table, how many CPUs other processes kept busy while it was timed: on 2 cores, a
    busy neighbour slows the 2-thread methods (torch, and xentcore on large inputs) the most.

The whole timing pass over every size is repeated `--runs` times (3 by default: on a shared
machine one run can land beside a busy neighbour); memory, which does not vary, is measured in the
first run, and so is scikit-learn, a reference only. A summary gives xentcore / torch in each run,
of the medians and of the minimums (the quietest calls, nearest to a machine of one's own), with
the load of the machine; then lines starting with "VERDICT" give the acceptance result: at every
size and reduction, the median over the runs of the medians' ratio (≤ 1 to pass), its range and
the minimums' ratio, and xentcore's extra memory at 100 000 × 1 000 against the 64 MiB budget.
The script exits 0 either way: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path

import numpy as np

# `python benchmarks/bench_core.py` puts benchmarks/ on sys.path (hence `import _measure`), not the
# repository root; put the root first so that the working copy of xentcore is the one measured.
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import _measure  # noqa: E402

import xentcore  # noqa: E402

SEED = 0
TORCH_THREADS = 2
REDUCTIONS = ("none", "mean")
DEFAULT_SIZES = ((2, 3), (1_000, 10), (10_000, 100), (1_000_000, 10), (100_000, 1_000))
QUICK_SIZES = ((2, 3), (1_000, 10), (10_000, 100))

# The acceptance check of the core issue.
VERDICT_SIZE = (100_000, 1_000)
MEMORY_BUDGET_MIB = 64

# Results agree when np.allclose(xentcore, torch, rtol, atol): float32 sums of up to 1 000 terms
# in a different order differ by a few ulps of the log-sum-exp (≈ 1e-7 relative).
RTOL, ATOL = 1e-5, 1e-6

# Repeats: as many as fit in a time budget per method and reduction, judged by the warm-up call.
# Small sizes thus get many repeats, the largest a few.
BUDGET_SECONDS = {"default": 0.35, "quick": 0.1}
LEAST_REPEATS, MOST_REPEATS = 3, 1000

# scikit-learn's log_loss is skipped where one call is expected to need more than this long...
SKLEARN_MAX_SECONDS = 10.0
# ...or more than this share of the memory available when the size starts (the inputs and the
# softmax probabilities it is given come on top).
SKLEARN_MAX_MEMORY_SHARE = 0.5
# Until this run has measured it on at least a million elements, its cost per element is
# estimated from the figures quoted in the issue: 3.2 s and +2.7 GiB at 100 000 × 1 000.
SKLEARN_ISSUE_RATES = (3.2 / 1e8, 2.7 * 2**30 / 1e8)  # (seconds, bytes) per element
SKLEARN_RATE_MIN_ELEMENTS = 1_000_000


# -------------------------------------------------------------------------------------- contenders


@dataclass(frozen=True)
class Contender:
    """One method under test.

    `prepare` builds its arguments from the logits and targets, outside the timed region;
    `run(arguments, reduction)` is the timed call. `numpy_only` says whether all of its memory
    is visible to tracemalloc; `floor` marks the read-once reference rows (not measured for memory).
    """

    label: str
    reductions: tuple[str, ...]
    prepare: Callable[[np.ndarray, np.ndarray], tuple]
    run: Callable[[tuple, str], object]
    numpy_only: bool = True
    floor: bool = False


@cache
def _torch():
    """torch, with its thread count set once.

    Imported on first use so that the memory subprocesses of NumPy methods do not load it; cached
    because torch.set_num_threads is not free and must stay out of the timed calls.
    """
    import torch

    torch.set_num_threads(TORCH_THREADS)
    return torch


def _xentcore_run(arguments: tuple, reduction: str) -> np.ndarray:
    logits, target = arguments
    return xentcore.cross_entropy(logits, target, reduction=reduction)


def _torch_prepare(logits: np.ndarray, target: np.ndarray) -> tuple:
    torch = _torch()
    return torch.from_numpy(logits), torch.from_numpy(target)


def _torch_run(arguments: tuple, reduction: str) -> object:
    logits, target = arguments
    return _torch().nn.functional.cross_entropy(logits, target, reduction=reduction)


def plain_numpy_cross_entropy(logits: np.ndarray, target: np.ndarray, reduction: str) -> object:
    """The obvious vectorised version: log-softmax over whole arrays, then gather."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    losses = -np.take_along_axis(log_probs, target[:, None], axis=1)[:, 0]
    return losses if reduction == "none" else losses.mean()


def _plain_numpy_run(arguments: tuple, reduction: str) -> object:
    logits, target = arguments
    return plain_numpy_cross_entropy(logits, target, reduction)


def _softmax(logits: np.ndarray) -> np.ndarray:
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return probabilities


def _sklearn_prepare(logits: np.ndarray, target: np.ndarray) -> tuple:
    # The labels are passed explicitly: at small N not every class occurs among the targets.
    return target, _softmax(logits), np.arange(logits.shape[1])


def _sklearn_run(arguments: tuple, reduction: str) -> object:
    from sklearn.metrics import log_loss

    target, probabilities, labels = arguments
    return log_loss(target, probabilities, labels=labels)


def _read_numpy_run(arguments: tuple, reduction: str) -> object:
    return np.add.reduce(arguments[0], axis=None)


def _read_torch_run(arguments: tuple, reduction: str) -> object:
    return arguments[0].sum()


def _exp_numpy_run(arguments: tuple, reduction: str) -> object:
    logits, out = arguments
    return np.exp(logits, out=out)


CONTENDERS = {
    "xentcore": Contender("xentcore.cross_entropy", REDUCTIONS, lambda x, t: (x, t), _xentcore_run),
    "torch": Contender(
        f"torch F.cross_entropy ({TORCH_THREADS} threads)",
        REDUCTIONS,
        _torch_prepare,
        _torch_run,
        numpy_only=False,
    ),
    "numpy": Contender(
        "NumPy plain log-softmax", REDUCTIONS, lambda x, t: (x, t), _plain_numpy_run
    ),
    "sklearn": Contender("sklearn log_loss (on probs)", ("mean",), _sklearn_prepare, _sklearn_run),
    "read_numpy": Contender(
        "read once: np.add.reduce (1 thread)",
        REDUCTIONS,
        lambda x, t: (x,),
        _read_numpy_run,
        floor=True,
    ),
    "read_torch": Contender(
        f"read once: torch sum ({TORCH_THREADS} threads)",
        REDUCTIONS,
        lambda x, t: (_torch().from_numpy(x),),
        _read_torch_run,
        numpy_only=False,
        floor=True,
    ),
    "exp_numpy": Contender(
        "exp once: np.exp (1 thread)",
        REDUCTIONS,
        lambda x, t: (x, np.empty_like(x)),
        _exp_numpy_run,
        floor=True,
    ),
}


def make_inputs(n: int, c: int) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal float32 logits (N, C) and uniform int64 targets (N,), from SEED."""
    rng = np.random.default_rng(SEED)
    return rng.standard_normal((n, c), dtype=np.float32), rng.integers(0, c, size=n)


def as_numpy(result: object) -> np.ndarray:
    return result.numpy() if hasattr(result, "numpy") else np.asarray(result)


def output_nbytes(result: object) -> int:
    # numpy arrays and torch tensors both have .nbytes; log_loss returns a Python float.
    return int(getattr(result, "nbytes", 0))


# ------------------------------------------------------------------------------------- measurement


@dataclass
class Row:
    """What was measured for one contender at one size and reduction."""

    median_ms: float | None = None
    min_ms: float | None = None
    repeats: int = 0
    rss_extra: int | None = None
    traced_extra: int | None = None
    skipped: str | None = None


@dataclass
class SizeResult:
    n: int
    c: int
    rows: dict[str, dict[str, Row]] = field(default_factory=dict)  # reduction -> name -> Row
    compared: list[str] = field(default_factory=list)  # labels checked against torch
    mismatches: list[str] = field(default_factory=list)
    largest_difference: float = 0.0
    cpus_busy_elsewhere: float = 0.0  # during the timing, on average


def measure_memory_in_child(name: str, reduction: str, n: int, c: int) -> dict[str, int | None]:
    """Peak extra memory of one call, measured in this (fresh) process; see `run_memory_child`.

    Why this is right:
    - A fresh process holds nothing from other methods or sizes.
    - The inputs are created, and written (so every page is resident), before the baseline; so are
      derived inputs such as torch's from_numpy views (no copy) or log_loss's probabilities.
    - A call on a 2 × 3 input first loads whatever the method imports lazily (log_loss pulls in
      SciPy modules on first use), which is neither working memory nor proportional to the input.
    - A warm-up call at the real size then faults in library code and thread pools, which are not
      working memory either; the process runs with `_measure.ALLOCATOR_ENV`, so whatever the
      warm-up freed went back to the kernel and cannot hide the measured call's allocations.
    - Peak RSS growth counts every allocation, whoever makes it (NumPy, PyTorch, BLAS, threads).
      The output is alive at the end of the call, so its size is inside the growth; it is
      subtracted explicitly to leave the *extra* memory.
    For NumPy-based methods the warm-up call runs under tracemalloc, giving a second, independent
    figure (peak traced bytes minus the output).
    """
    contender = CONTENDERS[name]
    contender.run(contender.prepare(*make_inputs(2, 3)), reduction)
    arguments = contender.prepare(*make_inputs(n, c))
    call = partial(contender.run, arguments, reduction)
    traced_extra = None
    if contender.numpy_only:
        result, traced_peak = _measure.traced_peak(call)
        traced_extra = traced_peak - output_nbytes(result)
    else:
        result = call()
    del result
    gc.collect()
    result, growth = _measure.peak_rss_growth(call)
    # Clamped at 0: a tiny output can land in heap pages that were already resident.
    rss_extra = max(0, growth - output_nbytes(result))
    return {"rss_extra": rss_extra, "traced_extra": traced_extra}


def run_memory_child(name: str, reduction: str, n: int, c: int) -> dict[str, int | None]:
    """Run `measure_memory_in_child` in a new Python process and return what it reports."""
    command = [sys.executable, __file__, "--memory-child", name, reduction, str(n), str(c)]
    environment = {**os.environ, **_measure.ALLOCATOR_ENV}
    completed = subprocess.run(
        command, env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"memory subprocess {command[2:]} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def sklearn_skip_reason(elements: int, rates: tuple[float, float], memory_limit: int) -> str | None:
    """Why log_loss is skipped at this many elements, or None to run it."""
    seconds, extra_bytes = elements * rates[0], elements * rates[1]
    if seconds > SKLEARN_MAX_SECONDS:
        return f"skipped (estimated {seconds:.0f} s per call > {SKLEARN_MAX_SECONDS:.0f} s)"
    if extra_bytes > memory_limit:
        return (
            f"skipped (estimated +{extra_bytes / 2**30:.1f} GiB > {memory_limit / 2**30:.1f} GiB, "
            f"{SKLEARN_MAX_MEMORY_SHARE:.0%} of available memory)"
        )
    return None


def time_reduction(
    arguments: dict[str, tuple], reduction: str, budget: float, fixed_repeats: int | None
) -> tuple[dict[str, Row], dict[str, object]]:
    """Time every prepared contender for one reduction; also return the warm-up results."""
    calls = {
        name: partial(CONTENDERS[name].run, args, reduction)
        for name, args in arguments.items()
        if reduction in CONTENDERS[name].reductions
    }
    results, repeats = {}, {}
    for name, call in calls.items():
        results[name], warm_seconds = _measure.timed_call(call)
        repeats[name] = fixed_repeats or _measure.repeats_for(
            warm_seconds, budget, LEAST_REPEATS, MOST_REPEATS
        )
    times = _measure.time_in_passes(calls, repeats)
    rows = {}
    for name, seconds in times.items():
        median_ms, min_ms = _measure.summarize(seconds)
        rows[name] = Row(median_ms, min_ms, len(seconds))
    return rows, results


def check_against_torch(result: SizeResult, reduction: str, outputs: dict[str, object]) -> None:
    """Record every method whose result is not np.allclose to torch's."""
    reference = as_numpy(outputs["torch"])
    for name, output in outputs.items():
        if name == "torch" or CONTENDERS[name].floor:
            continue
        if CONTENDERS[name].label not in result.compared:
            result.compared.append(CONTENDERS[name].label)
        values = as_numpy(output).astype(np.float64)
        difference = float(np.max(np.abs(values - reference), initial=0.0))
        result.largest_difference = max(result.largest_difference, difference)
        if not np.allclose(values, reference, rtol=RTOL, atol=ATOL):
            result.mismatches.append(
                f"{CONTENDERS[name].label} ({reduction!r}) differs from torch by up to "
                f"{difference:.3g}"
            )


def measure_size(
    n: int,
    c: int,
    budget: float,
    fixed_repeats: int | None,
    sklearn_rates: tuple[float, float] | None,
    with_memory: bool,
) -> SizeResult:
    """Time every contender at N × C (and measure its memory if asked).

    `sklearn_rates` None leaves log_loss out: it is a reference, timed in the first run only.
    """
    result = SizeResult(n, c)
    memory_limit = int(_measure.available_memory_bytes() * SKLEARN_MAX_MEMORY_SHARE)
    skip_sklearn = (
        "timed in the first run only"
        if sklearn_rates is None
        else sklearn_skip_reason(n * c, sklearn_rates, memory_limit)
    )

    logits, target = make_inputs(n, c)
    arguments = {
        name: contender.prepare(logits, target)
        for name, contender in CONTENDERS.items()
        if not (name == "sklearn" and skip_sklearn)
    }
    cpu_before, wall_before = _measure.cpu_seconds(), time.perf_counter()
    for reduction in REDUCTIONS:
        rows, outputs = time_reduction(arguments, reduction, budget, fixed_repeats)
        check_against_torch(result, reduction, outputs)
        if skip_sklearn and reduction in CONTENDERS["sklearn"].reductions:
            rows["sklearn"] = Row(skipped=skip_sklearn)
        result.rows[reduction] = rows
    result.cpus_busy_elsewhere = _measure.cpus_busy_elsewhere(
        cpu_before, _measure.cpu_seconds(), time.perf_counter() - wall_before
    )
    del arguments, logits, target, outputs
    gc.collect()

    # Memory runs after timing, never beside it; two subprocesses at a time (one per core) only
    # compete for CPU, which does not change how much memory each needs.
    jobs = [
        (name, reduction)
        for reduction, rows in result.rows.items()
        for name, row in rows.items()
        if with_memory and not CONTENDERS[name].floor and row.skipped is None
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = pool.map(lambda job: run_memory_child(job[0], job[1], n, c), jobs)
        for (name, reduction), report in zip(jobs, reports, strict=True):
            result.rows[reduction][name].rss_extra = report["rss_extra"]
            result.rows[reduction][name].traced_extra = report["traced_extra"]
    return result


def measured_sklearn_rates(result: SizeResult) -> tuple[float, float] | None:
    """(seconds, extra bytes) per element of log_loss at this size, if measured and large enough."""
    row = result.rows["mean"].get("sklearn")
    elements = result.n * result.c
    if row is None or row.skipped or elements < SKLEARN_RATE_MIN_ELEMENTS:
        return None
    return row.median_ms / 1e3 / elements, _largest_extra(row) / elements


# ----------------------------------------------------------------------------------------- report


def _mib(nbytes: int | None) -> str:
    return "-" if nbytes is None else f"{nbytes / 2**20:.1f}"


def _ms(milliseconds: float) -> str:
    return f"{milliseconds:.4f}" if milliseconds < 1 else f"{milliseconds:.1f}"


HEADER = (
    f"  {'method':<38}{'median ms':>11}{'min ms':>11}{'× torch':>9}{'× floor':>9}{'repeats':>9}"
    f"{'extra MiB':>11}{'extra MiB':>15}\n"
    f"  {'':<38}{'':>11}{'':>11}{'':>9}{'':>9}{'':>9}{'(RSS)':>11}{'(tracemalloc)':>15}"
)


def format_size(result: SizeResult) -> str:
    n, c = result.n, result.c
    lines = [
        "",
        f"=== {n:,} × {c:,}: logits {n * c * 4 / 2**20:.1f} MiB (float32), targets "
        f"{n * 8 / 2**20:.1f} MiB (int64); output of 'none' {n * 4 / 2**20:.1f} MiB ===",
    ]
    for reduction, rows in result.rows.items():
        torch_ms = rows["torch"].median_ms
        floor_ms = min(rows[name].median_ms for name in ("read_numpy", "read_torch"))
        lines += [f"reduction={reduction!r}", HEADER]
        for name, row in rows.items():
            label = CONTENDERS[name].label
            if row.skipped:
                lines.append(f"  {label:<38}{row.skipped}")
                continue
            lines.append(
                f"  {label:<38}{_ms(row.median_ms):>11}{_ms(row.min_ms):>11}"
                f"{row.median_ms / torch_ms:>9.2f}{row.median_ms / floor_ms:>9.1f}"
                f"{row.repeats:>9}{_mib(row.rss_extra):>11}{_mib(row.traced_extra):>15}"
            )
    lines.append(
        f"other processes kept {result.cpus_busy_elsewhere:.1f} of {os.cpu_count()} CPUs busy "
        "during this timing (the figures are noisier the higher this is)"
    )
    tolerance = f"np.allclose, rtol={RTOL:g}, atol={ATOL:g}"
    if result.mismatches:
        lines += [f"MISMATCH against torch ({tolerance}): {m}" for m in result.mismatches]
    else:
        lines.append(
            f"check: {', '.join(result.compared)} agree with torch ({tolerance}; largest "
            f"absolute difference {result.largest_difference:.2g})"
        )
    return "\n".join(lines)


def _pass(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _largest_extra(row: Row) -> int:
    return max(row.rss_extra or 0, row.traced_extra or 0)


def time_ratios(
    runs: list[list[SizeResult]], n: int, c: int, reduction: str, statistic: str = "median_ms"
) -> list[float]:
    """xentcore's median (or min) over torch's, at N × C and `reduction`, one per run."""
    ratios = []
    for run in runs:
        for result in run:
            if (result.n, result.c) == (n, c):
                rows = result.rows[reduction]
                mine, theirs = rows["xentcore"], rows["torch"]
                ratios.append(getattr(mine, statistic) / getattr(theirs, statistic))
    return ratios


def _median(values: list[float]) -> float:
    return float(np.median(values))


def _ratio(value: float) -> str:
    """Two decimals, or two significant digits below 0.1 (torch's medians can be 1000× off)."""
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def summary_lines(runs: list[list[SizeResult]]) -> list[str]:
    """Per size and reduction: xentcore / torch in every run, and the machine's load then."""
    lines = [
        f"xentcore / torch, in each of {len(runs)} run(s), of the medians and of the minimums "
        "(the quietest calls: what a machine with no neighbours would give):"
    ]
    for first in runs[0]:
        n, c = first.n, first.c
        for reduction in REDUCTIONS:
            ratios = time_ratios(runs, n, c, reduction)
            minimums = time_ratios(runs, n, c, reduction, "min_ms")
            lines.append(
                f"  {n:,}×{c:,} {reduction!r:>6}: "
                + " ".join(_ratio(r) for r in ratios)
                + f"  (median {_ratio(_median(ratios))}); of the minimums: "
                + " ".join(_ratio(r) for r in minimums)
            )
    busy = [max(result.cpus_busy_elsewhere for result in run) for run in runs]
    lines.append(
        "  other processes kept at most "
        + ", ".join(f"{b:.1f}" for b in busy)
        + f" of {os.cpu_count()} CPUs busy while a size was timed, run by run"
    )
    return lines


def verdict_lines(runs: list[list[SizeResult]]) -> list[str]:
    """The acceptance lines: time at every size and reduction, memory at VERDICT_SIZE."""
    lines = []
    for first in runs[0]:
        n, c = first.n, first.c
        for reduction in REDUCTIONS:
            ratios = time_ratios(runs, n, c, reduction)
            minimums = time_ratios(runs, n, c, reduction, "min_ms")
            ratio = _median(ratios)
            lines.append(
                f"VERDICT time {n:,}×{c:,} {reduction!r}: xentcore median / torch median = "
                f"{_ratio(ratio)} (≤ 1.00) {_pass(ratio <= 1)}; median of {len(ratios)} run(s), "
                f"range {_ratio(min(ratios))}–{_ratio(max(ratios))}; the minimums give "
                f"{_ratio(_median(minimums))}"
            )
    n, c = VERDICT_SIZE
    name = f"{n:,}×{c:,}"
    found = [r for r in runs[0] if (r.n, r.c) == VERDICT_SIZE]
    if not found:
        return [*lines, f"VERDICT memory not measured: {name} is not among this run's sizes"]
    result = found[0]
    xentcore_rows = {reduction: result.rows[reduction]["xentcore"] for reduction in REDUCTIONS}
    if any(row.rss_extra is None for row in xentcore_rows.values()):
        return [*lines, f"VERDICT memory not measured at {name} (run without --quick)"]
    # The larger of the two memory figures and of the two reductions: the budget is a ceiling.
    extras = {reduction: _largest_extra(row) for reduction, row in xentcore_rows.items()}
    torch_extra = max(_largest_extra(result.rows[r]["torch"]) for r in REDUCTIONS)
    lines.append(
        f"VERDICT memory {name}: xentcore peak extra "
        + ", ".join(f"{_mib(extras[r])} MiB ({r!r})" for r in REDUCTIONS)
        + f" (≤ {MEMORY_BUDGET_MIB} MiB) {_pass(max(extras.values()) <= MEMORY_BUDGET_MIB * 2**20)}"
        + f"; larger of RSS and tracemalloc; torch for comparison: {_mib(torch_extra)} MiB"
    )
    busy = [max(r.cpus_busy_elsewhere for r in run) for run in runs]
    lines.append(
        f"VERDICT context: other processes kept up to {max(busy):.1f} of {os.cpu_count()} CPUs "
        "busy while a size was timed"
    )
    return lines


def preamble(sizes: list[tuple[int, int]], budget: float, fixed_repeats: int | None) -> str:
    torch = _torch()
    repeats = (
        f"{fixed_repeats} per method"
        if fixed_repeats
        else f"as many as fit in {budget:g} s per method ({LEAST_REPEATS}-{MOST_REPEATS})"
    )
    return "\n".join(
        [
            "xentcore.cross_entropy benchmark (benchmarks/bench_core.py)",
            f"numpy {np.__version__}, torch {torch.__version__} with "
            f"torch.set_num_threads({torch.get_num_threads()}), CPUs {os.cpu_count()}, "
            # a private helper, read only to report the pool size the kernel will use
            f"xentcore thread pool {xentcore._pool.num_threads()} threads",
            f"sizes (N × C): {', '.join(f'{n:,}×{c:,}' for n, c in sizes)}; seed {SEED}",
            f"timing: one warm-up call, then {repeats}, in 3 passes; time.perf_counter",
            "memory: peak RSS growth over one warm call in a fresh process, minus the output",
        ]
    )


# ------------------------------------------------------------------------------------------- main


def parse_size(text: str) -> tuple[int, int]:
    parts = text.lower().replace("×", "x").replace("_", "").split("x")
    if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(
            f"a size is NxC with positive N and C, e.g. 1000x10; got {text!r}"
        )
    return int(parts[0]), int(parts[1])


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number; got {text!r}")
    return int(text)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: small sizes, short timing, memory measured at the largest only",
    )
    parser.add_argument(
        "--sizes", nargs="+", type=parse_size, metavar="NxC", help="sizes to run, e.g. 2x3 1000x10"
    )
    parser.add_argument(
        "--repeats", type=positive_int, help="timed repeats per method (default: by a time budget)"
    )
    parser.add_argument(
        "--runs",
        type=positive_int,
        help="whole timing passes over every size; the verdicts take the median ratio "
        "(default: 3, or 1 with --quick)",
    )
    # Internal: the fresh process of `run_memory_child`.
    parser.add_argument("--memory-child", nargs=4, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.runs is None:
        options.runs = 1 if options.quick else 3
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    if options.memory_child:
        name, reduction, n, c = options.memory_child
        print(json.dumps(measure_memory_in_child(name, reduction, int(n), int(c))))
        return 0

    # Smallest first: log_loss's cost per element, measured at one size, decides the next.
    sizes = sorted(
        set(options.sizes or (QUICK_SIZES if options.quick else DEFAULT_SIZES)),
        key=lambda size: size[0] * size[1],
    )
    budget = BUDGET_SECONDS["quick" if options.quick else "default"]
    print(preamble(sizes, budget, options.repeats), flush=True)

    runs = []
    for run in range(options.runs):
        if options.runs > 1:
            print(f"\n##### run {run + 1} of {options.runs} #####", flush=True)
        sklearn_rates = SKLEARN_ISSUE_RATES if run == 0 else None
        results = []
        for n, c in sizes:
            # Each memory subprocess imports its library afresh (about a second for torch or
            # scikit-learn), too slow for a smoke test at every size; --quick keeps the largest.
            # Memory does not change from run to run: it is measured in the first.
            with_memory = run == 0 and (not options.quick or (n, c) == sizes[-1])
            result = measure_size(n, c, budget, options.repeats, sklearn_rates, with_memory)
            if sklearn_rates is not None:
                sklearn_rates = measured_sklearn_rates(result) or sklearn_rates
            results.append(result)
            print(format_size(result), flush=True)
        runs.append(results)

    print()
    print("\n".join(summary_lines(runs)))
    print()
    print("\n".join(verdict_lines(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
