"""Calibration: top-label confidence, the reliability diagram and the calibration errors.

A classifier is calibrated when, among the samples it gives confidence ≈ q (its top probability),
a fraction ≈ q are right. The reliability diagram bins samples by confidence and compares each
bin's accuracy with its mean confidence; the expected calibration error (ECE, Guo et al. 2017,
"On Calibration of Modern Neural Networks") is the gap averaged over samples:

    ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b|

and the maximum calibration error (MCE) is the largest gap. Two variants bin differently: the
adaptive ECE (equal-mass bins) and the classwise ECE (every class's probability, not only the
top one). Temperature scaling, which changes the confidences, is `xentcore.temperature`.

Binning follows torchmetrics 1.9's ``MulticlassCalibrationError(norm="l1")`` exactly: the edges
are ``torch.linspace(0, 1, n_bins + 1)`` in float32, the confidences are compared in float32, a
bin is left-closed [e_b, e_{b+1}), and a confidence of exactly 1 falls in an extra bin of its own
(torchmetrics' ``bucketize(..., right=True) − 1``). Counts and sums are accumulated in float64.

The (N, C) scores are read in row blocks spread over xentcore's thread pool; functions taking
``confidence`` and ``correct`` read the per-sample numbers `analyse_scores` already gives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xentcore._kernel import scratch_like
from xentcore._pool import map_row_blocks, parallel_map, row_blocks
from xentcore._validation import class_labels, score_matrix
from xentcore.softmax import _row_probabilities

__all__ = [
    "Reliability",
    "adaptive_calibration_error",
    "calibration_bins",
    "calibration_edges",
    "classwise_calibration_error",
    "confidence_histogram",
    "expected_calibration_error",
    "max_calibration_error",
    "reliability_bins",
    "top_label_confidence",
]


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
    x = score_matrix(input, "input")
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
    x = score_matrix(input, "input")
    t = class_labels(target, x.shape[0], x.shape[1])
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


def _check_pair(confidence: object, correct: object) -> tuple[np.ndarray, np.ndarray]:
    conf, right = np.asarray(confidence), np.asarray(correct)
    if conf.ndim != 1 or right.shape != conf.shape or conf.size == 0:
        raise ValueError(
            "confidence and correct must be non-empty 1-D arrays of one length; got shapes "
            f"{conf.shape} and {right.shape}"
        )
    return conf, right.astype(bool)


def max_calibration_error(confidence: object, correct: object, n_bins: int = 15) -> float:
    """Maximum calibration error: the largest |accuracy_b − confidence_b| over non-empty bins.

    Bins as `calibration_bins` (torchmetrics' edges), so this is torchmetrics'
    ``MulticlassCalibrationError(norm="max")`` given the same confidences.

    >>> round(max_calibration_error([0.9, 0.9, 0.6, 0.6], [True, True, True, False], 5), 6)
    0.1
    """
    conf, right = _check_pair(confidence, correct)
    return _max_gap(calibration_bins(conf, right, n_bins))


def _max_gap(r: Reliability) -> float:
    filled = r.counts > 0
    return float(np.max(np.abs(r.accuracy[filled] - r.confidence[filled])))


def adaptive_calibration_error(confidence: object, correct: object, n_bins: int = 15) -> float:
    """Adaptive (equal-mass) ECE: bins holding equal numbers of samples, not equal widths.

    The samples are sorted by confidence (stable: equal confidences keep their order) and cut
    into n_bins consecutive groups whose sizes differ by one at most (the first N mod n_bins are
    the larger, as ``np.array_split``); equal confidences may fall on both sides of a cut.
    ACE = Σ_b (n_b / N) |accuracy_b − confidence_b| (Nixon et al. 2019, "Measuring Calibration
    in Deep Learning"). With fewer samples than bins, each sample is its own bin.

    >>> r = adaptive_calibration_error([0.9, 0.8, 0.6, 0.7], [True, True, False, True], n_bins=2)
    >>> round(r, 6)
    0.15
    """
    conf, right = _check_pair(confidence, correct)
    n_bins = min(_check_bins(n_bins), conf.size)
    order = np.argsort(conf, kind="stable")
    n = conf.size
    sizes = np.full(n_bins, n // n_bins)
    sizes[: n % n_bins] += 1
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    total = np.add.reduceat(conf[order].astype(np.float64), starts)
    hits = np.add.reduceat(right[order].astype(np.float64), starts)
    return float(np.abs(hits - total).sum() / n)


def classwise_calibration_error(
    input: object, target: object, n_bins: int = 15, from_logits: bool = True
) -> tuple[float, np.ndarray]:
    """Classwise ECE (Kull et al. 2019): every class's probability calibrated, not only the top.

    For each class j, all N probabilities p_ij are binned (the edges of `calibration_bins`),
    and in each bin the mean p_ij is compared with the fraction of its samples labelled j:
    ECE_j = Σ_b (n_jb / N) |freq_jb − conf_jb|. The matrix is read once, in row blocks.

    Parameters
    ----------
    input : array_like, shape (N, C)
    target : array_like of int, shape (N,)
    n_bins : int, default 15
    from_logits : bool, default True

    Returns
    -------
    (float, ndarray of shape (C,))
        The mean over classes of ECE_j, and each ECE_j.

    >>> mean, per_class = classwise_calibration_error([[0.8, 0.2], [0.4, 0.6]], [0, 0], 5, False)
    >>> round(mean, 4), per_class.round(4).tolist()
    (0.4, [0.4, 0.4])
    """
    x = score_matrix(input, "input")
    n, c = x.shape
    t = class_labels(target, n, c)
    n_bins = _check_bins(n_bins)
    edges, width = calibration_edges(n_bins), n_bins + 1
    offsets = np.arange(c, dtype=np.intp) * width

    def work(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        p = _row_probabilities(x[rows], from_logits)
        codes = _bin_index(p.astype(np.float32), edges) + offsets
        chosen = np.take_along_axis(codes, t[rows, None].astype(np.intp), axis=1)[:, 0]
        return (
            np.bincount(codes.reshape(-1), weights=p.reshape(-1), minlength=c * width),
            # Small ints: each block's counts of labels, kept until the blocks are summed.
            np.bincount(chosen, minlength=c * width).astype(np.int32),
        )

    parts = map_row_blocks(work, x)
    total = sum(part[0] for part in parts).reshape(c, width)
    hits = sum(part[1].astype(np.int64) for part in parts).reshape(c, width)
    per_class = np.abs(hits - total).sum(axis=1) / n
    return float(per_class.mean()), per_class


def confidence_histogram(confidence: object, n_bins: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """(counts, edges): the confidences in n_bins equal bins over [0, 1] (the last closed).

    >>> confidence_histogram([0.1, 0.55, 1.0], n_bins=2)[0].tolist()
    [1, 2]
    """
    conf = np.asarray(confidence, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, _check_bins(n_bins) + 1)
    return np.histogram(conf, bins=edges)[0], edges
