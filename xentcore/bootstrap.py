"""Bootstrap intervals for the mean of a per-sample statistic, alone or as a paired difference.

A percentile bootstrap: resample the samples with replacement, take the mean of each resample, and
read the interval off the quantiles of those means. Above BOOTSTRAP_UNITS samples the resampled
units are seeded random groups of samples instead (see `bootstrap_mean_interval`), so the cost
stays small for any N. Every interval is seeded: the same inputs give the same interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "BOOTSTRAP_SEED",
    "BOOTSTRAP_UNITS",
    "BootstrapInterval",
    "bootstrap_mean_interval",
    "paired_bootstrap_difference",
]

BOOTSTRAP_RESAMPLES = 2_000
BOOTSTRAP_SEED = 0
# Above this many samples, the bootstrap resamples this many seeded random groups of samples
# instead of the samples themselves (see `bootstrap_mean_interval`).
BOOTSTRAP_UNITS = 4_096


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
