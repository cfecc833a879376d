"""A classifier's metrics beside its loss: the target's rank and top-k accuracy, the Brier score,
and per-class precision / recall / F1.

Every function here reads either the (N, C) scores with their labels (and streams them in row
blocks, as `analyse_scores` does) or the per-sample numbers `analyse_scores` already gives
(``rank``, ``prediction``): the page computes them once, in its one pass, and these functions are
the same rules for direct use. Calibration errors are `xentcore.calibration`; intervals,
`xentcore.bootstrap`; a loss in bits and perplexity, `xentcore.information`.

Ties in top-k: a sample is top-k correct when fewer than k classes score *strictly* above its
target (``rank < k``), so a target tied with the k-th score counts as inside. sklearn's
``top_k_accuracy_score`` and torchmetrics' ``MulticlassAccuracy(top_k=k)`` break ties by class
order instead; on scores without ties all three agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from xentcore._pool import map_row_blocks
from xentcore._validation import class_labels, score_matrix
from xentcore.softmax import _row_probabilities

__all__ = [
    "ZERO_DIVISION",
    "ClassScores",
    "brier_score",
    "precision_recall_f1",
    "target_rank",
    "top_k_accuracy",
]

ZERO_DIVISION = (0.0, 1.0, "nan")


def target_rank(input: object, target: object) -> np.ndarray:
    """How many classes score strictly above each sample's target.

    Parameters
    ----------
    input : array_like, shape (N, C)
        Logits or probabilities (any increasing transform of either gives the same ranks).
    target : array_like of int, shape (N,)
        Class indices in [0, C).

    Returns
    -------
    ndarray of int32, shape (N,)
        rank_i = #{c : x_ic > x_it}; top-k correct is ``rank < k``, for every k at once.

    >>> target_rank([[0.1, 0.7, 0.2], [0.5, 0.5, 0.0]], [2, 1]).tolist()
    [1, 0]
    """
    x = score_matrix(input, "input")
    t = class_labels(target, *x.shape)
    out = np.empty(x.shape[0], np.int32)

    def work(rows: slice) -> None:
        block = x[rows]
        chosen = np.take_along_axis(block, t[rows, None].astype(np.intp), axis=1)
        out[rows] = np.count_nonzero(block > chosen, axis=1)

    map_row_blocks(work, x)
    return out


def _check_k(k: object, num_classes: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= num_classes:
        raise ValueError(f"k must be an integer in [1, {num_classes}] (the classes); got {k!r}")
    return int(k)


def top_k_accuracy(input: object, target: object, k: int = 1) -> float:
    """The fraction of samples whose target is among the k highest scores.

    Parameters
    ----------
    input : array_like, shape (N, C)
    target : array_like of int, shape (N,)
    k : int, default 1
        In [1, C].

    Returns
    -------
    float
        mean_i [rank_i < k] with rank from `target_rank`: a target tied with the k-th score
        counts as inside (see the module on ties).

    >>> top_k_accuracy([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]], [2, 1], k=2)
    1.0
    """
    x = score_matrix(input, "input")
    k = _check_k(k, x.shape[1])
    return float(np.mean(target_rank(x, target) < k))


def brier_score(input: object, target: object, from_logits: bool = True) -> float:
    """Multiclass Brier score: mean over samples of Σ_c (p_c − y_c)², in [0, 2].

    Parameters
    ----------
    input : array_like, shape (N, C)
        Logits (p = softmax) or, with ``from_logits=False``, probabilities (divided by their
        row sums, as the loss reads them).
    target : array_like of int, shape (N,)
    from_logits : bool, default True

    Returns
    -------
    float
        (1/N) Σ_i (Σ_c p_ic² − 2 p_it + 1); sklearn's ``brier_score_loss(y, P,
        scale_by_half=False)`` (its multiclass default; with two classes sklearn halves it).

    >>> brier_score([[1.0, 0.0], [0.5, 0.5]], [0, 1], from_logits=False)
    0.25
    """
    x = score_matrix(input, "input")
    t = class_labels(target, *x.shape)

    def work(rows: slice) -> float:
        p = _row_probabilities(x[rows], from_logits)
        chosen = np.take_along_axis(p, t[rows, None].astype(np.intp), axis=1)[:, 0]
        return float(np.sum(_brier_per_sample(np.einsum("ij,ij->i", p, p), chosen)))

    return sum(map_row_blocks(work, x)) / x.shape[0]


def _brier_per_sample(square_sum: np.ndarray, target_probability: np.ndarray) -> np.ndarray:
    """Σ_c (p_c − y_c)² = Σ_c p_c² − 2 p_target + 1, per sample, from its two terms (N,).

    One new array, in target_probability's dtype: the page computes it for 10⁶ samples and more.
    """
    brier = np.multiply(target_probability, -2.0)
    brier += square_sum
    brier += 1.0
    return brier


@dataclass(frozen=True)
class ClassScores:
    """Per-class precision, recall, F1 and support, each of shape (C,)."""

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray  # samples labelled with the class
    predicted: np.ndarray  # samples predicted as the class

    def macro(self) -> tuple[float, float, float]:
        """The unweighted means of precision, recall and F1 over classes (NaN ones skipped)."""
        return tuple(float(np.nanmean(v)) for v in (self.precision, self.recall, self.f1))


def _check_zero_division(zero_division: object) -> float:
    if isinstance(zero_division, str) and zero_division == "nan":
        return math.nan
    number = isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool)
    if number and zero_division in (0.0, 1.0):
        return float(zero_division)
    options = ", ".join(repr(z) for z in ZERO_DIVISION)
    raise ValueError(f"zero_division must be one of {options}; got {zero_division!r}")


def _ratio(numerator: np.ndarray, denominator: np.ndarray, fill: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, fill)


def precision_recall_f1(
    target: object, prediction: object, num_classes: int, zero_division: object = 0.0
) -> ClassScores:
    """Per-class precision = TP / predicted, recall = TP / support, F1 = 2TP / (predicted +
    support), as scikit-learn's ``precision_recall_fscore_support(average=None)``.

    Parameters
    ----------
    target, prediction : array_like of int, shape (N,)
        Class indices in [0, num_classes).
    num_classes : int
    zero_division : 0.0, 1.0 or "nan", default 0.0
        The value where a denominator is 0: precision of a class never predicted, recall of a
        class never labelled, F1 of a class neither predicted nor labelled. sklearn's default
        "warn" gives 0.0 too (with a warning); here there is no warning.

    >>> s = precision_recall_f1([0, 0, 1, 2], [0, 1, 1, 1], 3)
    >>> s.precision.tolist(), s.recall.tolist(), s.f1.round(3).tolist()
    ([1.0, 0.3333333333333333, 0.0], [0.5, 1.0, 0.0], [0.667, 0.5, 0.0])
    """
    fill = _check_zero_division(zero_division)
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}")
    t = class_labels(target, np.asarray(target).shape[0], int(num_classes), "target")
    p = class_labels(prediction, t.shape[0], int(num_classes), "prediction")
    c = int(num_classes)
    hits = np.bincount(t[t == p], minlength=c)
    return _class_scores(hits, np.bincount(p, minlength=c), np.bincount(t, minlength=c), fill)


def _class_scores(
    hits: np.ndarray, predicted: np.ndarray, support: np.ndarray, fill: float
) -> ClassScores:
    return ClassScores(
        precision=_ratio(hits, predicted, fill),
        recall=_ratio(hits, support, fill),
        f1=_ratio(2 * hits, predicted + support, fill),
        support=support,
        predicted=predicted,
    )
