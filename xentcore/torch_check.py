"""The same loss computed by PyTorch, so the app can show that PyTorch agrees.

torch is imported on first use only: importing it costs over a second.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from xentcore._pool import row_blocks

__all__ = [
    "torch_available",
    "torch_cross_entropy",
    "torch_cross_entropy_grad",
    "torch_mean_cross_entropy",
]


def torch_available() -> bool:
    return importlib.util.find_spec("torch") is not None


def _torch():
    import torch  # Python keeps the module: later imports are a dictionary look-up

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


# PyTorch's blocks: at most 2**22 elements (16 MiB of float32) — smaller blocks cost PyTorch far
# more in thread hand-offs (measured: 4× slower at 2**20 for 100 000 × 1 000) — and at most an
# eighth of the matrix, so that its temporaries (the block's copy and log-softmax) stay a small
# fraction of it; never under 2**18.
_TORCH_MAX_BLOCK = 1 << 22
_TORCH_MIN_BLOCK = 1 << 18


def torch_mean_cross_entropy(
    scores: np.ndarray, labels: np.ndarray, from_logits: bool = True
) -> float:
    """PyTorch's mean cross-entropy of an (N, C) matrix, block by block; NaN without torch.

    Each block goes through ``F.cross_entropy(block, labels, reduction="sum")`` (on log P when
    ``from_logits=False``); the block sums are added in float64 and divided by N. Blocks keep
    PyTorch's temporaries small; the result differs from one mean over all rows only by
    rounding. An independent cross-check: it reads the matrix itself.
    """
    if not torch_available():
        return float("nan")
    n, c = scores.shape
    block_elements = min(_TORCH_MAX_BLOCK, max(_TORCH_MIN_BLOCK, n * c // 8))
    blocks = row_blocks(n, c, block_elements)
    # torch.from_numpy warns on read-only arrays (an upload's bytes are): each block is copied
    # into one writable buffer, reused, rather than muting a process-wide warning filter.
    buffer = np.empty((blocks[0].stop - blocks[0].start, c), dtype=scores.dtype)
    total = 0.0
    for rows in blocks:
        block = buffer[: rows.stop - rows.start]
        if from_logits:
            np.copyto(block, scores[rows])
        else:
            with np.errstate(divide="ignore"):
                np.log(scores[rows], out=block)
        total += float(torch_cross_entropy(block, labels[rows], reduction="sum"))
    return total / n
