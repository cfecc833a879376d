"""The gradient of `cross_entropy` with respect to the logits, in closed form."""

from __future__ import annotations

import math

import numpy as np

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
from xentcore.softmax import softmax

__all__ = ["cross_entropy_grad"]


def cross_entropy_grad(
    input: object,
    target: object,
    weight: object = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """∂L/∂input for `cross_entropy` with the same arguments; the input's shape and dtype.

    Without weights, each position's gradient is softmax(z) − q', where q' is the (smoothed)
    target distribution: the prediction is pushed down where it exceeds the target and up where
    it falls short. With class weights w and class-index target t:

        ∂loss/∂z_j = p_j · [(1 − ε) w_t + (ε / C) Σ_c w_c] − [(1 − ε) w_t 1{j = t} + (ε / C) w_j]

    and with probability targets: p_j · Σ_c w_c q'_c − w_j q'_j. Ignored positions get 0 (an
    all-ignored "mean" too, as in autograd). "mean" divides by the same denominator as the loss;
    "sum" and "none" do not (for "none", each position holds the gradient of its own loss — what
    autograd gives for an all-ones upstream gradient).

    >>> cross_entropy_grad([[1.0, 2.0, 3.0]], [0], reduction="sum").round(4)
    array([[-0.91  ,  0.2447,  0.6652]])
    """
    x = as_float_array(input, "input")
    check_input_ndim(x)
    check_has_classes(x, "input")
    reduction = check_reduction(reduction)
    ignore_index = check_ignore_index(ignore_index)
    eps = check_label_smoothing(label_smoothing)
    dtype = compute_dtype(x.dtype)
    work = x.astype(dtype, copy=False)
    single = work.ndim == 1
    x3 = (
        work.reshape(1, -1, 1)
        if single
        else work.reshape(*work.shape[:2], math.prod(work.shape[2:]))
    )
    n, c, d = x3.shape
    w = class_weight(weight, c, dtype)
    w_vec = np.ones(c, dtype=dtype) if w is None else w
    p = softmax(x3, axis=1)

    if is_probability_target(target, x.shape):
        if ignore_index >= 0:
            raise ValueError(
                f"ignore_index is not supported with probability targets; got {ignore_index}"
            )
        q = probability_target(target, x.shape).astype(dtype, copy=False).reshape(x3.shape)
        qw = ((1 - eps) * q + eps / c) * w_vec[None, :, None]
        grad = p * qw.sum(axis=1, keepdims=True) - qw
        denominator = float(n * d)
    else:
        t = class_index_target(target, x.shape, c, ignore_index).reshape(n, d)
        ignored = t == ignore_index
        safe_t = np.where(ignored, 0, t)
        wt = np.where(ignored, 0, w_vec[safe_t])  # (N, D)
        coef = (1 - eps) * wt + (eps / c) * w_vec.sum() * ~ignored
        hot = (np.arange(c)[None, :, None] == safe_t[:, None, :]).astype(dtype)
        pull = (1 - eps) * wt[:, None, :] * hot + (eps / c) * w_vec[None, :, None] * ~ignored[
            :, None
        ]
        grad = p * coef[:, None, :] - pull
        denominator = float(wt.sum(dtype=np.float64))
    # An all-ignored batch has a NaN "mean" loss but, as in autograd, a zero gradient.
    if reduction == "mean" and denominator:
        grad = grad / denominator
    return grad.reshape(x.shape).astype(x.dtype, copy=False)
