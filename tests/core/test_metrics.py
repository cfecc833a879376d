"""xentcore.metrics and the pass's new per-sample numbers, against torchmetrics, scikit-learn,
SciPy and plain loops, each with its tolerance stated."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.metrics import brier_score_loss, precision_recall_fscore_support, top_k_accuracy_score
from torchmetrics.classification import MulticlassAccuracy, MulticlassCalibrationError

import xentcore
from xentcore import metrics
from xentcore._pool import BLOCK_ELEMENTS, PARALLEL_MIN_ELEMENTS

RTOL = 1e-6  # float64 metrics against float64 oracles
CAL_ATOL = 2e-6  # float32 binning (as torchmetrics) of float32 confidences


def random_case(n, c, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, n)
    logits = (2.0 * rng.standard_normal((n, c))).astype(dtype)
    logits[np.arange(n), labels] += 1.5
    return logits, labels


@pytest.fixture(scope="module")
def big():
    logits, labels = random_case(1_500, 700)  # crosses block boundaries, takes the threads
    assert logits.size > max(2 * BLOCK_ELEMENTS, PARALLEL_MIN_ELEMENTS)
    return logits, labels, xentcore.analyse_scores(logits, labels)


def softmax64(logits):
    return torch.softmax(torch.from_numpy(logits).double(), 1).numpy()


def rank_loop(x, t):
    return [sum(x[i, c] > x[i, t[i]] for c in range(x.shape[1])) for i in range(len(t))]


def test_rank_is_the_plain_loops_and_the_pass_gives_it():
    logits, labels = random_case(300, 9)
    assert xentcore.target_rank(logits, labels).tolist() == rank_loop(logits, labels)
    a = xentcore.analyse_scores(logits, labels)
    np.testing.assert_array_equal(a.rank, rank_loop(logits, labels))


@pytest.mark.parametrize("k", [1, 2, 5, 10])
def test_top_k_is_torchmetrics_and_sklearn_without_ties(big, k):
    logits, labels, a = big
    tm = MulticlassAccuracy(num_classes=logits.shape[1], top_k=k, average="micro")
    expected = float(tm(torch.from_numpy(logits), torch.from_numpy(labels)))
    sk = top_k_accuracy_score(labels, logits, k=k, labels=np.arange(logits.shape[1]))
    assert a.top_k_accuracy(k) == pytest.approx(expected, abs=1e-7)  # a float32 mean
    assert a.top_k_accuracy(k) == pytest.approx(sk, rel=1e-12)
    assert xentcore.top_k_accuracy(logits, labels, k) == pytest.approx(sk, rel=1e-12)


def test_a_target_tied_with_the_kth_score_counts_as_inside():
    x = np.array([[1.0, 1.0, 0.0], [2.0, 1.0, 1.0]])
    # class 1 ties the top: rank 0; class 2 ties the second: rank 1
    assert xentcore.target_rank(x, [1, 2]).tolist() == [0, 1]
    assert xentcore.top_k_accuracy(x, [1, 2], k=1) == 0.5
    assert xentcore.analyse_scores(x, np.array([1, 2]), fit=False).accuracy == 0.0  # argmax: 0


def test_brier_is_sklearns_unhalved_multiclass_score(big):
    logits, labels, a = big
    p = softmax64(logits)
    expected = brier_score_loss(labels, p, labels=np.arange(p.shape[1]), scale_by_half=False)
    assert a.brier == pytest.approx(expected, rel=1e-5)  # Σp² from float32 exponentials
    assert xentcore.brier_score(logits, labels) == pytest.approx(expected, rel=RTOL)
    loop = np.mean([((p[i] - np.eye(p.shape[1])[labels[i]]) ** 2).sum() for i in range(200)])
    assert xentcore.brier_score(logits[:200], labels[:200]) == pytest.approx(loop, rel=RTOL)


def test_brier_of_probabilities_reads_them_renormalised():
    p = np.array([[0.6, 0.2, 0.1], [0.1, 0.1, 0.8]])  # the first row sums to 0.9
    y = np.array([0, 2])
    expected = brier_score_loss(
        y, p / p.sum(1, keepdims=True), labels=[0, 1, 2], scale_by_half=False
    )
    assert xentcore.brier_score(p, y, from_logits=False) == pytest.approx(expected, rel=RTOL)
    a = xentcore.analyse_scores(p, y, from_logits=False, fit=False)
    assert a.brier == pytest.approx(expected, rel=RTOL)


def test_mce_is_torchmetrics_max_norm(big):
    logits, labels, a = big
    tm = MulticlassCalibrationError(num_classes=logits.shape[1], n_bins=15, norm="max")
    expected = float(tm(torch.from_numpy(logits), torch.from_numpy(labels)))
    assert a.max_calibration_error == pytest.approx(expected, abs=CAL_ATOL)
    mce = xentcore.max_calibration_error(a.confidence, a.correct)
    assert mce == pytest.approx(expected, abs=CAL_ATOL)


def ace_loop(conf, correct, n_bins):
    order = np.argsort(conf, kind="stable")
    total = 0.0
    for group in np.array_split(order, n_bins):
        if len(group):
            total += len(group) * abs(np.mean(correct[group]) - np.mean(conf[group]))
    return total / len(conf)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 300),
    st.integers(1, 20),
    st.integers(0, 2**32 - 1),
)
def test_adaptive_ece_is_the_equal_mass_loop(n, n_bins, seed):
    rng = np.random.default_rng(seed)
    conf = rng.choice([0.2, 0.5, 0.9, 1.0], n) if seed % 2 else rng.random(n)
    correct = rng.random(n) < conf
    assert xentcore.adaptive_calibration_error(conf, correct, n_bins) == pytest.approx(
        ace_loop(conf, correct, min(n_bins, n)), abs=1e-12
    )


def test_adaptive_ece_of_the_pass(big):
    _, _, a = big
    assert a.adaptive_calibration_error(10) == pytest.approx(
        ace_loop(a.confidence.astype(np.float64), a.correct, 10), abs=1e-9
    )


def test_classwise_ece_is_the_per_class_loop():
    logits, labels = random_case(400, 6, seed=3, dtype=np.float64)
    p = softmax64(logits)
    edges = xentcore.calibration_edges(10)
    expected = []
    for j in range(6):
        q = p[:, j].astype(np.float32)
        bins = np.clip(np.searchsorted(edges, q, side="right") - 1, 0, 10)
        gap = 0.0
        for b in range(11):
            inside = bins == b
            if inside.any():
                gap += inside.sum() * abs((labels[inside] == j).mean() - p[inside, j].mean())
        expected.append(gap / len(labels))
    mean, per_class = xentcore.classwise_calibration_error(logits, labels, 10)
    np.testing.assert_allclose(per_class, expected, atol=1e-12)
    assert mean == pytest.approx(np.mean(expected), abs=1e-12)


@pytest.mark.parametrize("zero_division", [0.0, 1.0, "nan"])
def test_precision_recall_f1_are_sklearns(zero_division):
    rng = np.random.default_rng(1)
    c = 6
    y = rng.integers(0, 4, 300)  # classes 4 and 5 never labelled
    pred = np.where(rng.random(300) < 0.6, y, rng.integers(0, c, 300))
    pred[pred == 3] = 4  # class 3 never predicted
    zd = np.nan if zero_division == "nan" else zero_division
    expected = precision_recall_fscore_support(
        y, pred, labels=np.arange(c), average=None, zero_division=zd
    )
    got = xentcore.precision_recall_f1(y, pred, c, zero_division)
    for ours, theirs in zip(
        (got.precision, got.recall, got.f1, got.support), expected, strict=True
    ):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)


def test_the_pass_gives_the_same_class_scores(big):
    logits, labels, a = big
    got = a.class_scores()
    expected = xentcore.precision_recall_f1(labels, a.prediction, logits.shape[1])
    for name in ("precision", "recall", "f1", "support", "predicted"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name))


def test_confidence_histogram_counts_every_confidence(big):
    _, _, a = big
    counts, edges = xentcore.confidence_histogram(a.confidence, 20)
    assert counts.sum() == a.confidence.size and edges[0] == 0 and edges[-1] == 1


def test_bits_and_perplexity(big):
    _, _, a = big
    assert a.mean_loss_bits == pytest.approx(a.mean_loss / math.log(2), rel=1e-12)
    assert a.perplexity == pytest.approx(math.exp(a.mean_loss), rel=1e-12)
    assert xentcore.perplexity(1e6) == math.inf


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
    assert r.units == metrics.BOOTSTRAP_UNITS
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
            lambda: xentcore.top_k_accuracy([[0.1, 0.9]], [0], k=3),
            r"^k must be an integer in \[1, 2\]",
        ),
        (lambda: xentcore.top_k_accuracy([[0.1, 0.9]], [2]), r"^target holds 2, outside"),
        (lambda: xentcore.brier_score([0.1, 0.9], [0]), r"^input must have shape \(N, C\)"),
        (
            lambda: xentcore.precision_recall_f1([0], [0], 2, zero_division="warn"),
            r"^zero_division must be one of 0.0, 1.0, 'nan'; got 'warn'",
        ),
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
        (
            lambda: xentcore.adaptive_calibration_error([0.5], [True, False]),
            r"^confidence and correct must be non-empty 1-D arrays of one length",
        ),
    ],
)
def test_errors_name_the_argument(call, message):
    with pytest.raises((ValueError, IndexError), match=message):
        call()


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 50), st.integers(2, 12), st.integers(0, 2**32 - 1))
def test_rank_ignores_shifts_and_softmax_and_top_k_grows_with_k(n, c, seed):
    logits, labels = random_case(n, c, seed, dtype=np.float64)
    rank = xentcore.target_rank(logits, labels)
    shifted = logits + np.random.default_rng(seed).normal(size=(n, 1)) * 10
    np.testing.assert_array_equal(xentcore.target_rank(shifted, labels), rank)
    p = softmax64(logits)
    a = xentcore.analyse_scores(p, labels, from_logits=False, fit=False)
    np.testing.assert_array_equal(a.rank, rank)
    accuracies = [a.top_k_accuracy(k) for k in range(1, c + 1)]
    assert accuracies == sorted(accuracies) and accuracies[-1] == 1.0


def test_a_zero_probability_target_is_ranked_below_every_possible_class():
    p = np.array([[0.0, 0.5, 0.5], [0.0, 1.0, 0.0]])
    a = xentcore.analyse_scores(p, np.array([0, 0]), from_logits=False, fit=False)
    assert a.rank.tolist() == [2, 1]
    assert a.brier == pytest.approx((1.5 + 2.0) / 2)
