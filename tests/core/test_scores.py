"""analyse_scores: one pass over the matrix, checked against PyTorch, loops and xentcore itself.

Matrices large enough to cross the block boundaries and take the threaded path are used where
the streaming could go wrong.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import xentcore
from xentcore._pool import BLOCK_ELEMENTS, PARALLEL_MIN_ELEMENTS


def random_logits(n, c, seed=0, spread=3.0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, c, n)
    logits = (spread * rng.standard_normal((n, c))).astype(dtype)
    logits[np.arange(n), labels] += 2.0
    return logits, labels


@pytest.fixture(scope="module")
def big():
    logits, labels = random_logits(3_000, 1_000)
    assert logits.size > max(2 * BLOCK_ELEMENTS, PARALLEL_MIN_ELEMENTS)
    return logits, labels, xentcore.analyse_scores(logits, labels)


def test_losses_and_confidences_are_pytorchs(big):
    logits, labels, a = big
    x = torch.from_numpy(logits)
    expected = torch.nn.functional.cross_entropy(x, torch.from_numpy(labels), reduction="none")
    np.testing.assert_allclose(a.loss, expected.numpy(), rtol=1e-5, atol=1e-6)
    p = torch.softmax(x.double(), 1)
    np.testing.assert_allclose(a.confidence, p.max(1).values.numpy(), rtol=1e-5)
    np.testing.assert_array_equal(a.prediction, logits.argmax(axis=1))
    assert a.mean_loss == pytest.approx(float(expected.double().mean()), rel=1e-7)


def test_the_scaled_results_are_those_of_the_scaled_logits(big):
    logits, labels, a = big
    t = a.temperature.temperature
    rows, held = xentcore.scores.temperature_split(labels, logits.shape[1])
    assert a.fitted_on == len(rows) == 1_000 and len(held) == 1_500
    np.testing.assert_array_equal(a.held_out, held)
    fit = xentcore.fit_temperature(logits[rows], labels[rows])
    assert t == fit.temperature
    scaled = logits.astype(np.float64) / t
    expected = xentcore.cross_entropy(scaled, labels, reduction="none")
    np.testing.assert_allclose(a.loss_after, expected, rtol=1e-4, atol=1e-5)
    assert a.mean_loss_after == pytest.approx(expected[held].mean(), rel=1e-5)
    confidence, _ = xentcore.top_label_confidence(scaled)
    np.testing.assert_allclose(a.confidence_after, confidence, rtol=1e-5)
    assert a.reliability_after.ece == pytest.approx(
        xentcore.expected_calibration_error(scaled[held], labels[held]), abs=1e-6
    )
    assert a.reliability_held_out.ece == pytest.approx(
        xentcore.expected_calibration_error(logits[held], labels[held]), abs=1e-6
    )
    assert a.accuracy_held_out == (logits[held].argmax(axis=1) == labels[held]).mean()


# The Brier score at T, in [0, 2], against float64 references: from float32 exponentials summed
# over 1 000 classes the largest gap seen is 7e-9 (float64: 6e-16), well inside these.
BRIER_ATOL = {np.float32: 1e-6, np.float64: 1e-13}


def brier_loop(z: np.ndarray, label: int, temperature: float) -> float:
    """Σ_c (p_c − y_c)², p = softmax(z / T), for one row, in Python floats."""
    values = z.tolist()
    top = max(values)
    exps = [math.exp((v - top) / temperature) for v in values]
    total = sum(exps)
    return sum((e / total - (c == label)) ** 2 for c, e in enumerate(exps))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_brier_score_at_t_is_torchs_and_a_plain_loops(big, dtype):
    logits, labels, a = big
    if dtype is np.float64:
        logits = logits.astype(np.float64)
        a = xentcore.analyse_scores(logits, labels)
    t = a.temperature.temperature
    brier = a.brier_per_sample_after
    assert brier.dtype == np.float64 and brier.shape == labels.shape
    p = torch.softmax(torch.from_numpy(logits).double() / t, 1)
    y = torch.nn.functional.one_hot(torch.from_numpy(labels), logits.shape[1]).double()
    expected = ((p - y) ** 2).sum(1).numpy()
    np.testing.assert_allclose(brier, expected, rtol=0, atol=BRIER_ATOL[dtype])
    loop = [brier_loop(logits[i], labels[i], t) for i in range(100)]
    np.testing.assert_allclose(brier[:100], loop, rtol=0, atol=BRIER_ATOL[dtype])
    given = [brier_loop(logits[i], labels[i], 1.0) for i in range(100)]  # the same rule at T = 1
    np.testing.assert_allclose(a.brier_per_sample[:100], given, rtol=0, atol=BRIER_ATOL[dtype])
    assert not a.square_sum_after.flags.writeable  # shared through the cache, as the rest
    unfitted = xentcore.analyse_scores(logits[:9], labels[:9], fit=False)
    assert unfitted.square_sum_after is None and unfitted.brier_per_sample_after is None


def test_the_split_is_stratified_disjoint_and_seeded():
    labels = np.random.default_rng(5).integers(0, 7, 2_001)
    labels[:3] = 7  # a class of three samples
    fit, held = xentcore.scores.temperature_split(labels, 10)
    assert np.intersect1d(fit, held).size == 0 and fit.size + held.size == 2_001
    assert abs(fit.size - held.size) <= 1
    assert (abs(np.bincount(labels[fit]) - np.bincount(labels[held])) <= 1).all()
    again = xentcore.scores.temperature_split(labels, 10)
    np.testing.assert_array_equal(again[0], fit)
    one = xentcore.analyse_scores(np.zeros((1, 3)), np.array([0]))
    assert one.temperature is None and one.fit_refusal.startswith("1 sample: a temperature")


def test_reductions_add_up(big):
    logits, labels, a = big
    assert a.class_counts.sum() == len(labels)
    assert a.class_loss.sum() == pytest.approx(a.mean_loss * len(labels))
    confusion = a.confusion_counts(np.arange(1_000))
    expected = np.zeros_like(confusion)
    np.add.at(expected, (labels, logits.argmax(axis=1)), 1)
    np.testing.assert_array_equal(confusion, expected)
    assert a.reliability.ece == pytest.approx(
        xentcore.expected_calibration_error(logits, labels), abs=1e-6
    )
    assert a.histogram_counts.sum() == len(labels)
    worst = np.argsort(-a.loss.astype(np.float64), kind="stable")[:100]
    np.testing.assert_array_equal(a.worst_rows, worst)
    np.testing.assert_array_equal(a.worst_logits, logits[worst].astype(np.float64))


def test_a_plain_loop_gives_the_same_numbers():
    logits, labels = random_logits(9, 4, seed=3, dtype=np.float64)
    a = xentcore.analyse_scores(logits, labels, fit=False)
    for i in range(9):
        exps = [math.exp(v) for v in logits[i]]
        assert a.loss[i] == pytest.approx(math.log(sum(exps)) - logits[i, labels[i]], rel=1e-12)
        assert a.confidence[i] == pytest.approx(max(exps) / sum(exps), rel=1e-12)
    assert a.temperature is None and a.loss_after is None and math.isnan(a.mean_loss_after)


def test_probabilities_are_renormalised_and_zero_costs_infinity():
    p = np.array([[0.0, 1.0], [0.5, 0.5], [0.9, 0.1]])
    a = xentcore.analyse_scores(p, np.array([0, 0, 0]), from_logits=False, fit=False)
    np.testing.assert_allclose(a.loss, [math.inf, math.log(2), -math.log(0.9)])
    assert a.infinite_losses == 1
    refused = xentcore.analyse_scores(p[[0, 0]], np.array([0, 0]), from_logits=False)
    assert refused.temperature is None
    assert refused.fit_refusal.startswith("1 of the 1 samples it is fitted on give their target")
    q = np.array([[0.2, 0.6], [0.3, 0.3]])  # rows summing to 0.8 and 0.6
    b = xentcore.analyse_scores(q, np.array([1, 0]), from_logits=False, fit=False)
    np.testing.assert_allclose(b.loss, [-math.log(0.75), math.log(2)])
    np.testing.assert_array_equal(b.confidence, [0.6, 0.3])  # as given, as torchmetrics reads


def test_the_summary_finds_every_extreme_and_the_first_nonfinite_row():
    logits, labels = random_logits(5_000, 300, seed=4)
    s = xentcore.analyse_scores(logits, labels, fit=False).summary
    assert (s.min_value, s.max_value) == (logits.min(), logits.max())
    assert s.min_row == int(np.unravel_index(logits.argmin(), logits.shape)[0])
    sums = logits.sum(axis=1)
    assert s.max_sum_row == int(sums.argmax()) and s.min_sum_row == int(sums.argmin())
    assert xentcore.summarise_scores(logits) == s
    bad = logits.copy()
    bad[4_321, 7] = np.nan
    bad[4_400, 0] = np.inf
    a = xentcore.analyse_scores(bad, labels)  # computed, not refused: the caller reads summary
    assert (a.summary.nonfinite_rows, a.summary.first_nonfinite_row) == (2, 4_321)
    assert np.isnan(a.loss[4_321])


def test_one_thread_and_many_give_identical_results(monkeypatch, big):
    logits, labels, a = big
    monkeypatch.setenv("XENT_NUM_THREADS", "1")
    b = xentcore.analyse_scores(logits, labels)
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.confidence_after, b.confidence_after)
    np.testing.assert_array_equal(a.square_sum_after, b.square_sum_after)
    assert a.summary == b.summary


def test_results_are_read_only(big):
    _, _, a = big
    for array in (a.loss, a.confidence, a.prediction, a.loss_after, a.worst_rows):
        assert not array.flags.writeable


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"^scores must be a non-empty floating \(N, C\) matrix"):
        xentcore.analyse_scores(np.ones(3), np.zeros(3, int))
    with pytest.raises(IndexError, match=r"^labels holds 5, outside the class range \[0, 1\]"):
        xentcore.analyse_scores(np.ones((2, 2)), np.array([0, 5]))
