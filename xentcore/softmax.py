"""Softmax, log-softmax, log-sum-exp and one-hot encoding.

All three reductions subtract the maximum along the axis before exponentiating, so any finite
input — logits of ±1e4 included — gives finite results with no overflow warning. The dtype is
kept: float32 in, float32 out; float64 in, float64 out (integers are promoted to float64).
"""

from __future__ import annotations

import numpy as np

from xentcore._validation import (
    as_float_array,
    check_nonempty,
    compute_dtype,
    resolve_axis,
)

__all__ = ["log_softmax", "logsumexp", "one_hot", "softmax"]


def _shifted(
    x: object, axis: int | None, name: str, *, shift_infinite_peak: bool = True
) -> tuple[np.ndarray, np.ndarray, int, np.dtype]:
    """Return (x - max(x), max(x)) along the axis, computed in a dtype with enough range.

    With shift_infinite_peak, a ±inf maximum is subtracted as is, so a +inf logit or a row of −inf
    turns the row NaN — what PyTorch's softmax and log_softmax report. Without it, such rows are
    shifted by 0, which yields torch.logsumexp's limits (+inf for a +inf logit, −inf for all −inf).
    """
    arr = as_float_array(x, name)
    check_nonempty(arr, name)
    ax = resolve_axis(axis, arr.ndim, name)
    work = arr.astype(compute_dtype(arr.dtype), copy=False)
    peak = work.max(axis=ax, keepdims=True)
    if not shift_infinite_peak:
        peak = np.where(np.isfinite(peak), peak, 0).astype(work.dtype, copy=False)
    with np.errstate(invalid="ignore"):
        return work - peak, peak, ax, arr.dtype


def logsumexp(x: object, axis: int | None = None, keepdims: bool = False) -> np.ndarray:
    """log Σ_c exp(x_c) along `axis`, without overflow.

    Parameters
    ----------
    x : array_like, shape (C,), (N, C) or (N, C, d1, ..., dK)
    axis : int, optional
        Defaults to the class axis: 0 for a 1-D input, 1 otherwise (PyTorch's convention).
    keepdims : bool, default False

    Formula: logsumexp(x) = m + log Σ_c exp(x_c − m), with m = max_c x_c.

    >>> float(logsumexp([1000.0, 1000.0]))
    1000.6931471805599
    """
    shifted, peak, ax, dtype = _shifted(x, axis, "x", shift_infinite_peak=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log(np.exp(shifted).sum(axis=ax, keepdims=True)) + peak
    if not keepdims:
        out = np.squeeze(out, axis=ax)
    return out.astype(dtype, copy=False)


def log_softmax(x: object, axis: int | None = None) -> np.ndarray:
    """log σ(x) along `axis`, computed as (x − m) − log Σ exp(x − m) — never log(softmax(x)).

    Taking the log of a softmax that underflowed to 0 would give −inf; this form stays finite.

    >>> log_softmax([[1.0, 2.0, 3.0]]).round(4)
    array([[-2.4076, -1.4076, -0.4076]])
    """
    shifted, _, ax, dtype = _shifted(x, axis, "x")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = shifted - np.log(np.exp(shifted).sum(axis=ax, keepdims=True))
    return out.astype(dtype, copy=False)


def softmax(x: object, axis: int | None = None) -> np.ndarray:
    """σ(x)_c = exp(x_c) / Σ_j exp(x_j) along `axis` (the class axis by default).

    >>> softmax([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]).round(4)
    array([[0.09  , 0.2447, 0.6652],
           [0.0159, 0.1173, 0.8668]])
    """
    shifted, _, ax, dtype = _shifted(x, axis, "x")
    with np.errstate(invalid="ignore"):
        e = np.exp(shifted)
        out = e / e.sum(axis=ax, keepdims=True)
    return out.astype(dtype, copy=False)


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
