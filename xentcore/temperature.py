"""Temperature scaling: one number T > 0 that every logit is divided by, fitted by minimising the
mean negative log-likelihood (natural log) of softmax(z / T).

T does not change any argmax, so accuracy is unchanged; what it changes is the confidence, and so
the calibration (`xentcore.calibration`). The fit is Newton's method on the NLL's derivative in
log(1/T), in float64 row blocks of the logits (see `fit_temperature`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from xentcore._pool import row_blocks
from xentcore._validation import class_labels, score_matrix

__all__ = ["TemperatureFit", "fit_temperature"]

# Rows per block of the fit's float64 temporaries (subsample × classes, 1 MiB a block).
_FIT_BLOCK_ELEMENTS = 1 << 17
_FIT_TOLERANCE = 1e-9  # in log T: far below the promised relative 1e-4
_FIT_MAX_EVALUATIONS = 200


@dataclass(frozen=True)
class TemperatureFit:
    """T minimising the mean NLL of softmax(z / T), the NLL there, and how it was found.

    `temperature` is ``inf`` when the loss never rises as T grows (the scores carry no more
    information than a uniform guess: then softmax(z / T) → uniform) and ``0.0`` when it keeps
    falling as T shrinks (every label is its row's top class: the limit is the argmax).
    """

    temperature: float
    nll: float  # mean NLL at `temperature` (the limit's value at 0 or inf), float64
    evaluations: int  # passes over the logits (each gives the NLL's first two derivatives)


@dataclass(frozen=True)
class _Block:
    """Rows of logits in float64, each row's max moved to 0, with their targets' values.

    −inf entries (impossible classes) are stored as 0 and listed in `impossible` (None when
    the block has none), so that products with them stay finite; a NaN or +inf row is NaN.
    """

    rows: slice
    z: np.ndarray  # (rows, C) float64, max 0 per row
    zt: np.ndarray  # (rows,) the target's shifted logit (−inf where it is impossible)
    impossible: np.ndarray | None  # (rows, C) bool, or None


def _block(x: np.ndarray, t: np.ndarray, rows: slice, peak: np.ndarray) -> _Block:
    """The block of `rows`, unscaled; `peak` is its rows' maxima (float64)."""
    # Widening a signalling NaN (random bytes in an upload hold them) raises the invalid flag,
    # which is the NaN row refused by `_survey`.
    with np.errstate(invalid="ignore"):
        z = x[rows].astype(np.float64)
        z -= peak[:, None]
    impossible = np.isneginf(z)
    zt = z.reshape(-1)[np.arange(0, z.size, z.shape[1]) + t[rows]]
    if impossible.any():
        np.copyto(z, 0.0, where=impossible)
    else:
        impossible = None
    return _Block(rows, z, zt, impossible)


def _blocks(x: np.ndarray, t: np.ndarray) -> Callable[[float], Iterator[_Block]]:
    """The fit's blocks, divided by a scale, made anew at each pass from the rows' maxima.

    The maxima are found in the first pass and kept (N numbers): NumPy's max along a short row
    costs far more than the few passes that remake a block from them.
    """
    rows = row_blocks(x.shape[0], x.shape[1], _FIT_BLOCK_ELEMENTS)
    peaks: list[np.ndarray] = []

    def scaled(scale: float) -> Iterator[_Block]:
        for index, r in enumerate(rows):
            if index == len(peaks):
                with np.errstate(invalid="ignore"):  # a signalling NaN, as in `_block`
                    peaks.append(x[r].max(axis=1).astype(np.float64))
            block = _block(x, t, r, peaks[index])
            if scale != 1.0:
                np.divide(block.z, scale, out=block.z)
                np.divide(block.zt, scale, out=block.zt)
            yield block

    return scaled


def _fit_moments(blocks: Iterable[_Block], s: float) -> tuple[float, ...]:
    """Σ over rows of (NLL, d NLL/ds, d² NLL/ds²) at inverse temperature s, in float64.

    With p = softmax(s z): NLL_i = logsumexp(s z_i) − s z_it, dNLL_i/ds = E_p[z_i] − z_it and
    d²NLL_i/ds² = Var_p[z_i] ≥ 0: the NLL is convex in s, so its derivative has one zero at most.
    Row sums are matrix-vector products: NumPy's sum along a short row costs far more.
    """
    nll = grad = curv = 0.0
    for block in blocks:
        z, zt = block.z, block.zt
        ones = np.ones(z.shape[1])
        e = np.exp(np.multiply(z, s))  # s z ≤ 0: no overflow; the max entry gives exp(0) = 1
        if block.impossible is not None:
            np.copyto(e, 0.0, where=block.impossible)  # p = 0 there
        total = e @ ones
        mean = (e * z) @ ones / total
        deviation = z - mean[:, None]
        np.multiply(deviation, deviation, out=deviation)
        spread = (np.multiply(deviation, e, out=deviation) @ ones) / total
        nll += float((np.log(total) - s * zt).sum())
        grad += float((mean - zt).sum())
        curv += float(spread.sum())
    return nll, grad, curv


def _survey(blocks: Iterable[_Block], n: int) -> tuple[float, float, float, float, float]:
    """One pass: (largest gap below a row's max, and the means over rows of dNLL/ds at s → 0⁺
    and at s → ∞, NLL at T = ∞ and at T = 0); raises ValueError for logits that cannot be fitted.
    """
    gap = g0 = g_inf = nll_inf = nll_zero = 0.0
    for block in blocks:
        z, zt = block.z, block.zt
        ones = np.ones(z.shape[1])
        if np.isnan(z).any():
            raise ValueError(
                "logits must be finite numbers (−inf only off the target); got NaN or +inf"
            )
        impossible = np.flatnonzero(np.isneginf(zt))
        if impossible.size:
            raise ValueError(
                f"sample {block.rows.start + int(impossible[0])} has a logit of −inf at its "
                "target (probability 0): its loss is +inf at every temperature, so no "
                "temperature minimises the mean"
            )
        k = (
            np.full(z.shape[0], float(z.shape[1]))
            if block.impossible is None
            else (~block.impossible) @ ones
        )
        gap = max(gap, float(-z.min()))
        g0 += float(((z @ ones) / k - zt).sum())  # p uniform over the possible classes
        g_inf += float((-zt).sum())  # p on the row's max, which is 0
        nll_inf += float(np.log(k).sum())
        ties = (z == 0) @ ones  # impossible classes are stored as 0 but are not maxima:
        if block.impossible is not None:
            ties -= block.impossible @ ones  # take them back out
        nll_zero += float(np.where(zt == 0, np.log(ties), np.inf).sum())
    return gap, g0 / n, g_inf / n, nll_inf / n, nll_zero / n


def fit_temperature(logits: object, target: object) -> TemperatureFit:
    """The temperature T > 0 minimising mean cross-entropy(logits / T, target), with no range.

    Parameters
    ----------
    logits : array_like, shape (N, C)
        Finite numbers; −inf is allowed where a class is impossible (log 0), but not at a
        target, whose loss would be +inf at every T.
    target : array_like of int, shape (N,)

    Returns
    -------
    TemperatureFit
        T to a relative precision far better than 1e-4 (the search stops at 1e-9 in log T);
        ``inf`` or ``0.0`` when the minimum is a limit (see `TemperatureFit`).

    Notes
    -----
    With s = 1/T the mean NLL(s) = mean_i [logsumexp(s z_i) − s z_it] is convex, so its
    derivative g(s) = mean_i (E_softmax(s z_i)[z_i] − z_it) has one zero at most. g(0⁺) ≥ 0
    gives T = ∞; g(∞) = mean_i (max z_i − z_it) = 0 gives T = 0. Otherwise the zero is
    bracketed by doubling steps in log s, then found by Newton's method on g in log s, falling
    back to bisection whenever a step leaves the bracket. All in float64, on logits shifted so
    each row's max is 0 and scaled so the largest gap is 1 (so any finite magnitude works).
    Every evaluation (a survey of the limits first) is one pass over the logits, in float64 row
    blocks of 1 MiB whatever the input's dtype: callers with large data fit on a subsample.

    >>> z = np.array([[2.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    >>> fit = fit_temperature(z, np.array([0, 1, 1]))
    >>> round(fit.temperature, 4), round(fit.nll, 4)
    (2.8854, 0.6365)
    """
    x = score_matrix(logits, "logits")
    t = class_labels(target, x.shape[0], x.shape[1]).astype(np.intp, copy=False)
    blocks = _blocks(x, t)
    gap, g0, g_inf, nll_inf, nll_zero = _survey(blocks(1.0), x.shape[0])
    if g0 >= 0:
        return TemperatureFit(math.inf, nll_inf, 1)
    if g_inf <= 0:
        return TemperatureFit(0.0, nll_zero, 1)
    return _newton(blocks, x.shape[0], gap if gap > 0 else 1.0)


def _newton(blocks: Callable[[float], Iterator[_Block]], n: int, scale: float) -> TemperatureFit:
    """Zero of dNLL/ds, bracketed in u = log s, where it is known to exist."""
    evaluations = 1  # the survey

    def at(u: float) -> tuple[float, float, float]:
        nonlocal evaluations
        evaluations += 1
        nll, grad, curv = _fit_moments(blocks(scale), math.exp(u))
        return nll / n, grad / n, curv / n

    u, step = 0.0, 1.0
    nll, g, h = at(u)
    lo, hi = (u, math.inf) if g < 0 else (-math.inf, u)
    while not (math.isfinite(lo) and math.isfinite(hi)):
        u = u + step if g < 0 else u - step
        step *= 2
        nll, g, h = at(u)
        if g < 0:
            lo = max(lo, u)
        else:
            hi = min(hi, u)
    while hi - lo > _FIT_TOLERANCE and evaluations < _FIT_MAX_EVALUATIONS:
        slope = math.exp(u) * h  # d g / d u
        step = -g / slope if slope > 0 else math.nan
        # Converged when Newton's next step is below the tolerance: taking it could land on a
        # bracket's end (g rounds to one side of 0 there) and send the search bisecting back.
        if abs(step) < _FIT_TOLERANCE:
            break
        u = u + step if lo < u + step < hi else (lo + hi) / 2
        nll, g, h = at(u)
        if g < 0:
            lo = u
        else:
            hi = u
    # T = 1/s in the original units: the logits were divided by `scale`.
    return TemperatureFit(scale * math.exp(-u), nll, evaluations)
