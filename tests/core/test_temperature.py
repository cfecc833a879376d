"""Temperature scaling against a brute force: `core_helpers.converged_temperature` (a float64 grid
plus golden-section search of torch's mean NLL), on real classifiers' outputs
(`core_helpers.classifier_outputs`) and on made-up logits of every magnitude."""

from __future__ import annotations

import math

import numpy as np
import pytest
from core_helpers import (
    CLASSIFIER_CASE_IDS,
    CLASSIFIER_CASES,
    classifier_outputs,
    converged_temperature,
)

import xentcore


def mean_nll(z: np.ndarray, y: np.ndarray, temperature: float) -> float:
    return float(xentcore.cross_entropy(z.astype(np.float64) / temperature, y))


@pytest.mark.parametrize("case", CLASSIFIER_CASES, ids=CLASSIFIER_CASE_IDS)
def test_fitted_temperature_is_the_brute_force_minimum(case):
    outputs = classifier_outputs(*case)
    z, y = outputs.logits, outputs.labels
    fit = xentcore.fit_temperature(z, y)
    if not 0 < fit.temperature < math.inf:
        pytest.skip(f"the minimum is a limit here (T = {fit.temperature})")
    assert fit.temperature == pytest.approx(converged_temperature(z, y), rel=1e-4)
    assert fit.nll == pytest.approx(mean_nll(z, y, fit.temperature), rel=1e-9)
    assert fit.evaluations < 40


@pytest.mark.parametrize("scale", [1e-30, 1e-3, 1.0, 1e3, 1e30, 1e300])
def test_fit_converges_whatever_the_magnitude(scale):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 4, 300)
    z = rng.standard_normal((300, 4))
    z[np.arange(300), y] += 1.0
    reference = xentcore.fit_temperature(z, y).temperature
    fit = xentcore.fit_temperature(z * scale, y)
    assert fit.temperature == pytest.approx(reference * scale, rel=1e-6)


def test_fit_says_when_the_minimum_is_a_limit():
    z = np.array([[3.0, 0.0, 1.0], [0.0, 2.0, 1.0]])
    assert xentcore.fit_temperature(z, np.array([0, 1])).temperature == 0.0  # all top classes
    worst = xentcore.fit_temperature(z, np.array([1, 0]))  # the least-liked classes
    assert worst.temperature == math.inf
    assert worst.nll == pytest.approx(math.log(3))  # the uniform guess


def test_impossible_classes_off_the_target_are_allowed():
    z = np.array([[0.0, -math.inf, 1.0], [2.0, 0.0, -math.inf], [0.0, 1.0, 0.5]])
    y = np.array([2, 0, 0])
    fit = xentcore.fit_temperature(z, y)
    assert 0.1 < fit.temperature < 10
    finite_z = np.where(np.isinf(z), -1e4, z)  # exp(−1e4 / T) is 0 near the minimum
    assert fit.temperature == pytest.approx(converged_temperature(finite_z, y), rel=1e-4)


def test_fit_accepts_float32_and_keeps_float64_precision():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 10, 2_000)
    z = (3 * rng.standard_normal((2_000, 10))).astype(np.float32)
    z[np.arange(2_000), y] += 2.0
    a = xentcore.fit_temperature(z, y).temperature
    b = xentcore.fit_temperature(z.astype(np.float64), y).temperature
    assert a == pytest.approx(b, rel=1e-12)


def test_fit_at_zero_temperature_counts_only_possible_classes_as_ties():
    """T → 0 leaves the argmax: a target tied with one other class costs log 2, whatever −inf."""
    z = np.array([[0.0, 0.0, -np.inf], [3.0, 0.0, -np.inf]])
    fit = xentcore.fit_temperature(z, np.array([0, 0]))
    assert fit.temperature == 0.0
    assert fit.nll == pytest.approx(math.log(2) / 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: xentcore.fit_temperature([[1.0, math.nan]], [0]), r"^logits must be finite"),
        (
            lambda: xentcore.fit_temperature([[-math.inf, 0.0]], [0]),
            r"^sample 0 has a logit of −inf at its target",
        ),
    ],
)
def test_bad_logits_are_named(call, message):
    with pytest.raises((ValueError, IndexError), match=message):
        call()
