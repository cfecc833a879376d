"""The same loss computed by PyTorch, so the app can show that PyTorch agrees.

torch is imported on first use only: importing it costs over a second.
"""

from __future__ import annotations

import importlib.util
from functools import cache

import numpy as np

__all__ = ["torch_available", "torch_cross_entropy", "torch_cross_entropy_grad"]


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


@cache
def _torch():
    import torch

    return torch


def _contiguous(arr: object) -> np.ndarray:
    # np.ascontiguousarray returns at least 1-D; keep the 0-d target of a single (C,) sample 0-d.
    arr = np.asarray(arr)
    return np.ascontiguousarray(arr).reshape(arr.shape)


def _tensors(input: object, target: object, weight: object):
    torch = _torch()
    x = torch.from_numpy(_contiguous(input))
    t_arr = _contiguous(target)
    if t_arr.shape == tuple(x.shape):
        t = torch.from_numpy(t_arr.astype(np.asarray(input).dtype, copy=False))
    else:
        t = torch.from_numpy(t_arr.astype(np.int64, copy=False))
    w = (
        None
        if weight is None
        else torch.from_numpy(np.asarray(weight, dtype=np.asarray(input).dtype))
    )
    return x, t, w


def torch_cross_entropy(
    input: object,
    target: object,
    weight: object = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """``torch.nn.functional.cross_entropy`` on NumPy arrays; returns a NumPy array."""
    x, t, w = _tensors(input, target, weight)
    out = _torch().nn.functional.cross_entropy(
        x,
        t,
        weight=w,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
    return out.numpy()


def torch_cross_entropy_grad(
    input: object,
    target: object,
    weight: object = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """The gradient of the loss (summed, for "none") with respect to the logits, by autograd."""
    x, t, w = _tensors(input, target, weight)
    x = x.clone().requires_grad_(True)
    out = _torch().nn.functional.cross_entropy(
        x,
        t,
        weight=w,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
    out.sum().backward()
    return x.grad.numpy()
