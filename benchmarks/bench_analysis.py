"""Is the "Your model" page's analysis as fast as PyTorch's loss plus torchmetrics' ECE?

Run from the repository root:

    python benchmarks/bench_analysis.py              # 1 M × 10 and 100 000 × 1 000, 3 runs
    python benchmarks/bench_analysis.py --runs 5 --sizes 1000000x10

For each size N × C, float32 logits of a noisy, over-confident classifier (those of
benchmarks/bench_your_model.py, seeded) and int64 labels, it times in the same process:

- the page's analysis: ``xentcore.analyse_scores(logits, labels)`` — what
  xentui/your_model/analysis.py calls for the page: every per-sample loss and confidence, the
  mean loss, accuracy, the reliability diagram and its ECE (15 bins), a temperature fitted on
  half the samples, the loss and ECE at it, class sums, confusion pairs, histogram, worst rows;
  and from it the practitioner's metrics: top-5 accuracy, Brier score, MCE, adaptive ECE,
  per-class precision/recall/F1 and a bootstrap 95 % interval of the mean loss;
- the peer: ``torch.nn.functional.cross_entropy(x, t)`` (the mean) plus torchmetrics'
  ``MulticlassCalibrationError(num_classes=C, n_bins=15, norm="l1")`` updated with the same
  tensors and computed, and the metrics torchmetrics has of the list above:
  ``MulticlassAccuracy(top_k=5, average="micro")``, ``MulticlassCalibrationError(norm="max")``,
  ``MulticlassPrecision/Recall/F1Score(average=None)`` and the Brier score in torch
  (Σ (softmax − one-hot)², mean), with torch.set_num_threads(2) and tensors from
  torch.from_numpy (no copy); adaptive ECE and the bootstrap have no torchmetrics peer, so
  xent's side does more work than the peer's;
- for reference, each part alone: xentcore.cross_entropy and xentcore.expected_calibration_error
  beside F.cross_entropy and the torchmetrics metric, and xentcore.classwise_calibration_error
  (a second pass over the matrix, not part of the page's analysis).

Each run is one warm-up call per contender, then repeats in blocks spread over three passes
(benchmarks/_measure.py). The whole is repeated `--runs` times; the VERDICT line per size takes
the median over runs of (analysis median / peer median), ≤ 1 to pass, with its range and the
machine's load; a second VERDICT does the same for the analysis plus the metrics against torch
plus torchmetrics' metrics, and a third holds that median to SERVER_BUDGET_MS. The figures are
also checked: the analysis's mean loss against torch's (relative 1e-5), its ECE and MCE against
torchmetrics' (absolute 2e-5, as benchmarks/oracles.py), top-5 against torchmetrics' (absolute
1e-6) and the Brier score against torch's (relative 1e-5). The script exits 0 either way: it is
a report, not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from functools import cache, partial
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import _measure  # noqa: E402
from bench_core import parse_size, positive_int  # noqa: E402
from bench_your_model import logits_block  # noqa: E402

import xentcore  # noqa: E402

SEED = 0
TORCH_THREADS = 2
N_BINS = 15
DEFAULT_SIZES = ((1_000_000, 10), (100_000, 1_000))
BUDGET_SECONDS = 1.5  # per contender and run: a few repeats of the slowest
LEAST_REPEATS, MOST_REPEATS = 3, 50
LOSS_RTOL, ECE_ATOL = 1e-5, 2e-5
TOP_K = 5
SERVER_BUDGET_MS = 3_000  # the page's whole analysis of one upload
# top-k: a float32 mean in torchmetrics; Brier: torch sums float32 squares; MCE: as ECE
TOP_K_ATOL, BRIER_RTOL = 1e-6, 1e-5


@cache
def _torch():
    import torch

    torch.set_num_threads(TORCH_THREADS)
    return torch


def make_inputs(n: int, c: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    labels = rng.integers(0, c, n)
    return logits_block(rng, labels, c), labels


def torch_ece(x, t, c: int) -> float:
    from torchmetrics.classification import MulticlassCalibrationError

    metric = MulticlassCalibrationError(num_classes=c, n_bins=N_BINS, norm="l1")
    metric.update(x, t)
    return float(metric.compute())


def tied_share(logits: np.ndarray, labels: np.ndarray) -> float:
    """The share of samples whose target scores exactly as another class: there xentcore's
    top-k counts the tie as inside and torchmetrics' topk may not (xentcore/metrics.py)."""
    tied = 0
    for start in range(0, logits.shape[0], 10_000):
        block, t = logits[start : start + 10_000], labels[start : start + 10_000]
        chosen = np.take_along_axis(block, t[:, None], axis=1)
        tied += int(((block == chosen).sum(axis=1) > 1).sum())
    return tied / logits.shape[0]


def page_pass(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    analysis = xentcore.analyse_scores(logits, labels, n_bins=N_BINS)
    return analysis.mean_loss, analysis.reliability.ece


def page_analysis(logits: np.ndarray, labels: np.ndarray) -> tuple[float, ...]:
    analysis = xentcore.analyse_scores(logits, labels, n_bins=N_BINS)
    analysis.class_scores()
    analysis.adaptive_calibration_error(N_BINS)
    xentcore.bootstrap_mean_interval(analysis.loss)
    return (
        analysis.mean_loss,
        analysis.reliability.ece,
        analysis.top_k_accuracy(TOP_K),
        analysis.brier,
        analysis.max_calibration_error,
    )


def torch_metrics(x, t, c: int) -> tuple[float, float, float]:
    """Top-k accuracy, Brier score and MCE by torch / torchmetrics; precision, recall, F1 too."""
    from torchmetrics.classification import (
        MulticlassAccuracy,
        MulticlassCalibrationError,
        MulticlassF1Score,
        MulticlassPrecision,
        MulticlassRecall,
    )

    torch = _torch()
    for metric in (MulticlassPrecision, MulticlassRecall, MulticlassF1Score):
        metric(num_classes=c, average=None)(x, t)
    top_k = float(MulticlassAccuracy(num_classes=c, top_k=TOP_K, average="micro")(x, t))
    mce = float(MulticlassCalibrationError(num_classes=c, n_bins=N_BINS, norm="max")(x, t))
    p = torch.softmax(x, 1)
    brier = (p * p).sum(1) - 2 * p.gather(1, t[:, None])[:, 0] + 1
    return top_k, float(brier.double().mean()), mce


def peer(x, t, c: int) -> tuple[float, float]:
    return float(_torch().nn.functional.cross_entropy(x, t)), torch_ece(x, t, c)


def peer_metrics(x, t, c: int) -> tuple[float, ...]:
    return (*peer(x, t, c), *torch_metrics(x, t, c))


def contenders(logits: np.ndarray, labels: np.ndarray) -> dict[str, object]:
    """Label → a call with no arguments; the first two, and the next two, are verdict pairs."""
    torch = _torch()
    x, t = torch.from_numpy(logits), torch.from_numpy(labels)
    c = logits.shape[1]
    return {
        "xentcore.analyse_scores (the page's pass)": partial(page_pass, logits, labels),
        "torch F.cross_entropy + torchmetrics ECE": partial(peer, x, t, c),
        "xentcore.analyse_scores + metrics": partial(page_analysis, logits, labels),
        "torch F.cross_entropy + torchmetrics' metrics": partial(peer_metrics, x, t, c),
        "  xentcore.cross_entropy alone": partial(xentcore.cross_entropy, logits, labels),
        "  torch F.cross_entropy alone": partial(torch.nn.functional.cross_entropy, x, t),
        "  xentcore.expected_calibration_error alone": partial(
            xentcore.expected_calibration_error, logits, labels, N_BINS
        ),
        "  torchmetrics MulticlassCalibrationError alone": partial(torch_ece, x, t, c),
        "  xentcore.classwise_calibration_error alone": partial(
            xentcore.classwise_calibration_error, logits, labels, N_BINS
        ),
    }


def time_size(n: int, c: int) -> tuple[dict[str, tuple[float, float, int]], float, list[str]]:
    """{label: (median ms, min ms, repeats)}, CPUs busy elsewhere, and the checks' findings."""
    logits, labels = make_inputs(n, c)
    calls = contenders(logits, labels)
    results, repeats = {}, {}
    for label, call in calls.items():
        results[label], warm = _measure.timed_call(call)
        repeats[label] = _measure.repeats_for(warm, BUDGET_SECONDS, LEAST_REPEATS, MOST_REPEATS)
    before, wall = _measure.cpu_seconds(), time.perf_counter()
    times = _measure.time_in_passes(calls, repeats)
    busy = _measure.cpus_busy_elsewhere(before, _measure.cpu_seconds(), time.perf_counter() - wall)
    rows = {label: (*_measure.summarize(s), len(s)) for label, s in times.items()}
    mine, theirs = list(results.values())[2:4]
    ties = tied_share(logits, labels)
    checks = (
        (
            "mean loss",
            "torch",
            lambda a, b: abs(a - b) <= LOSS_RTOL * abs(b),
            f"relative {LOSS_RTOL:g}",
        ),
        ("ECE", "torchmetrics", lambda a, b: abs(a - b) <= ECE_ATOL, f"absolute {ECE_ATOL:g}"),
        (
            f"top-{TOP_K}",
            "torchmetrics",
            lambda a, b: abs(a - b) <= TOP_K_ATOL + ties,
            f"absolute {TOP_K_ATOL:g} + {ties:g}, the share of targets tied with another class",
        ),
        (
            "Brier",
            "torch",
            lambda a, b: abs(a - b) <= BRIER_RTOL * abs(b),
            f"relative {BRIER_RTOL:g}",
        ),
        ("MCE", "torchmetrics", lambda a, b: abs(a - b) <= ECE_ATOL, f"absolute {ECE_ATOL:g}"),
    )
    findings = [
        f"{name}: xentcore {a:.7g}, {who} {b:.7g} "
        + ("agree" if agree(a, b) else "DIFFER")
        + f" ({tolerance})"
        for (name, who, agree, tolerance), a, b in zip(checks, mine, theirs, strict=True)
    ]
    return rows, busy, findings


def format_rows(n: int, c: int, rows: dict, busy: float, findings: list[str]) -> str:
    peer_ms = list(rows.values())[1][0]
    lines = [
        f"=== {n:,} × {c:,} float32 ({n * c * 4 / 2**20:.0f} MiB) ===",
        f"  {'method':<50}{'median ms':>11}{'min ms':>10}{'× peer':>9}{'repeats':>9}",
    ]
    for label, (median_ms, min_ms, repeats) in rows.items():
        lines.append(
            f"  {label:<50}{median_ms:>11.1f}{min_ms:>10.1f}{median_ms / peer_ms:>9.2f}{repeats:>9}"
        )
    lines += [f"  check: {f}" for f in findings]
    lines.append(f"  other processes kept {busy:.1f} of {os.cpu_count()} CPUs busy meanwhile")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=parse_size, metavar="NxC")
    parser.add_argument("--runs", type=positive_int, default=3)
    options = parser.parse_args(argv)
    sizes = options.sizes or DEFAULT_SIZES
    torch = _torch()
    import torchmetrics

    print(
        f"the page's analysis against torch + torchmetrics (benchmarks/bench_analysis.py): numpy "
        f"{np.__version__}, torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"torchmetrics {torchmetrics.__version__}, CPUs {os.cpu_count()}, xentcore pool "
        f"{xentcore._pool.num_threads()} threads, {options.runs} run(s)",
        flush=True,
    )
    ratios: dict[tuple[int, int], list[float]] = {size: [] for size in sizes}
    minimums: dict[tuple[int, int], list[float]] = {size: [] for size in sizes}
    metric_ratios: dict[tuple[int, int], list[float]] = {size: [] for size in sizes}
    metric_ms: dict[tuple[int, int], list[float]] = {size: [] for size in sizes}
    load: dict[tuple[int, int], list[float]] = {size: [] for size in sizes}
    for run in range(options.runs):
        print(f"\n##### run {run + 1} of {options.runs} #####", flush=True)
        for n, c in sizes:
            rows, busy, findings = time_size(n, c)
            mine, theirs, full, full_peer = list(rows.values())[:4]
            metric_ratios[(n, c)].append(full[0] / full_peer[0])
            metric_ms[(n, c)].append(full[0])
            ratios[(n, c)].append(mine[0] / theirs[0])
            minimums[(n, c)].append(mine[1] / theirs[1])
            load[(n, c)].append(busy)
            print(format_rows(n, c, rows, busy, findings), flush=True)
    print()
    for (n, c), values in ratios.items():
        ratio = float(np.median(values))
        print(
            f"VERDICT analysis {n:,}×{c:,}: xentcore.analyse_scores median / (F.cross_entropy + "
            f"MulticlassCalibrationError) median = {ratio:.2f} (≤ 1.00) "
            f"{'PASS' if ratio <= 1 else 'FAIL'}; median of {len(values)} run(s), range "
            f"{min(values):.2f}–{max(values):.2f}; the minimums give "
            f"{float(np.median(minimums[(n, c)])):.2f}; other processes kept "
            + "/".join(f"{b:.1f}" for b in load[(n, c)])
            + f" of {os.cpu_count()} CPUs busy"
        )
    for (n, c), values in metric_ratios.items():
        ratio, ms = float(np.median(values)), metric_ms[(n, c)]
        print(
            f"VERDICT metrics {n:,}×{c:,}: analyse_scores + metrics median / (F.cross_entropy + "
            f"torchmetrics' metrics) median = {ratio:.2f} (≤ 1.00) "
            f"{'PASS' if ratio <= 1 else 'FAIL'}; median of {len(values)} run(s), range "
            f"{min(values):.2f}–{max(values):.2f}"
        )
        print(
            f"VERDICT server time {n:,}×{c:,}: analyse_scores + metrics median "
            f"{float(np.median(ms)):.0f} ms (≤ {SERVER_BUDGET_MS} ms) "
            f"{'PASS' if float(np.median(ms)) <= SERVER_BUDGET_MS else 'FAIL'}; range "
            f"{min(ms):.0f}–{max(ms):.0f} ms over {len(ms)} run(s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
