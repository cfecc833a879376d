"""xentcore.metrics (target rank, top-k accuracy, Brier score, precision / recall / F1) and the
pass's numbers for them, against torchmetrics, scikit-learn and plain loops, each with its
tolerance stated."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from core_helpers import random_case, softmax64
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, precision_recall_fscore_support, top_k_accuracy_score
from torchmetrics.classification import MulticlassAccuracy

import xentcore

RTOL = 1e-6  # float64 metrics against float64 oracles


def rank_loop(x, t):
    return [sum(x[i, c] > x[i, t[i]] for c in range(x.shape[1])) for i in range(len(t))]


def test_rank_is_the_plain_loops_and_the_pass_gives_it():
    logits, labels = random_case(300, 9)
    assert xentcore.target_rank(logits, labels).tolist() == rank_loop(logits, labels)
    a = xentcore.analyse_scores(logits, labels)
    np.testing.assert_array_equal(a.rank, rank_loop(logits, labels))


@pytest.mark.parametrize("k", [1, 2, 5, 10])
def test_top_k_is_torchmetrics_and_sklearn_without_ties(threaded_case, k):
    logits, labels, a = threaded_case
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


def test_brier_is_sklearns_unhalved_multiclass_score(threaded_case):
    logits, labels, a = threaded_case
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


def test_the_pass_gives_the_same_class_scores(threaded_case):
    logits, labels, a = threaded_case
    got = a.class_scores()
    expected = xentcore.precision_recall_f1(labels, a.prediction, logits.shape[1])
    for name in ("precision", "recall", "f1", "support", "predicted"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name))


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
