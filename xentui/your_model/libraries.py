"""What other libraries report for the same scores and labels, and why they may differ.

- PyTorch: ``torch.nn.functional.cross_entropy`` on the logits (on log P for probabilities), run
  by xentcore.torch_cross_entropy block by block with reduction="sum" and divided by N. The
  blocks keep PyTorch's temporaries (a log-softmax of the block) small; the sum of block sums in
  float64 differs from one mean over all rows only by float32 rounding.
- scikit-learn: ``sklearn.metrics.log_loss(y, P)`` (1.9) clips P to [ε, 1 − ε] with ε the
  machine epsilon of P's dtype, does not renormalise the rows, and averages −log of the clipped
  target probability. Only that probability enters, so it is computed here from p_target by the
  same rule, without materialising P or the one-hot labels (N × C each) and without needing
  scikit-learn at run time; tests/your_model/test_analysis.py checks it against log_loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xentcore import torch_available, torch_cross_entropy
from xentui.kit.format import fmt
from xentui.your_model.blocks import row_blocks

__all__ = ["LibraryResult", "sklearn_log_loss", "torch_mean_loss"]

# PyTorch's blocks: at most 2**22 elements (16 MiB of float32) — smaller blocks cost PyTorch far
# more in thread hand-offs (measured: 4× slower at 2**20 for 100 000 × 1 000) — and at most an
# eighth of the matrix, so that its temporaries (the block's copy and log-softmax) stay a small
# fraction of the upload; never under 2**18.
_TORCH_MAX_BLOCK = 1 << 22
_TORCH_MIN_BLOCK = 1 << 18


@dataclass(frozen=True)
class LibraryResult:
    """One library's mean loss for the data, the call that gives it, and why it differs."""

    library: str
    call: str
    value: float
    why: str


def torch_mean_loss(scores: np.ndarray, labels: np.ndarray, kind: str) -> float:
    """Mean of PyTorch's per-sample cross-entropy; NaN when PyTorch is not installed."""
    if not torch_available():
        return float("nan")
    n, c = scores.shape
    block_elements = min(_TORCH_MAX_BLOCK, max(_TORCH_MIN_BLOCK, n * c // 8))
    blocks = row_blocks(n, c, block_elements)
    # torch.from_numpy warns on read-only arrays (an upload's bytes are): each block is copied
    # into one writable buffer, reused, rather than muting a process-wide warning filter.
    buffer = np.empty((blocks[0].stop - blocks[0].start, c), dtype=scores.dtype)
    total = 0.0
    for rows in blocks:
        block = buffer[: rows.stop - rows.start]
        if kind == "probabilities":
            with np.errstate(divide="ignore"):
                np.log(scores[rows], out=block)
        else:
            np.copyto(block, scores[rows])
        total += float(torch_cross_entropy(block, labels[rows], reduction="sum"))
    return total / scores.shape[0]


def sklearn_log_loss(target_probability: np.ndarray) -> tuple[float, float, int]:
    """scikit-learn's log_loss from the target's probability (in P's dtype).

    Returns (mean loss, ε, how many samples the clip changed).
    """
    p = np.asarray(target_probability)
    eps = np.finfo(p.dtype).eps
    clipped = np.clip(p, eps, 1 - eps)
    changed = int(np.count_nonzero(clipped != p))
    with np.errstate(divide="ignore"):
        return float(-np.log(clipped).mean(dtype=np.float64)), float(eps), changed


def library_results(
    *,
    xent_mean: float,
    torch_mean: float,
    sklearn: tuple[float, float, int],
    kind: str,
    dtype: str,
    rows_normalised: bool,
) -> tuple[LibraryResult, ...]:
    """The comparison table's rows: xent first, then each library with the reason it differs."""
    sk_mean, eps, clipped = sklearn
    argument = "logits" if kind == "logits" else "torch.log(P)"
    torch_why = (
        "PyTorch is not installed here."
        if np.isnan(torch_mean)
        else "Same formula (log-sum-exp of the logits minus the target's logit); the only "
        f"difference is rounding in the sum: {fmt(abs(torch_mean - xent_mean), 2)}."
    )
    cap = -np.log(eps)
    sk_why = (
        f"Clips each probability to [ε, 1 − ε] with ε = {eps:.3g} (machine epsilon of {dtype}), "
        f"so no sample costs more than −log ε = {cap:.2f}. "
        + (
            f"{clipped:,} sample(s) were clipped here."
            if clipped
            else "No sample was clipped here, so only rounding differs."
        )
    )
    if kind == "probabilities" and not rows_normalised:
        sk_why += " It takes P as it is, while xent and PyTorch renormalise each row."
    return (
        LibraryResult(
            "xent",
            f"xentcore.cross_entropy({'logits' if kind == 'logits' else 'np.log(P)'}, y)",
            xent_mean,
            "Per-sample losses in the data's precision, averaged in float64.",
        ),
        LibraryResult(
            "PyTorch",
            f"torch.nn.functional.cross_entropy({argument}, y)",
            torch_mean,
            torch_why,
        ),
        LibraryResult(
            "scikit-learn",
            "sklearn.metrics.log_loss(y, P)",
            sk_mean,
            sk_why,
        ),
    )
