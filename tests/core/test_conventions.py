"""Keras's and scikit-learn's conventions: scikit-learn's log_loss is the oracle where it applies.

Keras is not installed: its rule is checked against the values of its own documentation and
against the rule written as a plain loop.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import log_loss

import xentcore

# The zeros make rows that do not sum to 1, which scikit-learn warns about, as documented.
pytestmark = pytest.mark.filterwarnings("ignore:The y_prob values do not sum to one")


def _probabilities(seed: int, n: int, c: int, dtype=np.float64, zeros: bool = True):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(c, 0.3), size=n).astype(dtype)
    if zeros:
        p[rng.random((n, c)) < 0.1] = 0  # exact zeros: clipped by both; rows no longer sum to 1
    return p, rng.integers(0, c, n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weighted", [False, True])
def test_sklearn_log_loss_is_sklearn(dtype, weighted):
    p, t = _probabilities(0, 300, 5, dtype)
    w = np.random.default_rng(1).uniform(0, 3, 300) if weighted else None
    expected = log_loss(t, p, labels=range(5), sample_weight=w)
    assert xentcore.sklearn_log_loss(t, p, sample_weight=w) == pytest.approx(expected, rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.integers(1, 40), st.integers(2, 8))
def test_sklearn_log_loss_is_sklearn_for_any_probabilities(seed, n, c):
    p, t = _probabilities(seed, n, c)
    expected = log_loss(t, p, labels=range(c))
    assert xentcore.sklearn_log_loss(t, p) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_target_rule_is_sklearn_on_the_full_matrix(dtype):
    rng = np.random.default_rng(7)
    logits = (8 * rng.standard_normal((400, 5))).astype(dtype)  # some p below ε: clipped
    labels = rng.integers(0, 5, 400)
    probabilities = xentcore.softmax(logits)
    loss, eps, clipped = xentcore.sklearn_target_log_loss(probabilities[np.arange(400), labels])
    assert eps == np.finfo(dtype).eps and clipped > 0
    assert loss == pytest.approx(log_loss(labels, probabilities, labels=range(5)), rel=1e-6)


def keras_loop(y, p, w=None):
    """Keras 3's categorical_crossentropy and sum_over_batch_size, written as a loop."""
    total = 0.0
    for i, (row, target) in enumerate(zip(p, y, strict=True)):
        s = sum(row)
        loss = 0.0
        for c, value in enumerate(row):
            q = min(max(value / s, 1e-7), 1 - 1e-7)
            loss -= target[c] * math.log(q)
        total += loss * (1.0 if w is None else w[i])
    return total / len(p)


def test_keras_documented_values():
    y, p = [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    assert xentcore.keras_categorical_crossentropy(y, p) == pytest.approx(1.177, abs=5e-4)
    weighted = xentcore.keras_categorical_crossentropy(y, p, [0.3, 0.7])
    assert weighted == pytest.approx(0.814, abs=5e-4)
    assert xentcore.keras_categorical_crossentropy(y, p, reduction="sum") == pytest.approx(
        2.354, abs=5e-4
    )
    assert xentcore.keras_categorical_crossentropy([1, 2], p) == pytest.approx(1.177, abs=5e-4)


@pytest.mark.parametrize("weighted", [False, True])
def test_keras_rule_is_its_loop(weighted):
    p, t = _probabilities(3, 50, 4)
    y = np.eye(4)[t]
    w = np.random.default_rng(4).uniform(0, 2, 50) if weighted else None
    ours = xentcore.keras_categorical_crossentropy(t, p, w)
    assert ours == pytest.approx(keras_loop(y.tolist(), p.tolist(), w), rel=1e-5)


def test_keras_row_of_zeros_is_nan_as_in_keras():
    losses = xentcore.keras_categorical_crossentropy([0, 1], [[0, 0], [0.5, 0.5]], reduction="none")
    assert np.isnan(losses[0]) and losses[1] == pytest.approx(math.log(2))


def test_keras_reductions_are_named():
    with pytest.raises(ValueError, match=r"^reduction must be one of 'sum_over_batch_size'"):
        xentcore.keras_categorical_crossentropy([0], [[1.0, 0.0]], reduction="mean")
