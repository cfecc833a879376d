"""The lean path of `cross_entropy` for its most common call.

The call: float32 or float64 logits of shape (N, C), a C-contiguous ndarray; an ndarray of N
integer class indices, every one in [0, C) and none equal to ignore_index; no weight, no label
smoothing. `common_call` checks exactly that, cheaply, and returns None for anything else, so the
general path runs and does its own checks (with their messages): the two paths agree on which
calls are valid because this one only ever accepts calls the general path accepts.

Why a second path: at small sizes the general path's fixed cost (its checks, its options and a
dozen NumPy calls of about a microsecond each) is most of the time, and at every size its per-row
max, a NumPy reduction along a short contiguous axis, is the slowest step. Here:

- Tiny inputs (at most `SCALAR_MAX_ELEMENTS` numbers) are computed in Python floats: a few
  math.exp calls cost less than one NumPy call. For float32 logits, the row's sum of exponentials,
  its log and the target's distance to the max are each rounded to float32, as PyTorch's float32
  kernel rounds them; a float32 row whose loss is below `_ROUNDING_SENSITIVE` sends the call to
  the general path, which sums in PyTorch's order: a near-certain sample then loses the digits
  it loses in PyTorch (logits 0 and 15.6 with target 1: 1.1921e-07, not the exact 1.69e-07).
- Larger inputs need no max pass. loss = log(1 + R) with R = Σ_{c≠t} exp(x_c − x_t): the
  target's own term is left out of the sum (its cell zeroed before a BLAS matrix-vector product
  gives the row sums), and 1 + R is rounded to the logits' dtype before its log, where PyTorch
  rounds its sum of exponentials; float32 rows with a loss below `_ROUNDING_SENSITIVE` are
  computed again the general way, as below. Where a block's values all lie in exp's normal range
  (≥ log of the smallest normal number, plus 1), R = Σ_{c≠t} exp(x_c) / exp(x_t) and exp reads
  the logits as they are; otherwise each row is shifted by its target's logit first (then R is
  the sum itself). Where R is not finite — the target far below another class, ±inf or NaN —
  those rows alone are computed again the general way (shifted by the max), which gives
  PyTorch's results there, NaN and inf included.
"""

from __future__ import annotations

import math
from array import array

import numpy as np

from xentcore._kernel import scratch_like
from xentcore._pool import BLOCK_ELEMENTS, parallel_map, row_blocks

__all__ = ["SCALAR_MAX_ELEMENTS", "common_call"]

# Up to this many logits, Python floats beat NumPy's fixed cost per call (measured: at 2 × 3 the
# scalar path takes ~2 µs, one NumPy ufunc call ~0.8 µs and the lean NumPy path ~10 µs; the two
# paths cross between 128 and 256 logits).
SCALAR_MAX_ELEMENTS = 128
# From this many logits on, the blocks are spread over the thread pool: each thread then has
# ~100 µs of work or more, well above a hand-off (~30 µs).
PARALLEL_MIN_ELEMENTS = 1 << 18
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# Below this, exp(x) would lose precision (subnormal) or vanish: such blocks are shifted.
_LOWEST = {dtype: float(np.log(np.finfo(dtype).tiny)) + 1.0 for dtype in _FLOATS}
_REDUCTIONS = ("none", "mean", "sum")
# Below this loss, one ulp of the sum of exponentials (~1.2e-7 in float32) is a visible share of
# the loss, and only PyTorch's own order of rounding gives PyTorch's digits: such rows take the
# general way (x − max, exp, a sum along the row, log), which rounds in that order.
_ROUNDING_SENSITIVE = 0.05


def common_call(
    input: object, target: object, ignore_index: object, reduction: object
) -> np.ndarray | None:
    """`cross_entropy(input, target, ignore_index=..., reduction=...)`, or None if not the call.

    The caller has already checked that weight is None and label_smoothing is 0.
    """
    if not (
        type(input) is np.ndarray
        and type(target) is np.ndarray
        and input.ndim == 2
        and input.dtype in _FLOATS
        and input.flags.c_contiguous
        and target.ndim == 1
        and target.dtype.kind in "iu"
        and type(ignore_index) is int
        and type(reduction) is str
        and reduction in _REDUCTIONS
    ):
        return None
    n, c = input.shape
    if n == 0 or c == 0 or target.shape[0] != n:
        return None
    if n * c <= SCALAR_MAX_ELEMENTS:
        return _scalar(input, target, c, ignore_index, reduction)
    low, high = int(target.min()), int(target.max())
    if low < 0 or high >= c or low <= ignore_index <= high:
        return None  # out of range (an error) or possibly ignored positions: the general path
    losses = _vector_losses(input, target)
    if reduction == "none":
        return losses
    total = float(losses.sum(dtype=np.float64))
    return np.array(total if reduction == "sum" else total / n, dtype=input.dtype)


def _scalar(
    x: np.ndarray, target: np.ndarray, c: int, ignore_index: int, reduction: str
) -> np.ndarray | None:
    """The losses of a tiny input in Python floats, each row shifted by its max."""
    labels = target.tolist()
    low, high = min(labels), max(labels)
    if low < 0 or high >= c or low <= ignore_index <= high:
        return None
    exp, log = math.exp, math.log
    totals, gaps = [], []
    for row, k in zip(x.tolist(), labels, strict=True):
        # NaN anywhere makes the sum NaN; +inf (or a row of −inf) makes it inf − inf = NaN;
        # −inf at the target gives +inf: PyTorch's results, and Python floats never warn.
        peak = max(row)
        total = 0.0
        for value in row:
            total += exp(value - peak)
        totals.append(total)
        gaps.append(peak - row[k])
    n = len(totals)
    if x.dtype == np.float32:  # each step rounded where PyTorch's float32 kernel rounds it
        rounded = array("f", totals + gaps)
        logs = array("f", map(log, rounded[:n]))
        gaps = rounded[n:]
    else:
        logs = map(log, totals)
    losses = [lse + gap for lse, gap in zip(logs, gaps, strict=True)]
    if x.dtype == np.float32 and min(losses) < _ROUNDING_SENSITIVE:
        return None  # a near-certain sample: the general path rounds as PyTorch does
    if reduction == "none":
        return np.array(losses, dtype=x.dtype)
    total = sum(losses)
    return np.array(total if reduction == "sum" else total / len(losses), dtype=x.dtype)


def _vector_losses(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """−log softmax(x)[t] per row, in x's dtype, row block by row block (over threads if large)."""
    n, c = x.shape
    target = target.astype(np.intp, copy=False)  # checked to lie in [0, C)
    out = np.empty(n, dtype=x.dtype)
    # Blocks small enough that there are ~8 of them at mid sizes: a pool thread that wakes late
    # still finds some left to take (measured at 10 000 × 100: median 0.40 ms, against 0.53 ms
    # for the four blocks of BLOCK_ELEMENTS).
    block_elements = BLOCK_ELEMENTS if x.size >= 8 * BLOCK_ELEMENTS else BLOCK_ELEMENTS // 2
    rows_per_block = max(1, block_elements // c)
    ones = np.ones(c, dtype=x.dtype)
    lowest = _LOWEST[x.dtype]
    # Flat positions of each block's first column: the target's cell of every row is then
    # one index into the block, with no per-row Python and no (N, 1) index array.
    starts = np.arange(0, min(n, rows_per_block) * c, c)

    def work(rows: slice) -> None:
        xb, tb = x[rows], target[rows]
        cells = starts[: xb.shape[0]] + tb
        e = scratch_like(xb)
        flat = e.reshape(-1)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if xb.min() >= lowest:  # NaN compares False
                own = np.exp(xb, out=e).reshape(-1)[cells]  # exp(x_t)
            else:  # shifted by the target's logit, its own term is exp(0) = 1
                np.exp(np.subtract(xb, xb.reshape(-1)[cells][:, None], out=e), out=e)
                own = None
            flat[cells] = 0
            others = e @ ones  # Σ_{c≠t} exp(x_c), or Σ_{c≠t} exp(x_c − x_t)
            if own is not None:
                np.divide(others, own, out=others)
            # 1 + R in the logits' dtype, then its log: PyTorch's rounding of Σ exp(x − max).
            loss = np.log(np.add(others, 1, out=others), out=out[rows])
        # A non-finite target logit leaves R finite (x_t = +inf makes it 0) but is PyTorch's NaN.
        bad = ~np.isfinite(loss) | ~np.isfinite(xb.reshape(-1)[cells])
        if x.dtype == np.float32:
            bad |= loss < _ROUNDING_SENSITIVE
        if bad.any():
            loss[bad] = _max_shifted_losses(xb[bad], tb[bad])

    parallel_map(work, row_blocks(n, c, block_elements), x.size, PARALLEL_MIN_ELEMENTS)
    return out


def _max_shifted_losses(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The general way, for the rows whose R is not finite: x − max, then lse − x_t.

    A ±inf max is subtracted as is (a +inf logit or a row of −inf gives NaN), as PyTorch does.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        shifted = x - x.max(axis=1, keepdims=True)
        picked = shifted[np.arange(x.shape[0]), target]
        return np.log(np.exp(shifted).sum(axis=1)) - picked
