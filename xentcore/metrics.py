"""A classifier's metrics beside its loss: top-k accuracy, Brier score, calibration errors,
per-class precision / recall / F1 and bootstrap intervals.

Every function here reads either the (N, C) scores with their labels (and streams them in row
blocks, as `analyse_scores` does) or the per-sample numbers `analyse_scores` already gives
(``rank``, ``confidence``, ``prediction``, ``loss``): the page computes them once, in its one pass,
and these functions are the same rules for direct use.

Names: `target_rank`, `top_k_accuracy`, `brier_score`, `max_calibration_error`,
`adaptive_calibration_error`, `classwise_calibration_error`, `confidence_histogram`,
`precision_recall_f1` (`ClassScores`), `bootstrap_mean_interval`, `paired_bootstrap_difference`
(`BootstrapInterval`), `nats_to_bits`, `perplexity`.

Ties in top-k: a sample is top-k correct when fewer than k classes score *strictly* above its
target (``rank < k``), so a target tied with the k-th score counts as inside. sklearn's
``top_k_accuracy_score`` and torchmetrics' ``MulticlassAccuracy(top_k=k)`` break ties by class
order instead; on scores without ties all three agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from xentcore._pool import parallel_map, row_blocks
from xentcore.calibration import (
    Reliability,
    _bin_index,
    _check_bins,
    _labels,
    _scores,
    calibration_bins,
    calibration_edges,
)

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "BOOTSTRAP_UNITS",
    "ZERO_DIVISION",
    "BootstrapInterval",
    "ClassScores",
    "adaptive_calibration_error",
    "bootstrap_mean_interval",
    "brier_score",
    "classwise_calibration_error",
    "confidence_histogram",
    "max_calibration_error",
    "nats_to_bits",
    "paired_bootstrap_difference",
    "perplexity",
    "precision_recall_f1",
    "target_rank",
    "top_k_accuracy",
]

BOOTSTRAP_RESAMPLES = 2_000
BOOTSTRAP_SEED = 0
# Above this many samples, the bootstrap resamples this many seeded random groups of samples
# instead of the samples themselves (see `bootstrap_mean_interval`).
BOOTSTRAP_UNITS = 4_096
ZERO_DIVISION = (0.0, 1.0, "nan")


def _probabilities(block: np.ndarray, from_logits: bool) -> np.ndarray:
    """softmax of a block of logits, or probabilities renormalised by their row sums (float64)."""
    x = block.astype(np.float64)
    if from_logits:
        with np.errstate(invalid="ignore"):
            x = np.exp(x - x.max(axis=1, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        return x / x.sum(axis=1, keepdims=True)


def _blocks(x: np.ndarray, work) -> list:
    return parallel_map(work, row_blocks(*x.shape), x.size)


def target_rank(input: object, target: object) -> np.ndarray:
    """How many classes score strictly above each sample's target.

    Parameters
    ----------
    input : array_like, shape (N, C)
        Logits or probabilities (any increasing transform of either gives the same ranks).
    target : array_like of int, shape (N,)
        Class indices in [0, C).

    Returns
    -------
    ndarray of int32, shape (N,)
        rank_i = #{c : x_ic > x_it}; top-k correct is ``rank < k``, for every k at once.

    >>> target_rank([[0.1, 0.7, 0.2], [0.5, 0.5, 0.0]], [2, 1]).tolist()
    [1, 0]
    """
    x = _scores(input, "input")
    t = _labels(target, *x.shape)
    out = np.empty(x.shape[0], np.int32)

    def work(rows: slice) -> None:
        block = x[rows]
        chosen = np.take_along_axis(block, t[rows, None].astype(np.intp), axis=1)
        out[rows] = np.count_nonzero(block > chosen, axis=1)

    _blocks(x, work)
    return out


def _check_k(k: object, num_classes: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= num_classes:
        raise ValueError(f"k must be an integer in [1, {num_classes}] (the classes); got {k!r}")
    return int(k)


def top_k_accuracy(input: object, target: object, k: int = 1) -> float:
    """The fraction of samples whose target is among the k highest scores.

    Parameters
    ----------
    input : array_like, shape (N, C)
    target : array_like of int, shape (N,)
    k : int, default 1
        In [1, C].

    Returns
    -------
    float
        mean_i [rank_i < k] with rank from `target_rank`: a target tied with the k-th score
        counts as inside (see the module on ties).

    >>> top_k_accuracy([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]], [2, 1], k=2)
    1.0
    """
    x = _scores(input, "input")
    k = _check_k(k, x.shape[1])
    return float(np.mean(target_rank(x, target) < k))


def brier_score(input: object, target: object, from_logits: bool = True) -> float:
    """Multiclass Brier score: mean over samples of Σ_c (p_c − y_c)², in [0, 2].

    Parameters
    ----------
    input : array_like, shape (N, C)
        Logits (p = softmax) or, with ``from_logits=False``, probabilities (divided by their
        row sums, as the loss reads them).
    target : array_like of int, shape (N,)
    from_logits : bool, default True

    Returns
    -------
    float
        (1/N) Σ_i (Σ_c p_ic² − 2 p_it + 1); sklearn's ``brier_score_loss(y, P,
        scale_by_half=False)`` (its multiclass default; with two classes sklearn halves it).

    >>> brier_score([[1.0, 0.0], [0.5, 0.5]], [0, 1], from_logits=False)
    0.25
    """
    x = _scores(input, "input")
    t = _labels(target, *x.shape)

    def work(rows: slice) -> float:
        p = _probabilities(x[rows], from_logits)
        chosen = np.take_along_axis(p, t[rows, None].astype(np.intp), axis=1)[:, 0]
        return float(np.sum(np.einsum("ij,ij->i", p, p) - 2 * chosen + 1))

    return sum(_blocks(x, work)) / x.shape[0]


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
    x = _scores(input, "input")
    n, c = x.shape
    t = _labels(target, n, c)
    n_bins = _check_bins(n_bins)
    edges, width = calibration_edges(n_bins), n_bins + 1
    offsets = np.arange(c, dtype=np.intp) * width

    def work(rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = _probabilities(x[rows], from_logits)
        codes = _bin_index(p.astype(np.float32), edges) + offsets
        chosen = np.take_along_axis(codes, t[rows, None].astype(np.intp), axis=1)[:, 0]
        return (
            np.bincount(codes.reshape(-1), minlength=c * width),
            np.bincount(codes.reshape(-1), weights=p.reshape(-1), minlength=c * width),
            np.bincount(chosen, minlength=c * width),
        )

    parts = _blocks(x, work)
    total = sum(part[1] for part in parts).reshape(c, width)
    hits = sum(part[2] for part in parts).reshape(c, width)
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


@dataclass(frozen=True)
class ClassScores:
    """Per-class precision, recall, F1 and support, each of shape (C,)."""

    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray  # samples labelled with the class
    predicted: np.ndarray  # samples predicted as the class

    def macro(self) -> tuple[float, float, float]:
        """The unweighted means of precision, recall and F1 over classes (NaN ones skipped)."""
        return tuple(float(np.nanmean(v)) for v in (self.precision, self.recall, self.f1))


def _check_zero_division(zero_division: object) -> float:
    if isinstance(zero_division, str) and zero_division == "nan":
        return math.nan
    number = isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool)
    if number and zero_division in (0.0, 1.0):
        return float(zero_division)
    options = ", ".join(repr(z) for z in ZERO_DIVISION)
    raise ValueError(f"zero_division must be one of {options}; got {zero_division!r}")


def _ratio(numerator: np.ndarray, denominator: np.ndarray, fill: float) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, fill)


def precision_recall_f1(
    target: object, prediction: object, num_classes: int, zero_division: object = 0.0
) -> ClassScores:
    """Per-class precision = TP / predicted, recall = TP / support, F1 = 2TP / (predicted +
    support), as scikit-learn's ``precision_recall_fscore_support(average=None)``.

    Parameters
    ----------
    target, prediction : array_like of int, shape (N,)
        Class indices in [0, num_classes).
    num_classes : int
    zero_division : 0.0, 1.0 or "nan", default 0.0
        The value where a denominator is 0: precision of a class never predicted, recall of a
        class never labelled, F1 of a class neither predicted nor labelled. sklearn's default
        "warn" gives 0.0 too (with a warning); here there is no warning.

    >>> s = precision_recall_f1([0, 0, 1, 2], [0, 1, 1, 1], 3)
    >>> s.precision.tolist(), s.recall.tolist(), s.f1.round(3).tolist()
    ([1.0, 0.3333333333333333, 0.0], [0.5, 1.0, 0.0], [0.667, 0.5, 0.0])
    """
    fill = _check_zero_division(zero_division)
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise ValueError(f"num_classes must be a positive integer; got {num_classes!r}")
    t = _labels(target, np.asarray(target).shape[0], int(num_classes), "target")
    p = _labels(prediction, t.shape[0], int(num_classes), "prediction")
    c = int(num_classes)
    hits = np.bincount(t[t == p], minlength=c)
    return _class_scores(hits, np.bincount(p, minlength=c), np.bincount(t, minlength=c), fill)


def _class_scores(
    hits: np.ndarray, predicted: np.ndarray, support: np.ndarray, fill: float
) -> ClassScores:
    return ClassScores(
        precision=_ratio(hits, predicted, fill),
        recall=_ratio(hits, support, fill),
        f1=_ratio(2 * hits, predicted + support, fill),
        support=support,
        predicted=predicted,
    )


@dataclass(frozen=True)
class BootstrapInterval:
    """A statistic and its bootstrap percentile interval."""

    estimate: float
    low: float
    high: float
    level: float  # e.g. 0.95
    resamples: int
    units: int  # what was resampled: samples, or groups of samples when N > BOOTSTRAP_UNITS


def _check_level(level: object) -> float:
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise ValueError(f"level must be a number strictly between 0 and 1; got {level!r}")
    return float(level)


def _check_resamples(resamples: object) -> int:
    if isinstance(resamples, bool) or not isinstance(resamples, (int, np.integer)):
        raise ValueError(f"resamples must be an integer ≥ 10; got {resamples!r}")
    if resamples < 10:
        raise ValueError(f"resamples must be an integer ≥ 10; got {resamples!r}")
    return int(resamples)


def _sample_values(values: object, name: str) -> np.ndarray:
    v = np.asarray(values)
    if v.ndim != 1 or v.size == 0 or v.dtype.kind not in "biuf":
        raise ValueError(
            f"{name} must be a non-empty 1-D array of numbers (one per sample); got {v.dtype} "
            f"of shape {v.shape}"
        )
    v = v.astype(np.float64, copy=False)
    if not np.isfinite(v).all():
        bad = int(np.flatnonzero(~np.isfinite(v))[0])
        raise ValueError(f"{name} must be finite; sample {bad} is {v[bad]}")
    return v


def _bootstrap(v: np.ndarray, resamples: int, level: float, seed: int) -> BootstrapInterval:
    n = v.size
    rng = np.random.default_rng(seed)
    if n > BOOTSTRAP_UNITS:
        group = rng.integers(0, BOOTSTRAP_UNITS, n)
        sums = np.bincount(group, weights=v, minlength=BOOTSTRAP_UNITS)
        counts = np.bincount(group, minlength=BOOTSTRAP_UNITS).astype(np.float64)
    else:
        sums, counts = v, np.ones(n)
    units = sums.size
    means = np.empty(resamples)
    step = max(1, (1 << 20) // units)  # resamples per block: ≈ 1 Mi drawn indices
    for start in range(0, resamples, step):
        stop = min(resamples, start + step)
        picks = rng.integers(0, units, (stop - start, units))
        means[start:stop] = sums[picks].sum(axis=1) / counts[picks].sum(axis=1)
    alpha = (1 - level) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return BootstrapInterval(float(v.mean()), float(low), float(high), level, resamples, units)


def bootstrap_mean_interval(
    values: object,
    level: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> BootstrapInterval:
    """A percentile bootstrap interval for the mean of a per-sample statistic (loss, 0/1 hit…).

    Parameters
    ----------
    values : array_like, shape (N,)
        Finite, one per sample.
    level : float, default 0.95
    resamples : int, default BOOTSTRAP_RESAMPLES
    seed : int, default BOOTSTRAP_SEED
        The same inputs and seed give the same interval.

    Returns
    -------
    BootstrapInterval
        The mean of `values`, and the (1 − level)/2 and (1 + level)/2 quantiles of the means of
        `resamples` resamples.

    Notes
    -----
    Up to BOOTSTRAP_UNITS samples, each resample draws N samples with replacement (the
    multinomial bootstrap). Above, the samples are first dealt at random (seeded) into
    BOOTSTRAP_UNITS groups; a resample draws groups with replacement and its mean is
    Σ group sums / Σ group sizes. For independent samples the groups are independent too, so
    the spread of the mean is the same, while the cost is O(N + resamples · BOOTSTRAP_UNITS)
    instead of O(resamples · N): milliseconds at N = 10⁶, vectorised in blocks of resamples.

    >>> r = bootstrap_mean_interval(np.arange(100.0))
    >>> r.estimate, r.low < 49.5 < r.high
    (49.5, True)
    """
    v = _sample_values(values, "values")
    return _bootstrap(v, _check_resamples(resamples), _check_level(level), seed)


def paired_bootstrap_difference(
    first: object,
    second: object,
    level: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> BootstrapInterval:
    """The interval of mean(first) − mean(second) for two models scored on the SAME samples.

    Paired: every resample takes the same samples for both models, so the bootstrap resamples
    the per-sample differences d_i = first_i − second_i (`bootstrap_mean_interval` of d, same
    method). What the two models share (a sample both find hard) cancels, and the interval is
    far narrower than two separate intervals would suggest. An interval that excludes 0 says
    the difference is larger than resampling noise at that level.

    >>> a = np.linspace(1.0, 2.0, 50)
    >>> r = paired_bootstrap_difference(a + 0.1, a)
    >>> round(r.estimate, 6), round(r.high - r.low, 6)
    (0.1, 0.0)
    """
    a = _sample_values(first, "first")
    b = _sample_values(second, "second")
    if a.shape != b.shape:
        raise ValueError(
            f"first and second must score the same samples; got {a.size} and {b.size} values"
        )
    return _bootstrap(a - b, _check_resamples(resamples), _check_level(level), seed)


def nats_to_bits(loss: float | np.ndarray) -> float | np.ndarray:
    """A loss in nats (natural log, as every xentcore loss) in bits: loss / ln 2.

    >>> nats_to_bits(math.log(8))
    3.0
    """
    return loss / math.log(2)


def perplexity(mean_loss: float) -> float:
    """e^(mean loss in nats): the number of equally likely classes giving the same loss.

    >>> round(perplexity(math.log(10)), 9)
    10.0
    """
    return math.exp(mean_loss) if mean_loss < 709 else math.inf
