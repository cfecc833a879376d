"""Categorical cross-entropy in probability space: the walkthrough's three forms, side by side.

Given one-hot (or soft) targets Y and predicted probabilities P, both (N, C):

    CE = −(1/N) Σ_i Σ_c Y_ic log P_ic

1. `categorical_cross_entropy_loop` — the double loop over samples and classes, term by term;
2. `categorical_cross_entropy_diagonal` — the dot-product form: the mean of diag(Y · (−log P)ᵀ);
3. `categorical_cross_entropy` — the vectorised kernel, −Σ_c Y log P per row, then reduced.

Clipping policy, shared by all three: P is clipped to [eps, 1 − eps] before the log, as the seed
walkthrough does (default eps = 1e-20, so a probability of exactly 0 costs at most 46.05 nats;
1 − 1e-20 rounds to 1, so the upper clip only bites for larger eps). Predictions are never
renormalised: rows of P that do not sum to 1 are used as given.
"""

from __future__ import annotations

import math

import numpy as np

from xentcore._validation import as_float_array, check_nonempty, check_reduction
from xentcore.softmax import one_hot

__all__ = [
    "DEFAULT_EPS",
    "MAX_LOSS_MATRIX_ROWS",
    "categorical_cross_entropy",
    "categorical_cross_entropy_diagonal",
    "categorical_cross_entropy_loop",
    "loss_matrix",
]

DEFAULT_EPS = 1e-20
# Y · (−log P)ᵀ is N × N: 2048 rows is 32 MiB of float64, the most a display needs.
MAX_LOSS_MATRIX_ROWS = 2048


def _targets_and_probs(y_true: object, y_prob: object, eps: float) -> tuple[np.ndarray, np.ndarray]:
    p = as_float_array(y_prob, "y_prob")
    if p.ndim != 2:
        raise ValueError(f"y_prob must have shape (N, C); got {p.ndim}-D shape {p.shape}")
    check_nonempty(p, "y_prob")
    bad = ~((p >= 0) & (p <= 1))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"y_prob must hold probabilities in [0, 1] (apply softmax to logits first); "
            f"got {p[where]!r} at {where}"
        )
    y = np.asarray(y_true)
    if y.shape == (p.shape[0],) and y.dtype.kind in "iu":
        y = one_hot(y, p.shape[1])
    if y.shape != p.shape:
        raise ValueError(
            f"y_true must be class indices of shape ({p.shape[0]},) or one-hot/soft targets of "
            f"y_prob's shape {p.shape}; got shape {y.shape}"
        )
    if not isinstance(eps, (int, float)) or not 0 <= eps < 0.5:
        raise ValueError(f"eps must be a number in [0, 0.5); got {eps!r}")
    return y.astype(p.dtype if p.dtype.kind == "f" else np.float64), p


def _clip(p: np.ndarray, eps: float) -> np.ndarray:
    return np.clip(p, eps, 1.0 - eps)


def categorical_cross_entropy(
    y_true: object, y_prob: object, eps: float = DEFAULT_EPS, reduction: str = "mean"
) -> np.ndarray:
    """−Σ_c y_c log(clip(p_c)) per sample, then reduced (vectorised form).

    Parameters
    ----------
    y_true : array_like, (N,) class indices or (N, C) one-hot / soft targets
    y_prob : array_like, (N, C) predicted probabilities
    eps : float, default 1e-20 — see the module's clipping policy
    reduction : {"none", "mean", "sum"}, default "mean"

    >>> float(categorical_cross_entropy([[1, 0, 0]], [[0.7, 0.2, 0.1]]).round(4))
    0.3567
    """
    reduction = check_reduction(reduction)
    y, p = _targets_and_probs(y_true, y_prob, eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        # a class whose target is 0 adds nothing, even at p = 0 with eps = 0 (as in the loop)
        per_sample = -np.where(y != 0, y * np.log(_clip(p, eps)), 0).sum(axis=1)
    if reduction == "none":
        return per_sample
    total = per_sample.sum(dtype=np.float64)
    return np.asarray(total if reduction == "sum" else total / len(per_sample), dtype=p.dtype)


def categorical_cross_entropy_loop(
    y_true: object, y_prob: object, eps: float = DEFAULT_EPS
) -> float:
    """The mean loss by an explicit loop: for each sample, for each class, add −y · log p.

    Plain Python on purpose — it is the reference the other two forms are checked against.
    """
    y, p = _targets_and_probs(y_true, y_prob, eps)
    total = 0.0
    for y_row, p_row in zip(y.tolist(), p.tolist(), strict=True):
        sample_loss = 0.0
        for indicator, prob in zip(y_row, p_row, strict=True):
            if indicator != 0:  # the indicator switches the term on
                clipped = min(max(prob, eps), 1.0 - eps)
                # math.log(0) raises; with eps = 0 a missed certain class costs +inf, as elsewhere
                sample_loss += -indicator * (math.log(clipped) if clipped > 0 else -math.inf)
        total += sample_loss
    return total / len(y)


def loss_matrix(y_true: object, y_prob: object, eps: float = DEFAULT_EPS) -> np.ndarray:
    """Y · (−log P)ᵀ, an (N, N) matrix whose diagonal holds the per-sample losses.

    Entry (i, j) is sample i's targets scored against sample j's predictions; only the diagonal
    pairs a sample with its own prediction. For display: N above MAX_LOSS_MATRIX_ROWS is refused.

    >>> loss_matrix([0, 2], [[0.09, 0.2447, 0.6652], [0.0159, 0.1173, 0.8668]]).round(4)
    array([[2.4079, 4.1414],
           [0.4077, 0.1429]])
    """
    y, p = _targets_and_probs(y_true, y_prob, eps)
    n = p.shape[0]
    if n > MAX_LOSS_MATRIX_ROWS:
        raise ValueError(
            f"loss_matrix builds an N × N matrix; N = {n} would need {n * n * 8 / 2**20:,.0f} MiB. "
            f"It is for display and accepts at most {MAX_LOSS_MATRIX_ROWS} samples; use "
            "categorical_cross_entropy(..., reduction='none') for the per-sample losses"
        )
    with np.errstate(divide="ignore"):
        neg_log_p = -np.log(_clip(p, eps))
    # Only eps = 0 leaves log 0 = −inf. A zero target times it adds nothing (as in the loop); the
    # product would make it NaN, so such cells go in as 0 and the pairs that do meet one become inf.
    infinite = np.isinf(neg_log_p)
    matrix = y @ np.where(infinite, 0, neg_log_p).T
    if infinite.any():
        matrix[(y != 0).astype(p.dtype) @ infinite.T.astype(p.dtype) > 0] = np.inf
    return matrix


def categorical_cross_entropy_diagonal(
    y_true: object, y_prob: object, eps: float = DEFAULT_EPS
) -> float:
    """The mean loss as the mean of diag(Y · (−log P)ᵀ) — the dot-product form (N × N memory)."""
    return float(np.mean(np.diagonal(loss_matrix(y_true, y_prob, eps))))
