"""Binary cross-entropy from probabilities and from logits, as in ``torch.nn.functional``."""

from __future__ import annotations

import numpy as np

from xentcore._validation import as_float_array, check_reduction, compute_dtype

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits"]

# PyTorch clamps each log term at −100 so that p = 0 or p = 1 gives a finite loss (at most 100).
LOG_CLAMP = -100.0


def _pair(input: object, target: object, input_name: str) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(input, input_name)
    y = as_float_array(target, "target")
    if y.shape != x.shape:
        raise ValueError(
            f"target must have the same shape as {input_name} {x.shape}; got {y.shape}"
        )
    dtype = compute_dtype(x.dtype)
    return x.astype(dtype, copy=False), y.astype(dtype, copy=False)


def _broadcast_weight(
    weight: object, shape: tuple[int, ...], name: str, dtype
) -> np.ndarray | None:
    if weight is None:
        return None
    w = as_float_array(weight, name)
    try:
        # the weight may not enlarge the loss: (2, 3) against a (3,) input is refused, as in torch
        fits = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{name} of shape {w.shape} cannot be broadcast to the input's shape {shape}"
        )
    return w.astype(dtype, copy=False)


def _reduce(loss: np.ndarray, reduction: str, dtype: np.dtype) -> np.ndarray:
    if reduction == "none":
        return loss.astype(dtype, copy=False)
    total = loss.sum(dtype=np.float64)
    # an empty batch's mean is 0/0: NaN, as in PyTorch
    value = total if reduction == "sum" else (total / loss.size if loss.size else np.nan)
    return np.asarray(value, dtype=dtype)


def binary_cross_entropy(
    probs: object, target: object, weight: object = None, reduction: str = "mean"
) -> np.ndarray:
    """−w · [y · log p + (1 − y) · log(1 − p)], each log clamped at −100, as PyTorch does.

    Parameters
    ----------
    probs : array_like, any shape — probabilities in [0, 1]
    target : array_like, same shape — targets, usually 0 or 1 (soft values are allowed)
    weight : array_like, optional — broadcast to the input's shape
    reduction : {"none", "mean", "sum"}; "mean" averages over every element

    >>> float(binary_cross_entropy([0.99], [1.0]).round(8))
    0.01005034
    """
    reduction = check_reduction(reduction)
    dtype = as_float_array(probs, "probs").dtype
    p, y = _pair(probs, target, "probs")
    outside = ~((p >= 0) & (p <= 1))
    if outside.any():
        where = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ValueError(
            f"probs must lie in [0, 1] (apply a sigmoid to logits, or use "
            f"binary_cross_entropy_with_logits); got {p[where]!r} at index {where}"
        )
    w = _broadcast_weight(weight, p.shape, "weight", p.dtype)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), LOG_CLAMP)
        log_not_p = np.maximum(np.log1p(-p), LOG_CLAMP)
    loss = -(y * log_p + (1 - y) * log_not_p)
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction, dtype)


def binary_cross_entropy_with_logits(
    logits: object,
    target: object,
    weight: object = None,
    pos_weight: object = None,
    reduction: str = "mean",
) -> np.ndarray:
    """Binary cross-entropy of sigmoid(logits), computed stably without forming the sigmoid.

    loss = w · [(1 − y) · x + (1 + (pw − 1) · y) · log(1 + exp(−x))], with log(1 + exp(−x)) taken
    as log1p(exp(−|x|)) + max(−x, 0) so no exponent overflows. pos_weight (pw) multiplies the
    positive term and broadcasts along the last axis (one entry per class in multi-label output).

    >>> float(binary_cross_entropy_with_logits([0.0], [1.0]).round(6))
    0.693147
    """
    reduction = check_reduction(reduction)
    dtype = as_float_array(logits, "logits").dtype
    x, y = _pair(logits, target, "logits")
    w = _broadcast_weight(weight, x.shape, "weight", x.dtype)
    pw = _broadcast_weight(pos_weight, x.shape, "pos_weight", x.dtype)
    softplus_neg = np.log1p(np.exp(-np.abs(x))) + np.maximum(-x, 0)  # log(1 + e^{−x})
    log_weight = 1 if pw is None else 1 + (pw - 1) * y
    loss = (1 - y) * x + log_weight * softplus_neg
    if w is not None:
        loss = loss * w
    return _reduce(loss, reduction, dtype)
