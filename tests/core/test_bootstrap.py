"""xentcore.bootstrap: the intervals against SciPy's percentile bootstrap and the normal theory
of the mean, their errors named."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import xentcore
from xentcore import bootstrap


def test_bootstrap_matches_scipys_percentile_interval():
    rng = np.random.default_rng(4)
    values = rng.exponential(size=2_000)
    ours = xentcore.bootstrap_mean_interval(values, resamples=4_000, seed=1)
    theirs = stats.bootstrap(
        (values,), np.mean, n_resamples=4_000, method="percentile", random_state=2
    ).confidence_interval
    width = theirs.high - theirs.low
    # two Monte Carlo estimates of the same quantiles: within 10 % of the interval's width
    assert ours.low == pytest.approx(theirs.low, abs=0.1 * width)
    assert ours.high == pytest.approx(theirs.high, abs=0.1 * width)
    assert ours.units == 2_000 and ours.estimate == pytest.approx(values.mean())


def test_bootstrap_in_groups_keeps_the_spread_of_the_mean():
    rng = np.random.default_rng(5)
    values = rng.standard_normal(200_000)
    r = xentcore.bootstrap_mean_interval(values)
    assert r.units == bootstrap.BOOTSTRAP_UNITS
    expected = 2 * 1.959964 * values.std() / math.sqrt(values.size)
    assert r.high - r.low == pytest.approx(expected, rel=0.1)
    assert xentcore.bootstrap_mean_interval(values) == r  # seeded


def test_paired_difference_is_narrower_than_the_separate_intervals():
    rng = np.random.default_rng(6)
    hard = rng.exponential(size=5_000)
    a = hard + rng.normal(0.0, 0.1, 5_000)
    b = hard + 0.05 + rng.normal(0.0, 0.1, 5_000)
    paired = xentcore.paired_bootstrap_difference(a, b)
    separate = xentcore.bootstrap_mean_interval(a)
    assert paired.high < 0  # a is better by 0.05, well outside the noise
    assert paired.high - paired.low < 0.2 * (separate.high - separate.low)
    theirs = stats.bootstrap(
        (a, b),
        lambda x, y: np.mean(x - y),
        paired=True,
        n_resamples=2_000,
        method="percentile",
        random_state=0,
    ).confidence_interval
    width = theirs.high - theirs.low
    assert paired.low == pytest.approx(theirs.low, abs=0.1 * width)
    assert paired.high == pytest.approx(theirs.high, abs=0.1 * width)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: xentcore.bootstrap_mean_interval([1.0, np.nan]),
            r"^values must be finite; sample 1 is nan",
        ),
        (
            lambda: xentcore.bootstrap_mean_interval([1.0], level=95),
            r"^level must be a number strictly between 0 and 1; got 95",
        ),
        (
            lambda: xentcore.paired_bootstrap_difference([1.0, 2.0], [1.0]),
            r"^first and second must score the same samples; got 2 and 1",
        ),
    ],
)
def test_errors_name_the_argument(call, message):
    with pytest.raises((ValueError, IndexError), match=message):
        call()
