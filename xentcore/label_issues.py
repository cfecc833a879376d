"""Likely label errors, by confident learning (Northcutt, Jiang & Chuang 2021, "Confident
Learning: Estimating Uncertainty in Dataset Labels").

Given out-of-sample probabilities (each sample scored by a model that did not train on it) and the
labels as given, each class j gets a threshold: the mean probability of j over the samples
labelled j, t_j = mean{p_ij : y_i = j} — how confident the model typically is about a true j.
A sample's *confident class* is, among the classes k with p_ik ≥ t_k, the one of highest p_ik
(none when no class reaches its threshold). Counting (given label, confident class) pairs gives
the confident joint; a sample is flagged when its confident class exists and is not its given
label — an off-diagonal entry of that joint, cleanlab's ``filter_by="confident_learning"``.
Flagged samples are ranked with the least likely label first: by self-confidence p(given)
(default) or by normalised margin p(given) − max_{k ≠ given} p_k.

A class no sample is labelled with has no threshold (NaN) and is never suggested.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xentcore._pool import parallel_map, row_blocks
from xentcore._validation import class_labels, score_matrix

__all__ = ["RANK_BY", "LabelIssues", "confident_thresholds", "find_label_issues"]

RANK_BY = ("self_confidence", "normalized_margin")


@dataclass(frozen=True)
class LabelIssues:
    """The flagged samples, least likely label first, with the evidence for each."""

    indices: np.ndarray  # (M,) sample numbers
    given: np.ndarray  # (M,) the label as given
    suggested: np.ndarray  # (M,) the confident class
    p_given: np.ndarray  # (M,) probability of the given label
    p_suggested: np.ndarray  # (M,) probability of the suggested label
    score: np.ndarray  # (M,) what they are ranked by (lower: more likely wrong)
    thresholds: np.ndarray  # (C,) t_j, NaN for a class nobody is labelled with
    confident_joint: np.ndarray  # (C, C) int64: given label × confident class

    def __len__(self) -> int:
        return int(self.indices.shape[0])


def _check_probabilities(x: np.ndarray) -> None:
    if not np.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise ValueError(
            "probabilities must be finite numbers in [0, 1] (out-of-sample predict_proba); got "
            f"values from {np.nanmin(x):.6g} to {np.nanmax(x):.6g}"
            + ("" if np.isfinite(x).all() else ", with NaN or ±inf")
        )


def confident_thresholds(probabilities: object, labels: object) -> np.ndarray:
    """t_j = mean of p_ij over the samples labelled j (NaN for a class with none).

    >>> confident_thresholds([[0.9, 0.1], [0.7, 0.3], [0.4, 0.6]], [0, 0, 1]).round(3).tolist()
    [0.8, 0.6]
    """
    x = score_matrix(probabilities, "probabilities")
    n, c = x.shape
    t = class_labels(labels, n, c, "labels")
    chosen = x[np.arange(n), t].astype(np.float64)
    counts = np.bincount(t, minlength=c)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(t, weights=chosen, minlength=c) / counts


def find_label_issues(
    probabilities: object, labels: object, rank_by: str = "self_confidence"
) -> LabelIssues:
    """The samples whose given label is likely wrong, by confident learning (see the module).

    Parameters
    ----------
    probabilities : array_like, shape (N, C)
        Out-of-sample probabilities in [0, 1] (e.g. scikit-learn's ``cross_val_predict(...,
        method="predict_proba")``); rows need not sum to 1 exactly.
    labels : array_like of int, shape (N,)
        The labels as given, in [0, C).
    rank_by : {"self_confidence", "normalized_margin"}, default "self_confidence"

    Returns
    -------
    LabelIssues
        Ranked ascending by the score (ties: lower sample number first).

    Notes
    -----
    One pass over the matrix in row blocks after the thresholds' pass; a sample counts as
    reaching a threshold when p_ik ≥ t_k − 1e-6, as cleanlab's confident joint does.

    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.2, 0.8], [0.1, 0.9], [0.85, 0.15]])
    >>> issues = find_label_issues(p, [0, 0, 1, 1, 1])
    >>> issues.indices.tolist(), issues.suggested.tolist()
    ([4], [0])
    """
    if rank_by not in RANK_BY:
        raise ValueError(f"rank_by must be one of {', '.join(map(repr, RANK_BY))}; got {rank_by!r}")
    x = score_matrix(probabilities, "probabilities")
    _check_probabilities(x)
    n, c = x.shape
    t = class_labels(labels, n, c, "labels")
    thresholds = confident_thresholds(x, t)
    # a class with no threshold can never be reached
    reach = np.where(np.isnan(thresholds), np.inf, thresholds - 1e-6)
    confident = np.empty(n, np.intp)

    def work(rows: slice) -> None:
        block = x[rows]
        above = np.where(block >= reach, block, -1.0)
        best = above.argmax(axis=1)
        reached = np.take_along_axis(above, best[:, None], axis=1)[:, 0] >= 0
        confident[rows] = np.where(reached, best, -1)

    parallel_map(work, row_blocks(n, c), x.size)
    found = confident >= 0
    joint = np.bincount(t[found] * c + confident[found], minlength=c * c).reshape(c, c)
    flagged = np.flatnonzero(found & (confident != t))
    given, suggested = t[flagged], confident[flagged]
    rows = x[flagged].astype(np.float64)
    p_given = rows[np.arange(flagged.size), given]
    if rank_by == "self_confidence":
        score = p_given
    else:
        rows[np.arange(flagged.size), given] = -np.inf
        score = p_given - rows.max(axis=1) if c > 1 else p_given
    order = np.lexsort((flagged, score))
    return LabelIssues(
        indices=flagged[order],
        given=given[order],
        suggested=suggested[order],
        p_given=p_given[order],
        p_suggested=x[flagged[order], suggested[order]].astype(np.float64),
        score=score[order],
        thresholds=thresholds,
        confident_joint=joint.astype(np.int64),
    )
