"""The block-streaming cross-entropy kernel.

The input is walked in blocks of a few hundred kilobytes, so the extra memory is O(block) rather
than O(N·C), and each block stays in cache while it is read four times (max, shift, exp, sum).
Blocks are independent; large inputs are spread over xentcore's one thread pool (`_pool`).
Per-position losses are written into one (N, D) array — D is the product of the K extra
dimensions, 1 for an (N, C) input — and the mean's denominator is accumulated in float64.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import numpy as np

from xentcore._pool import BLOCK_ELEMENTS as _BLOCK_ELEMENTS
from xentcore._pool import parallel_map

# One scratch buffer per thread and dtype: a fresh 512 KiB array per block would be an mmap and
# page faults every time, which costs more than the arithmetic.
_scratch = threading.local()


Block = tuple[slice, slice]


def _blocks(n: int, c: int, d: int) -> Iterator[Block]:
    """Yield (rows, positions) slices covering an (N, C, D) array in cache-sized blocks."""
    per_sample = c * d
    if per_sample <= _BLOCK_ELEMENTS:
        rows = max(1, _BLOCK_ELEMENTS // max(per_sample, 1))  # D = 0: rows of nothing
        for start in range(0, n, rows):
            yield slice(start, min(start + rows, n)), slice(0, d)
    else:
        cols = max(1, _BLOCK_ELEMENTS // c)
        for row in range(n):
            for start in range(0, d, cols):
                yield slice(row, row + 1), slice(start, min(start + cols, d))


def _run(blocks: list[Block], work: Callable[[Block], float], size: int) -> float:
    return float(sum(parallel_map(work, blocks, size)))


def scratch_like(xb: np.ndarray, slot: int = 0) -> np.ndarray:
    """A C-contiguous array of xb's shape and dtype, this thread's; reused by the next block.

    Each `slot` is a separate buffer, for a block that needs two temporaries at once.
    """
    key = f"buf_{xb.dtype.str}_{slot}"
    buf = getattr(_scratch, key, None)
    if buf is None or buf.size < xb.size:
        buf = np.empty(max(xb.size, _BLOCK_ELEMENTS), dtype=xb.dtype)
        setattr(_scratch, key, buf)
    return buf[: xb.size].reshape(xb.shape)


def _shift(xb: np.ndarray) -> np.ndarray:
    """x − max over the class axis, into this thread's scratch.

    A ±inf max is subtracted as is, as PyTorch's log_softmax does: a +inf logit (or a row of −inf)
    turns the row NaN, so its loss is NaN whatever the target.
    """
    peak = xb.max(axis=1, keepdims=True)
    return np.subtract(xb, peak, out=scratch_like(xb))


def _class_dot(block: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Σ_c block[:, c, ...] · vector[c]; a BLAS matrix-vector product when the block is 2-D."""
    if block.ndim == 2:
        return block @ vector
    return np.einsum("bcd,c->bd", block, vector)


def _squeeze_positions(xb: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Drop the trailing D axis of an (N, C) input's blocks so 2-D fast paths apply."""
    if xb.shape[2] != 1:
        return (xb, *others)
    return (xb[:, :, 0], *(o[..., 0] for o in others))


def class_index_losses(
    x: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray | None,
    ignore_index: int,
    label_smoothing: float,
) -> tuple[np.ndarray, float]:
    """Per-position losses and the weighted-mean denominator, for class-index targets.

    x is (N, C, D), target (N, D). For each position, with logp = log_softmax over C:
        nll    = −w[t] · logp[t]
        smooth = −Σ_c w[c] · logp[c]                         (only when label_smoothing > 0)
        loss   = (1 − ε) · nll + ε / C · smooth,   0 where t == ignore_index
    and the denominator is Σ w[t] over positions that are not ignored (their count when w is None).
    """
    n, c, d = x.shape
    out = np.empty((n, d), dtype=x.dtype)
    eps = label_smoothing
    w_total = float(weight.sum()) if weight is not None else float(c)
    ones = np.ones(c, dtype=x.dtype)

    def work(block: Block) -> float:
        rows, cols = block
        xb, tb = _squeeze_positions(x[rows, :, cols], target[rows, cols])
        ignored = tb == ignore_index
        any_ignored = bool(ignored.any())
        safe_t = np.where(ignored, 0, tb) if any_ignored else tb
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            shifted = _shift(xb)
            picked = np.take_along_axis(shifted, safe_t[:, None], axis=1)[:, 0]
            if eps > 0:
                weighted_sum = _class_dot(shifted, ones if weight is None else weight)
            np.exp(shifted, out=shifted)
            lse = np.log(_class_dot(shifted, ones))  # log Σ exp(x − max)
            loss = lse - picked  # −log p[t]
            wt = weight[safe_t] if weight is not None else None
            if wt is not None:
                loss *= wt
            if eps > 0:
                smooth = w_total * lse - weighted_sum
                loss = (1.0 - eps) * loss + (eps / c) * smooth
        if any_ignored:
            loss[ignored] = 0
        out[rows, cols] = loss.reshape(out[rows, cols].shape)
        kept = ~ignored
        if wt is None:
            return float(np.count_nonzero(kept))
        return float(wt.sum(dtype=np.float64, where=kept))

    blocks = list(_blocks(n, c, d))
    denominator = _run(blocks, work, x.size)
    return out, denominator


def probability_losses(
    x: np.ndarray, q: np.ndarray, weight: np.ndarray | None, label_smoothing: float
) -> np.ndarray:
    """Per-position losses −Σ_c w[c] · q'[c] · logp[c] for probability targets (N, C, D).

    q' = (1 − ε) · q + ε / C is the smoothed target. PyTorch averages these over all N·D positions,
    whatever the weights, so no denominator is returned.
    """
    n, c, d = x.shape
    out = np.empty((n, d), dtype=x.dtype)
    eps = label_smoothing
    ones = np.ones(c, dtype=x.dtype)
    class_scale = np.ones(c, dtype=x.dtype) if weight is None else weight

    def work(block: Block) -> float:
        rows, cols = block
        xb, qb = _squeeze_positions(x[rows, :, cols], q[rows, :, cols])
        scale = class_scale.reshape((c,) + (1,) * (xb.ndim - 2))
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            # q' · w, the smoothed and weighted target, in one temporary of the block's size
            qw = (qb * (1.0 - eps) + eps / c) * scale if eps > 0 else qb * scale
            qw = qw.astype(xb.dtype, copy=False)
            shifted = _shift(xb)
            # −Σ q'w · logp = Σ q'w · (lse − (x − max)) = lse · Σ q'w − Σ q'w · (x − max)
            dot = np.einsum("bc...,bc...->b...", qw, shifted)
            np.exp(shifted, out=shifted)
            lse = np.log(_class_dot(shifted, ones))
            loss = lse * qw.sum(axis=1) - dot
        out[rows, cols] = loss.reshape(out[rows, cols].shape)
        return 0.0

    _run(list(_blocks(n, c, d)), work, x.size)
    return out
