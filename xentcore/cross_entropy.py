"""`cross_entropy` and `nll_loss` with the semantics of ``torch.nn.functional`` (torch 2.13).

Shapes, as in PyTorch (the class axis is axis 1, or axis 0 for a single sample):

- input: (C,), (N, C) or (N, C, d1, ..., dK) — unnormalised logits (log-probabilities for nll_loss)
- target: class indices of shape (), (N,) or (N, d1, ..., dK); or, for cross_entropy, class
  probabilities of exactly the input's shape (a floating array)
- output: a scalar for "mean" and "sum"; the target's index shape for "none"
"""

from __future__ import annotations

import math

import numpy as np

from xentcore import _kernel
from xentcore._common_call import common_call
from xentcore._validation import (
    as_float_array,
    check_has_classes,
    check_ignore_index,
    check_input_ndim,
    check_label_smoothing,
    check_reduction,
    class_index_target,
    class_weight,
    compute_dtype,
    is_probability_target,
    probability_target,
)

__all__ = ["cross_entropy", "nll_loss"]


def _as_nc_d(arr: np.ndarray) -> np.ndarray:
    """View (C,), (N, C) or (N, C, d1..dK) as (N, C, D)."""
    if arr.ndim == 1:
        return arr.reshape(1, arr.shape[0], 1)
    n, c = arr.shape[:2]
    return arr.reshape(n, c, math.prod(arr.shape[2:]))  # not -1: an empty batch has no size


def _index_shape(input_shape: tuple[int, ...]) -> tuple[int, ...]:
    return () if len(input_shape) == 1 else input_shape[:1] + input_shape[2:]


def _reduce(losses: np.ndarray, reduction: str, denominator: float, dtype: np.dtype) -> np.ndarray:
    if reduction == "none":
        return losses.astype(dtype, copy=False)
    total = losses.sum(dtype=np.float64)
    if reduction == "sum":
        return np.asarray(total, dtype=dtype)
    if denominator == 0:
        # No weight left to divide by (every sample ignored, or weighted 0): PyTorch's mean is
        # (1 − ε)·Σ w·nll / Σ w + ε·Σ w·smooth / Σ w, and its first term is 0/0 — NaN, even
        # where the smoothing term alone would be ∞.
        return np.asarray(np.nan, dtype=dtype)
    mean = np.float64(total) / np.float64(denominator)
    return np.asarray(mean, dtype=dtype)


def _prepare_input(input: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(input, name)
    check_input_ndim(x, name)
    check_has_classes(x, name)
    return x, x.astype(compute_dtype(x.dtype), copy=False)


def cross_entropy(
    input: object,
    target: object,
    weight: object = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """Cross-entropy between logits and targets, exactly as ``torch.nn.functional.cross_entropy``.

    Parameters
    ----------
    input : array_like, shape (C,), (N, C) or (N, C, d1, ..., dK)
        Unnormalised logits; the class axis is 1 (0 for a single sample).
    target : array_like
        Class indices, shape (), (N,) or (N, d1, ..., dK); or class probabilities of the input's
        exact shape (a target with the input's shape is always read as probabilities).
    weight : array_like, shape (C,), optional
        A non-negative rescaling weight per class.
    ignore_index : int, default -100
        Positions whose class-index target equals this contribute 0 and are left out of the mean.
        Not supported (must be negative) with probability targets, as in PyTorch.
    reduction : {"none", "mean", "sum"}, default "mean"
    label_smoothing : float in [0, 1], default 0.0
        Mixes the target with the uniform distribution: q' = (1 − ε) q + ε / C.

    Returns
    -------
    ndarray
        The input's dtype (float32 stays float32). A 0-d array for "mean" and "sum".

    Notes
    -----
    With class indices t and logp = log_softmax(input) (natural logarithm):

        loss_i = (1 − ε) · (−w[t_i] · logp_i[t_i])  +  (ε / C) · Σ_c −w[c] · logp_i[c]

    "mean" divides Σ_i loss_i by Σ_i w[t_i] over non-ignored positions (their count without
    weights); an all-ignored "mean" is NaN. With probability targets,
    loss_i = −Σ_c w[c] q'_ic logp_ic and "mean" divides by the number of positions N·d1···dK,
    whatever the weights — PyTorch's rule.

    Non-finite logits propagate as in PyTorch: a NaN or +inf anywhere in a sample's logits makes
    that sample's loss NaN; a −inf logit for the target class makes it +inf.
    Use `nonfinite_cells` to locate them.

    >>> float(cross_entropy([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]], [0, 2]).round(4))
    1.2753
    """
    if weight is None and type(label_smoothing) in (float, int) and label_smoothing == 0:
        lean = common_call(input, target, ignore_index, reduction)
        if lean is not None:
            return lean
    x, work = _prepare_input(input, "input")
    reduction = check_reduction(reduction)
    ignore_index = check_ignore_index(ignore_index)
    eps = check_label_smoothing(label_smoothing)
    num_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    w = class_weight(weight, num_classes, work.dtype)
    out_shape = _index_shape(x.shape)

    if is_probability_target(target, x.shape):
        if ignore_index >= 0:
            raise ValueError(
                f"ignore_index is not supported with probability targets (a target of the "
                f"input's shape {x.shape}); got ignore_index={ignore_index}. Pass class indices "
                "to ignore positions, or leave ignore_index at its default of -100"
            )
        q = probability_target(target, x.shape)
        losses = _kernel.probability_losses(_as_nc_d(work), _as_nc_d(q), w, eps)
        denominator = float(losses.size)
    else:
        t = class_index_target(target, x.shape, num_classes, ignore_index)
        losses, denominator = _kernel.class_index_losses(
            _as_nc_d(work), t.reshape(_as_nc_d(work).shape[::2]), w, ignore_index, eps
        )
    return _reduce(losses.reshape(out_shape), reduction, denominator, x.dtype)


def nll_loss(
    log_probs: object,
    target: object,
    weight: object = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    """Negative log-likelihood of class-index targets, as ``torch.nn.functional.nll_loss``.

    loss_i = −w[t_i] · log_probs_i[t_i] (0 where t_i == ignore_index); "mean" divides by
    Σ_i w[t_i] over non-ignored positions. Shapes as in `cross_entropy`; only class indices.

    >>> float(nll_loss([[-2.4076, -1.4076, -0.4076]], [0]))
    2.4076
    """
    x, work = _prepare_input(log_probs, "log_probs")
    reduction = check_reduction(reduction)
    ignore_index = check_ignore_index(ignore_index)
    num_classes = x.shape[0] if x.ndim == 1 else x.shape[1]
    w = class_weight(weight, num_classes, work.dtype)
    t = class_index_target(target, x.shape, num_classes, ignore_index)

    x3 = _as_nc_d(work)
    t2 = t.reshape(x3.shape[::2])
    ignored = t2 == ignore_index
    safe_t = np.where(ignored, 0, t2)
    losses = -np.take_along_axis(x3, safe_t[:, None, :], axis=1)[:, 0, :]
    tw = w[safe_t] if w is not None else np.ones(safe_t.shape, dtype=work.dtype)
    tw = np.where(ignored, 0, tw)
    # A −inf log-probability times a zero weight is NaN, as in PyTorch; an ignored one becomes 0.
    with np.errstate(invalid="ignore"):
        losses = np.where(ignored, 0, losses * tw)
    denominator = float(tw.sum(dtype=np.float64))
    return _reduce(losses.reshape(_index_shape(x.shape)), reduction, denominator, x.dtype)
