"""The three forms of categorical cross-entropy, the loss matrix and the clipping policy."""

import math

import numpy as np
import pytest
from core_helpers import PROPERTY_SETTINGS, assert_close, rngs
from hypothesis import given
from hypothesis import strategies as st

import xentcore as xc


@st.composite
def targets_and_probabilities(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """(N, C) softmax probabilities, and targets as class indices, one-hot rows or soft rows."""
    n, c = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    rng = draw(rngs())
    probs = xc.softmax(rng.standard_normal((n, c)) * draw(st.sampled_from([0.5, 3.0, 30.0])))
    indices = rng.integers(0, c, n)
    kind = draw(st.sampled_from(["indices", "one-hot", "soft"]))
    if kind == "indices":
        return indices, probs
    if kind == "one-hot":
        return xc.one_hot(indices, c), probs
    return xc.softmax(rng.standard_normal((n, c))), probs


@PROPERTY_SETTINGS
@given(targets_and_probabilities())
def test_loop_diagonal_and_vectorised_forms_agree(case):
    y_true, y_prob = case
    vectorised = xc.categorical_cross_entropy(y_true, y_prob)
    assert_close(xc.categorical_cross_entropy_loop(y_true, y_prob), vectorised)
    assert_close(xc.categorical_cross_entropy_diagonal(y_true, y_prob), vectorised)


@PROPERTY_SETTINGS
@given(targets_and_probabilities())
def test_categorical_form_equals_cross_entropy_on_log_probabilities(case):
    """log_softmax(log p) = log p for a distribution p, so cross_entropy sees the same numbers.

    eps=0 turns clipping off: cross_entropy never clips, and softmax here never underflows to 0.
    """
    y_true, y_prob = case
    target = y_true.astype(np.float64) if y_true.ndim == 2 else y_true
    for reduction in ("none", "mean", "sum"):
        assert_close(
            xc.categorical_cross_entropy(y_true, y_prob, eps=0.0, reduction=reduction),
            xc.cross_entropy(np.log(y_prob), target, reduction=reduction),
        )


def test_loss_matrix_diagonal_pairs_each_sample_with_its_own_prediction():
    y_prob = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    matrix = xc.loss_matrix([0, 2], y_prob)
    expected = [[-math.log(0.7), -math.log(0.1)], [-math.log(0.1), -math.log(0.6)]]
    assert_close(matrix, expected)


def test_loss_matrix_without_clipping_is_inf_only_where_a_target_meets_p0():
    """eps=0: a zero target times log 0 adds nothing (0, not NaN); a positive one costs inf."""
    matrix = xc.loss_matrix([0, 1], [[1.0, 0.0], [0.5, 0.5]], eps=0.0)
    assert_close(matrix, [[0.0, math.log(2)], [math.inf, math.log(2)]])


def test_loss_matrix_accepts_exactly_the_row_limit():
    n = xc.MAX_LOSS_MATRIX_ROWS
    assert xc.loss_matrix(np.zeros(n, dtype=np.int64), np.ones((n, 1))).shape == (n, n)


def test_loss_matrix_refuses_more_rows_than_the_limit():
    n = xc.MAX_LOSS_MATRIX_ROWS + 1
    with pytest.raises(ValueError, match=rf"^loss_matrix builds an N × N matrix; N = {n} would"):
        xc.loss_matrix(np.zeros(n, dtype=np.int64), np.ones((n, 1)))


@pytest.mark.parametrize(
    "categorical_form",
    [
        xc.categorical_cross_entropy,
        xc.categorical_cross_entropy_loop,
        xc.categorical_cross_entropy_diagonal,
    ],
)
@pytest.mark.parametrize(
    ("eps", "cost_of_p0", "cost_of_p1"),
    [
        (xc.DEFAULT_EPS, -math.log(1e-20), 0.0),  # 1 − 1e-20 rounds to 1: no upper clip
        (1e-15, -math.log(1e-15), -math.log1p(-1e-15)),
        (0.1, -math.log(0.1), -math.log(0.9)),
        (0.0, math.inf, 0.0),  # no clipping at all: log 0 = −inf
    ],
)
def test_clipping_policy_at_p0_and_p1(categorical_form, eps, cost_of_p0, cost_of_p1):
    """P is clipped to [eps, 1 − eps]: p = 0 costs −log eps, p = 1 costs −log(1 − eps)."""
    assert_close(categorical_form([0], [[0.0, 1.0]], eps=eps), cost_of_p0)
    assert_close(categorical_form([1], [[0.0, 1.0]], eps=eps), cost_of_p1)


def test_default_eps_is_the_seed_walkthrough_value():
    """Seed 000 clamps probabilities to [1e-20, 1 − 1e-20] before the log."""
    assert xc.DEFAULT_EPS == 1e-20


def test_rows_not_summing_to_one_are_not_renormalised():
    assert_close(xc.categorical_cross_entropy([0], [[0.5, 0.1]]), -math.log(0.5))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_reductions_of_per_sample_losses(reduction):
    y_prob = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    per_sample = np.array([-math.log(0.7), -math.log(0.6)])
    expected = {"none": per_sample, "mean": per_sample.mean(), "sum": per_sample.sum()}
    result = xc.categorical_cross_entropy([0, 2], y_prob, reduction=reduction)
    assert result.shape == np.shape(expected[reduction])
    assert_close(result, expected[reduction])
