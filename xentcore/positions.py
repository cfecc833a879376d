"""Per-position losses of a K-dimensional output, as maps with the ignored positions left blank.

For an (N, C, d1, ..., dK) output — a segmentation model's (N, C, H, W) — `cross_entropy` with
reduction="none" gives an (N, d1, ..., dK) array in which an ignored position holds 0, as in
PyTorch. A map for display wants those positions marked as having no loss at all: these
functions put NaN there, and compute in float64 whatever the input's precision is not lost.
"""

from __future__ import annotations

import numpy as np

from xentcore.cross_entropy import cross_entropy
from xentcore.softmax import softmax

__all__ = ["loss_map", "target_probabilities"]


def _ignored(target: np.ndarray, ignore_index: int) -> np.ndarray:
    return np.asarray(target) == ignore_index


def loss_map(
    input: object, target: object, weight: object = None, ignore_index: int = -100
) -> np.ndarray:
    """``cross_entropy(input, target, reduction="none")`` as float64, NaN where ignored.

    Parameters
    ----------
    input : array_like, shape (N, C, d1, ..., dK)
    target : array_like of int, shape (N, d1, ..., dK), class indices
    weight : array_like, shape (C,), optional
    ignore_index : int, default -100

    Returns
    -------
    ndarray, shape (N, d1, ..., dK), float64

    The mean over the map's finite entries is reduction="mean" without weights
    (np.nanmean(loss_map(x, t)) == cross_entropy(x, t) up to rounding).

    >>> loss_map(np.zeros((1, 2, 3)), np.array([[0, 1, -100]])).round(4).tolist()
    [[0.6931, 0.6931, nan]]
    """
    losses = cross_entropy(input, target, weight, ignore_index, reduction="none")
    return np.where(_ignored(target, ignore_index), np.nan, losses.astype(np.float64))


def target_probabilities(input: object, target: object, ignore_index: int = -100) -> np.ndarray:
    """softmax(input)[n, target[n, ...], ...] per position (class axis 1), NaN where ignored.

    >>> target_probabilities(np.zeros((1, 2, 2)), np.array([[1, -100]])).tolist()
    [[0.5, nan]]
    """
    p = softmax(np.asarray(input), axis=1)
    t = np.asarray(target)
    ignored = _ignored(t, ignore_index)
    safe = np.where(ignored, 0, t)
    picked = np.take_along_axis(p, safe[:, None], axis=1)[:, 0]
    return np.where(ignored, np.nan, picked.astype(np.float64))
