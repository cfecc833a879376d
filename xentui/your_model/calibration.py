"""Calibration: the reliability diagram, its expected calibration error, temperature scaling.

A model is calibrated when, among the samples it gives confidence ≈ q (its top probability),
a fraction ≈ q are right. The reliability diagram bins samples by confidence and compares each
bin's accuracy with its mean confidence; the expected calibration error (ECE, Guo et al. 2017,
"On Calibration of Modern Neural Networks") is the gap averaged over samples:

    ECE = Σ_b (n_b / N) · |accuracy_b − confidence_b|

Temperature scaling divides every logit by one number T > 0, fitted by minimising the mean
negative log-likelihood. T > 1 softens an over-confident model; T does not change any argmax,
so accuracy is unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from xentcore import cross_entropy
from xentui.domain.scenario import TEMPERATURE_RANGE

__all__ = ["TEMPERATURE_BOUNDS", "Reliability", "fit_temperature", "reliability"]

# The Playground's temperature range, so that a fitted T can be tried there.
TEMPERATURE_BOUNDS = TEMPERATURE_RANGE
_CHUNK = 1 << 16


@dataclass(frozen=True)
class Reliability:
    """Per-bin sample counts, accuracy and mean confidence (NaN for empty bins), and the ECE."""

    edges: np.ndarray
    counts: np.ndarray
    accuracy: np.ndarray
    confidence: np.ndarray
    ece: float


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int) -> Reliability:
    """Bin samples by confidence into `bins` equal-width bins (b/B, (b+1)/B] and compare.

    >>> r = reliability(np.array([0.9, 0.9, 0.6, 0.6]), np.array([1, 1, 1, 0]), bins=5)
    >>> r.counts.tolist(), round(r.ece, 4)
    [0, 0, 2, 0, 2], 0.1
    """
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"bins must be a positive integer; got {bins!r}")
    conf, right = np.asarray(confidence), np.asarray(correct)
    counts = np.zeros(bins, dtype=np.int64)
    hits, total_conf = np.zeros(bins), np.zeros(bins)
    # In chunks: the temporaries (bin index, float64 weights) stay small for a million samples.
    for start in range(0, conf.size, _CHUNK):
        part = conf[start : start + _CHUNK]
        # ceil(q·B) − 1 puts q in (b/B, (b+1)/B]; q = 0 would give −1, clipped into bin 0.
        index = np.clip(np.ceil(part * bins).astype(np.intp) - 1, 0, bins - 1)
        counts += np.bincount(index, minlength=bins)
        hits += np.bincount(index, weights=right[start : start + _CHUNK], minlength=bins)
        total_conf += np.bincount(index, weights=part, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = hits / counts
        mean_conf = total_conf / counts
    gaps = np.abs(hits - total_conf)  # n_b · |acc_b − conf_b|, 0 for empty bins
    ece = float(gaps.sum() / max(1, conf.size))
    return Reliability(np.linspace(0.0, 1.0, bins + 1), counts, accuracy, mean_conf, ece)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> tuple[float, int]:
    """The T in TEMPERATURE_BOUNDS minimising mean cross_entropy(logits / T, labels).

    Parameters
    ----------
    logits : ndarray, shape (N, C)
    labels : ndarray, shape (N,), class indices

    Returns
    -------
    (T, number of loss evaluations)

    The search runs over log T (bounded Brent, scipy's minimize_scalar), where the loss is smooth
    and T and 1/T are treated alike; 1e-4 in log T is a relative precision of 1e-4 in T.
    """
    low, high = (math.log(b) for b in TEMPERATURE_BOUNDS)

    def mean_nll(log_t: float) -> float:
        # Logits near float32's limit overflow when divided by a small T: that T is then no
        # candidate (+inf), rather than a NaN that would mislead the search.
        with np.errstate(over="ignore"):
            value = float(cross_entropy(logits * math.exp(-log_t), labels))
        return value if math.isfinite(value) else math.inf

    result = minimize_scalar(
        mean_nll, bounds=(low, high), method="bounded", options={"xatol": 1e-4}
    )
    return float(math.exp(result.x)), int(result.nfev)
