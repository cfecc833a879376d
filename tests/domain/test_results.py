"""results: the reduction written out, and everything the page shows, agree with xentcore."""

from __future__ import annotations

import numpy as np
import pytest
from app_helpers import printed, scenarios, xentcore_loss
from hypothesis import HealthCheck, given, settings

import xentcore
from xentui.domain.presets import DEFAULT_SCENARIO
from xentui.domain.results import analyse, loss_arguments, reduction_arithmetic
from xentui.domain.scenario import Scenario
from xentui.kit.format import fmt

PROPERTY_SETTINGS = settings(
    max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
LOSSES = np.array([2.407606, 0.142932, 1.0])  # the walkthrough's two, and a third
NOBODY = np.zeros(3, bool)

ARITHMETIC = [
    # (what it shows, per-sample, ignored, sample weights, reduction, the line)
    ("mean", LOSSES[:2], NOBODY[:2], None, "mean", "(2.4076 + 0.1429) / 2 = 1.2753"),
    ("sum", LOSSES[:2], NOBODY[:2], None, "sum", "2.4076 + 0.1429 = 2.5505"),
    ("ignored left out", LOSSES, np.array([False, True, False]), None, "mean",
     "(2.4076 + 1.0000) / 2 = 1.7038"),
    ("ignored left out of a sum", LOSSES, np.array([True, False, False]), None, "sum",
     "0.1429 + 1.0000 = 1.1429"),
    ("weighted denominator", LOSSES[:2] * [2, 1], NOBODY[:2], np.array([2.0, 1.0]), "mean",
     "(4.8152 + 0.1429) / (2 + 1) = 1.6527"),
    ("weighted, ignored left out", LOSSES, np.array([False, False, True]),
     np.array([0.5, 2.0, 3.0]), "mean", "(2.4076 + 0.1429) / (0.5 + 2) = 1.0202"),
    ("everything ignored", LOSSES[:2], np.ones(2, bool), None, "mean", "(0) / 0 = NaN"),
    ("many terms are elided", np.arange(10.0), np.zeros(10, bool), None, "mean",
     "(0.0000 + 1.0000 + 2.0000 + … + 8.0000 + 9.0000) / 10 = 4.5000"),
    ("many weights are elided", np.ones(9), np.zeros(9, bool), np.arange(1.0, 10.0), "mean",
     "(1.0000 + 1.0000 + 1.0000 + … + 1.0000 + 1.0000) / (1 + 2 + 3 + … + 8 + 9) = 0.2000"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("per_sample", "ignored", "weights", "reduction", "line"),
    [case[1:] for case in ARITHMETIC],
    ids=[case[0] for case in ARITHMETIC],
)
def test_reduction_arithmetic_writes_the_reduction_out(
    per_sample, ignored, weights, reduction, line
):
    assert reduction_arithmetic(per_sample, ignored, weights, reduction) == line


def test_the_default_scenario_gives_the_walkthrough_numbers():
    results = analyse(DEFAULT_SCENARIO)
    assert fmt(results.loss) == "1.2753"
    assert results.arithmetic == "(2.4076 + 0.1429) / 2 = 1.2753"
    assert printed(results.probabilities) == [
        ["0.0900", "0.2447", "0.6652"],
        ["0.0159", "0.1173", "0.8668"],
    ]
    assert printed(results.matrix) == [["2.4076", "4.1429"], ["0.4076", "0.1429"]]
    assert (results.accuracy, results.denominator) == (0.5, 2.0)
    assert results.predictions.tolist() == [2, 2]


@PROPERTY_SETTINGS
@given(scenarios(max_samples=4, max_classes=4))
def test_analyse_agrees_with_xentcore(scenario: Scenario):
    results = analyse(scenario)
    mean_or_sum = "sum" if scenario.reduction == "sum" else "mean"
    np.testing.assert_array_equal(results.per_sample, xentcore_loss(scenario, "none"))
    np.testing.assert_array_equal(results.loss, xentcore_loss(scenario, mean_or_sum))
    np.testing.assert_array_equal(
        results.probabilities, xentcore.softmax(loss_arguments(scenario)["input"])
    )
    np.testing.assert_allclose(results.target_distribution.sum(axis=1), 1, rtol=1e-6)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"weights": (2.0, 1.0, 0.5)},
        {"weights": (2.0, 1.0, 0.5), "ignored": (False, True)},
        {"label_smoothing": 0.3, "weights": (2.0, 1.0, 0.5)},
        {"temperature": 0.5, "reduction": "sum"},
        {"soft_targets": ((0.5, 0.5, 0.0), (0.0, 0.2, 0.8)), "weights": (2.0, 1.0, 0.5)},
    ],
    ids=["plain", "weights", "weights and ignore", "smoothing and weights", "sum", "soft"],
)
def test_the_arithmetic_ends_in_the_loss_shown(options):
    results = analyse(DEFAULT_SCENARIO.with_options(**options))
    assert results.arithmetic.endswith(f"= {fmt(results.loss)}")


def test_weights_set_the_denominator_and_ignored_samples_leave_it():
    results = analyse(DEFAULT_SCENARIO.with_options(weights=(2.0, 1.0, 0.5), ignored=(False, True)))
    assert results.denominator == 2.0
    assert results.sample_weights.tolist() == [2.0, 0.0]
    assert results.arithmetic == "(4.8152) / (2) = 2.4076"


def test_probability_targets_divide_by_n_whatever_the_weights():
    soft = ((0.5, 0.5, 0.0), (0.0, 0.0, 1.0))
    results = analyse(DEFAULT_SCENARIO.with_options(soft_targets=soft, weights=(2.0, 1.0, 0.5)))
    assert results.denominator == 2.0
    assert results.dominant_targets.tolist() == [0, 2]
    assert results.arithmetic.endswith(f") / 2 = {fmt(results.loss)}")


def test_label_smoothing_spreads_the_target_distribution():
    results = analyse(DEFAULT_SCENARIO.with_options(label_smoothing=0.3))
    np.testing.assert_allclose(results.target_distribution[0], [0.8, 0.1, 0.1])
    # The matrix's diagonal is each sample's (unweighted) loss against that distribution.
    np.testing.assert_allclose(np.diagonal(results.matrix), results.per_sample, rtol=1e-6)


def test_every_sample_ignored_gives_pytorch_s_nan_mean_zero_sum_and_zeros():
    results = analyse(DEFAULT_SCENARIO.with_options(ignored=(True, True)))
    assert np.isnan(results.mean) and np.isnan(results.loss) and results.total == 0.0
    assert results.per_sample.tolist() == [0.0, 0.0]
    assert results.arithmetic == "(0) / 0 = NaN"
    # Their −Σ y · log p is still shown, unweighted, beside their breakdown and in the matrix.
    assert printed(results.unweighted) == ["2.4076", "0.1429"]


def test_the_matrix_diagonal_is_each_sample_s_unweighted_loss_even_where_p_underflows():
    # p of the target is e^−1000: 0 in float32, yet −log p is 1000, not a clipped −log(eps).
    scenario = Scenario(classes=("a", "b"), logits=[[0, -1000]], targets=[1], label_smoothing=0.2)
    results = analyse(scenario)
    assert results.probabilities[0, 1] == 0
    np.testing.assert_allclose(np.diagonal(results.matrix), results.per_sample, rtol=1e-6)
    np.testing.assert_allclose(results.unweighted, [0.9 * 1000 + 0.1 * 0], rtol=1e-6)


def test_the_weighted_per_sample_loss_is_the_class_weighted_sum_of_its_terms():
    # −Σ_c w_c · y_c · log p_c: with smoothing, not w[target] times the unweighted loss.
    scenario = DEFAULT_SCENARIO.with_options(weights=(2.0, 1.0, 1.0), label_smoothing=0.1)
    results = analyse(scenario)
    terms = -(results.class_weights * results.target_distribution * results.log_probabilities)
    np.testing.assert_allclose(terms.sum(axis=1), results.per_sample, rtol=1e-6)
    assert printed(results.per_sample) == ["4.5547", "0.4810"]
    assert printed(results.unweighted) == ["2.3076", "0.3429"]
