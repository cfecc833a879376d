"""Entropy and KL divergence: against scipy, and H(p, q) = H(p) + KL(p ‖ q)."""

import math

import numpy as np
import pytest
import scipy.special
from core_helpers import PROPERTY_SETTINGS, assert_close, rngs
from hypothesis import given
from hypothesis import strategies as st

import xentcore as xc


@st.composite
def distribution_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Two (N, C) stacks of distributions; p may hold exact zeros (0 · log 0 = 0), q does not."""
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 6))
    rng = draw(rngs())
    p = rng.random((n, c)) * (rng.random((n, c)) > draw(st.sampled_from([0.0, 0.4])))
    p[:, 0] += 1e-3  # keep every row of p a distribution even if all else was zeroed
    q = xc.softmax(rng.standard_normal((n, c)) * 3)
    return p / p.sum(axis=1, keepdims=True), q


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_entropy_and_kl_match_scipy(case):
    p, q = case
    assert_close(xc.entropy(p), scipy.special.entr(p).sum(axis=1))
    assert_close(xc.kl_divergence(p, q), scipy.special.rel_entr(p, q).sum(axis=1))


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_entropy_plus_kl_is_the_cross_entropy_of_the_distributions(case):
    p, q = case
    cross = -np.where(p > 0, p * np.log(q), 0).sum(axis=1)
    assert_close(xc.entropy(p) + xc.kl_divergence(p, q), cross)
    # the same −Σ p log q is cross_entropy with probability targets on logits log q
    assert_close(xc.cross_entropy(np.log(q), p, reduction="none"), cross)


@PROPERTY_SETTINGS
@given(distribution_pairs())
def test_kl_is_non_negative_and_zero_against_itself(case):
    p, q = case
    assert (xc.kl_divergence(p, q) >= -1e-12).all()
    assert_close(xc.kl_divergence(p, p), np.zeros(len(p)))


@pytest.mark.parametrize(
    ("p", "expected"),
    [([1.0, 0.0], 0.0), ([0.5, 0.5], math.log(2)), ([0.25] * 4, math.log(4))],
)
def test_entropy_known_values_in_nats(p, expected):
    assert_close(xc.entropy(p), expected)


def test_kl_is_infinite_where_q_is_zero_but_p_is_not():
    assert xc.kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert_close(xc.kl_divergence([1.0, 0.0], [0.5, 0.5]), math.log(2))


def test_information_measures_follow_the_axis_argument():
    p = np.array([[0.5, 1.0], [0.5, 0.0]])  # columns are the distributions
    assert_close(xc.entropy(p, axis=0), [math.log(2), 0.0])
    assert_close(xc.kl_divergence(p, np.full((2, 2), 0.5), axis=0), [0.0, math.log(2)])


def test_bits_and_perplexity(threaded_case):
    _, _, a = threaded_case
    assert a.mean_loss_bits == pytest.approx(a.mean_loss / math.log(2), rel=1e-12)
    assert a.perplexity == pytest.approx(math.exp(a.mean_loss), rel=1e-12)
    assert xc.perplexity(1e6) == math.inf
