"""Calibration: top-label confidence, the reliability diagram, its ECE, and temperature scaling.

A classifier is calibrated when, among the samples it gives confidence ≈ q (its top probability),
a fraction ≈ q are right. The reliability diagram bins samples by confidence and compares each
bin's accuracy with its mean confidence; the expected calibration error (ECE, Guo et al. 2017,
"On Calibration of Modern Neural Networks") is the gap averaged over samples:

    ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b|

Binning follows torchmetrics 1.9's ``MulticlassCalibrationError(norm="l1")`` exactly: the edges
are ``torch.linspace(0, 1, n_bins + 1)`` in float32, the confidences are compared in float32, a
bin is left-closed [e_b, e_{b+1}), and a confidence of exactly 1 falls in an extra bin of its own
(torchmetrics' ``bucketize(..., right=True) − 1``). Counts and sums are accumulated in float64.

Temperature scaling divides every logit by one number T > 0, fitted by minimising the mean
negative log-likelihood (natural log). T does not change any argmax, so accuracy is unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from xentcore._kernel import scratch_like
from xentcore._pool import parallel_map, row_blocks
from xentcore._validation import as_float_array, check_nonempty

__all__ = [
    "Reliability",
    "TemperatureFit",
    "calibration_bins",
    "calibration_edges",
    "expected_calibration_error",
    "fit_temperature",
    "reliability_bins",
    "top_label_confidence",
]

# Rows per block of the fit's float64 temporaries (subsample × classes, 1 MiB a block).
_FIT_BLOCK_ELEMENTS = 1 << 17
_FIT_TOLERANCE = 1e-9  # in log T: far below the promised relative 1e-4
_FIT_MAX_EVALUATIONS = 200


def _check_bins(n_bins: object) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer; got {n_bins!r}")
    return int(n_bins)


def calibration_edges(n_bins: int = 15) -> np.ndarray:
    """The bin edges ``torch.linspace(0, 1, n_bins + 1, dtype=torch.float32)``, bit for bit.

    PyTorch computes step = 1/n_bins in float32, then each edge with one rounding (a fused
    multiply-add): i·step from 0 up to half way, 1 − (n_bins − i)·step from 1 down after it.

    >>> calibration_edges(4).tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """
    n_bins = _check_bins(n_bins)
    steps = n_bins + 1
    step = float(np.float32(1.0) / np.float32(n_bins))
    index = np.arange(steps, dtype=np.float64)
    # A float32 step times an integer below 2**29 is exact in float64: one rounding, as an FMA.
    up, down = step * index, 1.0 - step * (steps - 1 - index)
    return np.where(index < steps // 2, up, down).astype(np.float32)


def top_label_confidence(input: object, from_logits: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(confidence, prediction): each row's top probability and its class, from the scores alone.

    Parameters
    ----------
    input : array_like, shape (N, C)
        Logits (``from_logits=True``) or probabilities.
    from_logits : bool, default True
        With logits, confidence = max_c softmax(z)_c = 1 / Σ_c exp(z_c − max z) (no label is
        read). With probabilities, max_c p_c as given, not renormalised (as torchmetrics).

    Returns
    -------
    confidence : ndarray (N,), the input's floating dtype
    prediction : ndarray (N,) int64, the argmax (the first of tied classes)

    >>> c, k = top_label_confidence([[0.0, 0.0], [0.0, np.log(3.0)]])
    >>> c.round(4).tolist(), k.tolist()
    ([0.5, 0.75], [0, 1])
    """
    x = _scores(input, "input")
    n, c = x.shape
    prediction = np.empty(n, dtype=np.intp)
    confidence = np.empty(n, dtype=x.dtype)
    ones = np.ones(c, dtype=x.dtype)
    blocks = row_blocks(n, c)
    starts = np.arange(0, (blocks[0].stop - blocks[0].start) * c, c)

    def work(rows: slice) -> None:  # in row blocks: no temporary of the matrix's size
        xb = x[rows]
        k = prediction[rows] = xb.argmax(axis=1)
        top = xb.reshape(-1)[starts[: xb.shape[0]] + k]
        if not from_logits:
            confidence[rows] = top
            return
        with np.errstate(invalid="ignore", over="ignore"):
            e = np.exp(np.subtract(xb, top[:, None], out=scratch_like(xb)), out=scratch_like(xb))
            confidence[rows] = 1.0 / (e @ ones)

    parallel_map(work, blocks, x.size)
    return confidence, prediction


def _scores(input: object, name: str) -> np.ndarray:
    x = as_float_array(input, name)
    if x.ndim != 2:
        raise ValueError(f"{name} must have shape (N, C); got {x.ndim}-D shape {x.shape}")
    check_nonempty(x, name)
    return x


def _labels(target: object, n: int, c: int, name: str = "target") -> np.ndarray:
    """`target` as N class indices in [0, C), or an error naming `name`."""
    t = np.asarray(target)
    if t.shape != (n,) or t.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must be {n} class indices, an integer array of shape ({n},); got "
            f"{t.dtype} of shape {t.shape}"
        )
    if n and (t.min() < 0 or t.max() >= c):
        bad = int(t[(t < 0) | (t >= c)][0])
        raise IndexError(f"{name} holds {bad}, outside the class range [0, {c - 1}]")
    return t


@dataclass(frozen=True)
class Reliability:
    """A reliability diagram: per bin, the samples, their mean confidence and their accuracy.

    There are n_bins + 1 bins: the last holds the confidences of exactly 1 (see the module).
    Empty bins have NaN confidence and accuracy. `ece` is Σ_b (n_b / N) |accuracy_b − conf_b|.
    """

    edges: np.ndarray  # (n_bins + 1,) float32, torch.linspace(0, 1, n_bins + 1)
    counts: np.ndarray  # (n_bins + 1,) int64
    confidence: np.ndarray  # (n_bins + 1,) float64
    accuracy: np.ndarray  # (n_bins + 1,) float64
    ece: float

    @property
    def n_bins(self) -> int:
        return len(self.edges) - 1


def calibration_bins(confidence: object, correct: object, n_bins: int = 15) -> Reliability:
    """Bin samples by confidence; compare each bin's accuracy with its mean confidence.

    Parameters
    ----------
    confidence : array_like, shape (N,)
        Each sample's top probability, in [0, 1].
    correct : array_like of bool, shape (N,)
        Whether the top class is the label.
    n_bins : int, default 15

    The samples are read in chunks, so the temporaries stay small for any N.

    >>> r = calibration_bins([0.9, 0.9, 0.6, 0.6], [True, True, True, False], n_bins=5)
    >>> r.counts.tolist(), round(r.ece, 4)
    ([0, 0, 0, 2, 2, 0], 0.1)
    """
    n_bins = _check_bins(n_bins)
    conf = np.asarray(confidence)
    right = np.asarray(correct)
    if conf.ndim != 1 or right.shape != conf.shape:
        raise ValueError(
            "confidence and correct must be 1-D arrays of one length; got shapes "
            f"{conf.shape} and {right.shape}"
        )
    edges = calibration_edges(n_bins)
    counts = np.zeros(n_bins + 1, dtype=np.int64)
    hits, total = np.zeros(n_bins + 1), np.zeros(n_bins + 1)
    for rows in row_blocks(conf.size, 1, 1 << 16):
        part = conf[rows].astype(np.float32)  # torchmetrics compares in float32
        index = _bin_index(part, edges)
        counts += np.bincount(index, minlength=n_bins + 1)
        hits += np.bincount(index, weights=right[rows].astype(np.float64), minlength=n_bins + 1)
        total += np.bincount(index, weights=part.astype(np.float64), minlength=n_bins + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy, mean_confidence = hits / counts, total / counts
    ece = float(np.abs(hits - total).sum() / max(1, conf.size))  # n_b · |acc_b − conf_b|
    return Reliability(edges, counts, mean_confidence, accuracy, ece)


def _bin_index(q: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """torchmetrics' bin of each confidence: b with edges[b] <= q < edges[b + 1], clipped to
    [0, n_bins] (so q = 1, and above, is bin n_bins; below 0 is bin 0; NaN is bin n_bins).

    The same as ``clip(searchsorted(edges, q, side="right") − 1, 0, n_bins)``, several times
    faster: q · n_bins is within one bin of the answer (the edges are j / n_bins rounded to
    float32), and one comparison with each neighbouring edge settles it.
    """
    n_bins = edges.size - 1
    bounded = np.minimum(np.maximum(q, np.float32(0)), np.float32(1))  # NaN stays NaN
    index = np.fmin(bounded * np.float32(n_bins), np.float32(n_bins)).astype(np.intp)  # NaN → n
    above = np.append(edges, np.float32(np.inf))  # no edge above the last bin
    index += bounded >= above[index + 1]
    index -= bounded < above[index]
    return index


def reliability_bins(
    input: object, target: object, n_bins: int = 15, from_logits: bool = True
) -> Reliability:
    """The reliability diagram of scores (N, C) against class indices (N,): see `Reliability`.

    Confidence and prediction come from `top_label_confidence`; the binning is torchmetrics'.

    >>> r = reliability_bins([[2.0, 0.0], [0.0, 1.0], [3.0, 0.0]], [0, 0, 0], n_bins=4)
    >>> r.counts.tolist()
    [0, 0, 1, 2, 0]
    """
    x = _scores(input, "input")
    t = _labels(target, x.shape[0], x.shape[1])
    confidence, prediction = top_label_confidence(x, from_logits)
    return calibration_bins(confidence, prediction == t, n_bins)


def expected_calibration_error(
    input: object, target: object, n_bins: int = 15, from_logits: bool = True
) -> float:
    """Top-label ECE, as torchmetrics' ``MulticlassCalibrationError(C, n_bins, norm="l1")``.

    Parameters
    ----------
    input : array_like, shape (N, C)
        Logits (softmax is applied) or, with ``from_logits=False``, probabilities used as given.
    target : array_like of int, shape (N,)
        Class indices in [0, C).
    n_bins : int, default 15
    from_logits : bool, default True

    Returns
    -------
    float
        ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b|, in [0, 1].

    Notes
    -----
    torchmetrics decides by itself whether ``preds`` are logits (any value outside [0, 1]);
    here the caller says so. Bins as in the module docstring.

    >>> round(expected_calibration_error([[0.9, 0.1], [0.6, 0.4]], [0, 1], 5, False), 4)
    0.35
    """
    return reliability_bins(input, target, n_bins, from_logits).ece


# ------------------------------------------------------------------------- temperature scaling


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
    x = _scores(logits, "logits")
    t = _labels(target, x.shape[0], x.shape[1]).astype(np.intp, copy=False)
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
