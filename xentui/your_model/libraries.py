"""What other libraries report for the same scores and labels, and why they may differ.

- PyTorch: ``torch.nn.functional.cross_entropy`` on the logits (on log P for probabilities), by
  `xentcore.torch_mean_cross_entropy`, block by block — an independent read of the matrix.
- scikit-learn: ``sklearn.metrics.log_loss(y, P)`` (1.9) clips P to [ε, 1 − ε] with ε the
  machine epsilon of P's dtype, does not renormalise the rows, and averages −log of the clipped
  target probability. Only that probability enters, so `xentcore.sklearn_target_log_loss`
  gives it from p_target, without materialising P or the one-hot labels (N × C each);
  tests/core checks it against log_loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import xentcore
from xentui.kit.format import fmt

__all__ = ["LibraryMean", "library_means"]


@dataclass(frozen=True)
class LibraryMean:
    """One library's mean loss for the uploaded data, the call that gives it, and why it differs."""

    library: str
    call: str
    value: float
    why: str


def library_means(
    scores: np.ndarray,
    labels: np.ndarray,
    result: xentcore.ScoreAnalysis,
    *,
    kind: str,
    rows_normalised: bool,
) -> tuple[LibraryMean, ...]:
    """The comparison table's rows: xent first, then each library with the reason it differs."""
    n = scores.shape[0]
    xent_mean = result.mean_loss
    torch_mean = xentcore.torch_mean_cross_entropy(scores, labels, from_logits=kind == "logits")
    # scikit-learn reads P as given: for probabilities, the uploaded target column, not P / Σ P.
    raw_target = result.target_probability if kind == "logits" else scores[np.arange(n), labels]
    sk_mean, eps, clipped = xentcore.sklearn_target_log_loss(raw_target)
    dtype = str(scores.dtype)
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
        LibraryMean(
            "xent",
            "xentcore.analyse_scores("
            + ("logits, y)" if kind == "logits" else "P, y, from_logits=False)"),
            xent_mean,
            "Per-sample losses in the data's precision, averaged in float64.",
        ),
        LibraryMean(
            "PyTorch",
            f"torch.nn.functional.cross_entropy({argument}, y)",
            torch_mean,
            torch_why,
        ),
        LibraryMean(
            "scikit-learn",
            "sklearn.metrics.log_loss(y, P)",
            sk_mean,
            sk_why,
        ),
    )
