"""Softmax, log-softmax, log-sum-exp and one-hot encoding.

All three reductions subtract the maximum along the axis before exponentiating, so any finite
input — logits of ±1e4 included — gives finite results with no overflow warning. The dtype is
kept: float32 in, float32 out; float64 in, float64 out (integers are promoted to float64).

Shapes are PyTorch 2.13's: an empty input gives an empty result of the same shape (logsumexp: −inf
where it sums over nothing, the log of an empty sum), and a 0-d input is one class along axis 0
(or −1), so softmax gives 1, log_softmax 0 and logsumexp the value itself.
"""

from __future__ import annotations

import numpy as np

from xentcore._validation import as_float_array, compute_dtype, resolve_axis

__all__ = ["log_softmax", "logsumexp", "one_hot", "softmax"]


def _axis(axis: int | None, ndim: int, name: str) -> int:
    """The axis to reduce; a 0-d input has one, as in PyTorch: dim 0 or −1, like a (1,) vector."""
    if ndim:
        return resolve_axis(axis, ndim, name)
    if axis is None:
        return 0
    if isinstance(axis, (int, np.integer)) and not isinstance(axis, bool) and axis not in (0, -1):
        raise ValueError(
            f"axis {axis} is out of range for {name} with 0 dimensions (a scalar); "
            "valid axes are -1 to 0"
        )
    return resolve_axis(axis, 1, name)  # 0, or the wrong type named as for any input


def _shifted(
    arr: np.ndarray, ax: int, *, shift_infinite_peak: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Return (x - max(x), max(x)) along the axis of a non-empty, at least 1-D array.

    With shift_infinite_peak, a ±inf maximum is subtracted as is, so a +inf logit or a row of −inf
    turns the row NaN — what PyTorch's softmax and log_softmax report. Without it, such rows are
    shifted by 0, which yields torch.logsumexp's limits (+inf for a +inf logit, −inf for all −inf).
    """
    work = arr.astype(compute_dtype(arr.dtype), copy=False)
    peak = work.max(axis=ax, keepdims=True)
    if not shift_infinite_peak:
        peak = np.where(np.isfinite(peak), peak, 0).astype(work.dtype, copy=False)
    with np.errstate(invalid="ignore"):
        return work - peak, peak


def _row_probabilities(block: np.ndarray, from_logits: bool) -> np.ndarray:
    """softmax of a block of logits (N, C), or probabilities renormalised by their row sums, in
    float64 (a metric's block: no dtype kept, no axis to choose)."""
    x = block.astype(np.float64)
    if from_logits:
        with np.errstate(invalid="ignore"):
            x = np.exp(x - x.max(axis=1, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / x.sum(axis=1, keepdims=True)


def _read(x: object, axis: int | None) -> tuple[np.ndarray, int, tuple[int, ...]]:
    """(x as a floating array of at least 1 dimension, the axis, x's own shape)."""
    arr = as_float_array(x, "x")
    ax = _axis(axis, arr.ndim, "x")
    return arr.reshape(arr.shape or (1,)), ax, arr.shape


def logsumexp(x: object, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    """log Σ_c exp(x_c) along `axis`, without overflow.

    Parameters
    ----------
    x : array_like, shape (C,), (N, C) or (N, C, d1, ..., dK)
    axis : int, optional
        Defaults to the class axis: 0 for a 0-D or 1-D input, 1 otherwise (PyTorch's convention).
    keepdims : bool, default False

    Formula: logsumexp(x) = m + log Σ_c exp(x_c − m), with m = max_c x_c.

    >>> float(logsumexp([1000.0, 1000.0]))
    1000.6931471805599
    """
    arr, ax, shape = _read(x, axis)
    if arr.size == 0:  # log of an empty sum where the axis is empty; nothing to sum elsewhere
        out = np.full((*arr.shape[:ax], 1, *arr.shape[ax + 1 :]), -np.inf, arr.dtype)
    else:
        shifted, peak = _shifted(arr, ax, shift_infinite_peak=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log(np.exp(shifted).sum(axis=ax, keepdims=True)) + peak
    if not keepdims or not shape:  # a 0-d input reduces to a 0-d result, as torch's
        out = np.squeeze(out, axis=ax)
    return out.astype(arr.dtype, copy=False)


def log_softmax(x: object, axis: int | None = None) -> np.ndarray:
    """log σ(x) along `axis`, computed as (x − m) − log Σ exp(x − m) — never log(softmax(x)).

    Taking the log of a softmax that underflowed to 0 would give −inf; this form stays finite.

    >>> log_softmax([[1.0, 2.0, 3.0]]).round(4)
    array([[-2.4076, -1.4076, -0.4076]])
    """
    arr, ax, shape = _read(x, axis)
    if arr.size == 0:
        return np.empty(shape, arr.dtype)
    shifted, _ = _shifted(arr, ax)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = shifted - np.log(np.exp(shifted).sum(axis=ax, keepdims=True))
    return out.reshape(shape).astype(arr.dtype, copy=False)


def softmax(x: object, axis: int | None = None) -> np.ndarray:
    """σ(x)_c = exp(x_c) / Σ_j exp(x_j) along `axis` (the class axis by default).

    >>> softmax([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]).round(4)
    array([[0.09  , 0.2447, 0.6652],
           [0.0159, 0.1173, 0.8668]])
    """
    arr, ax, shape = _read(x, axis)
    if arr.size == 0:
        return np.empty(shape, arr.dtype)
    shifted, _ = _shifted(arr, ax)
    with np.errstate(invalid="ignore"):
        e = np.exp(shifted)
        out = e / e.sum(axis=ax, keepdims=True)
    return out.reshape(shape).astype(arr.dtype, copy=False)


def one_hot(target: object, num_classes: int) -> np.ndarray:
    """Encode class indices as one-hot rows: shape target.shape + (num_classes,), dtype int64.

    Like ``torch.nn.functional.one_hot``, the new axis is the last one.

    >>> one_hot([0, 2], 3)
    array([[1, 0, 0],
           [0, 0, 1]])
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"num_classes must be a positive int; got {num_classes!r}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be at least 1; got {num_classes}")
    arr = np.asarray(target)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"target must hold integer class indices; got an array of dtype {arr.dtype}"
        )
    bad = (arr < 0) | (arr >= num_classes)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise IndexError(
            f"target {int(arr[where])} at index {where} is out of range: class indices must be "
            f"in [0, {num_classes - 1}] for num_classes={num_classes}"
        )
    return (arr[..., None] == np.arange(num_classes)).astype(np.int64)
