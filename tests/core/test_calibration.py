"""Calibration (confidence, reliability bins, ECE, MCE, adaptive and classwise ECE) against
torchmetrics and plain loops.

Oracles: torchmetrics 1.9's MulticlassCalibrationError (norm="l1" and "max"; imported here only),
and plain Python loops of its documented binning, of equal-mass bins and of per-class bins. The
ECE's scores are real classifiers' outputs made here from scikit-learn's bundled data sets
(`core_helpers.classifier_outputs`: digits, wine, breast cancer with kNN, random forests, logistic
regression and naive Bayes), in float32 and float64; kNN with k = 5 or 10 neighbours gives
probabilities j / k, many exactly on the edges.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from core_helpers import (
    CLASSIFIER_CASE_IDS,
    CLASSIFIER_CASES,
    classifier_outputs,
    random_case,
    softmax64,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from torchmetrics.classification import MulticlassCalibrationError

import xentcore
from xentcore.calibration import _bin_index

# torchmetrics sums in float32: its ECE of a few hundred samples is off by a few 1e-6.
TORCHMETRICS_ECE_ATOL = 2e-5
CAL_ATOL = 2e-6  # float32 binning (as torchmetrics) of float32 confidences


def _outputs(dataset: str, model: str, dtype=np.float64):
    """(probabilities, labels, the model's own logits or None), as the tests below read them."""
    case = classifier_outputs(dataset, model, dtype)
    return case.probabilities, case.labels, case.logits if case.own_logits else None


@pytest.fixture(scope="module", params=CLASSIFIER_CASES, ids=CLASSIFIER_CASE_IDS)
def outputs(request):
    return _outputs(*request.param)


def torchmetrics_ece(p: np.ndarray, y: np.ndarray, n_bins: int) -> float:
    metric = MulticlassCalibrationError(num_classes=p.shape[1], n_bins=n_bins, norm="l1")
    return float(metric(torch.from_numpy(p), torch.from_numpy(y)))


def loop_ece(confidence: list[float], correct: list[bool], n_bins: int) -> float:
    """torchmetrics' documented binning, by hand: bucketize(q, linspace(0, 1, B + 1), right=True)
    − 1 in float32 — bin b holds edges[b] <= q < edges[b + 1], q = 1 a bin of its own."""
    edges = torch.linspace(0, 1, n_bins + 1, dtype=torch.float32).tolist()
    bins: dict[int, list[tuple[float, bool]]] = {}
    for q, right in zip(confidence, correct, strict=True):
        q32 = float(np.float32(q))
        b = sum(1 for e in edges if e <= q32) - 1
        bins.setdefault(b, []).append((q32, right))
    total = 0.0
    for members in bins.values():
        conf = sum(q for q, _ in members) / len(members)
        acc = sum(1 for _, r in members if r) / len(members)
        total += len(members) * abs(acc - conf)
    return total / len(confidence)


@pytest.mark.parametrize("n_bins", [5, 10, 15, 30])
def test_ece_of_probabilities_is_torchmetrics(outputs, n_bins):
    p, y, _ = outputs
    ours = xentcore.expected_calibration_error(p, y, n_bins, from_logits=False)
    assert ours == pytest.approx(torchmetrics_ece(p, y, n_bins), abs=TORCHMETRICS_ECE_ATOL)


@pytest.mark.parametrize("n_bins", [5, 15])
def test_ece_is_the_plain_loop_of_the_documented_binning(outputs, n_bins):
    p, y, _ = outputs
    confidence, prediction = p.max(axis=1), p.argmax(axis=1)
    expected = loop_ece(confidence.tolist(), (prediction == y).tolist(), n_bins)
    ours = xentcore.expected_calibration_error(p, y, n_bins, from_logits=False)
    assert ours == pytest.approx(expected, abs=1e-9)


SCORING_CASES = [c for c in CLASSIFIER_CASES if c[1] in ("logistic regression", "naive Bayes")]


@pytest.mark.parametrize("case", SCORING_CASES, ids=lambda c: f"{c[0]}, {c[1]}, {c[2].__name__}")
def test_ece_of_logits_is_torchmetrics_after_its_softmax(case):
    _, y, logits = _outputs(*case)
    ours = xentcore.expected_calibration_error(logits, y)
    # torchmetrics applies softmax itself when a value lies outside [0, 1]
    assert ours == pytest.approx(torchmetrics_ece(logits, y, 15), abs=TORCHMETRICS_ECE_ATOL)


def test_the_page_path_bins_as_torchmetrics(outputs):
    p, y, logits = outputs
    page = xentcore.analyse_scores(p, y, from_logits=False, fit=False)
    assert page.reliability.ece == pytest.approx(
        torchmetrics_ece(p, y, 15), abs=TORCHMETRICS_ECE_ATOL
    )
    np.testing.assert_array_equal(page.confidence, p.max(axis=1))  # as given: edges stay edges
    if logits is not None:
        scored = xentcore.analyse_scores(logits, y, fit=False)
        assert scored.reliability.ece == pytest.approx(
            torchmetrics_ece(logits, y, 15), abs=TORCHMETRICS_ECE_ATOL
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("k", [3, 5, 7, 10, 20])
def test_probabilities_j_over_k_on_every_edge_are_binned_as_torchmetrics(k, dtype):
    """Votes of k neighbours over 2 to 10 classes: every confidence a multiple of 1 / k."""
    rng = np.random.default_rng(k)
    for classes in (2, 3, 5, 10):
        p = (rng.multinomial(k, np.ones(classes) / classes, size=1_000) / k).astype(dtype)
        y = rng.integers(0, classes, 1_000)
        for n_bins in (5, 10, 15):
            expected = torchmetrics_ece(p, y, n_bins)
            ours = xentcore.analyse_scores(p, y, from_logits=False, fit=False, n_bins=n_bins)
            assert ours.reliability.ece == pytest.approx(expected, abs=TORCHMETRICS_ECE_ATOL)
            direct = xentcore.expected_calibration_error(p, y, n_bins, from_logits=False)
            assert direct == pytest.approx(expected, abs=TORCHMETRICS_ECE_ATOL)


def test_knn_probabilities_lie_on_the_edges_and_are_binned_as_torchmetrics():
    p, y, _ = _outputs("digits", "kNN k=5")  # probabilities j / 5: edges of 5, 10, 15 bins
    confidence = p.max(axis=1)
    on_edge = np.isin(confidence.astype(np.float32), xentcore.calibration_edges(10))
    assert on_edge.all()
    assert (confidence == 1.0).any()  # the extra bin of torchmetrics' bucketize is used
    for n_bins in (5, 10, 15):
        r = xentcore.reliability_bins(p, y, n_bins, from_logits=False)
        assert r.counts.sum() == len(y) and len(r.counts) == n_bins + 1
        assert r.ece == pytest.approx(torchmetrics_ece(p, y, n_bins), abs=TORCHMETRICS_ECE_ATOL)


def test_edges_are_torch_linspace_bit_for_bit():
    for n_bins in range(1, 201):
        expected = torch.linspace(0, 1, n_bins + 1, dtype=torch.float32).numpy()
        np.testing.assert_array_equal(xentcore.calibration_edges(n_bins), expected)


def test_confidence_reads_no_label_and_is_the_top_softmax_probability():
    rng = np.random.default_rng(0)
    z = (30 * rng.standard_normal((500, 7))).astype(np.float32)  # far-apart logits
    confidence, prediction = xentcore.top_label_confidence(z)
    expected = torch.softmax(torch.from_numpy(z).double(), 1).max(1)
    np.testing.assert_allclose(confidence, expected.values.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(prediction, expected.indices.numpy())


def test_reliability_bins_known_values():
    r = xentcore.calibration_bins([0.9, 0.9, 0.6, 0.6], [True, True, True, False], n_bins=5)
    # 0.6 is an edge: it opens [0.6, 0.8). Bins: accuracy 0.5 at 0.6, and 1 at 0.9.
    assert r.counts.tolist() == [0, 0, 0, 2, 2, 0]
    assert r.ece == pytest.approx((2 * 0.1 + 2 * 0.1) / 4)
    assert np.isnan(r.accuracy[0]) and r.accuracy[3] == 0.5


@pytest.mark.parametrize("n_bins", [1, 2, 3, 7, 15, 100, 1000])
def test_bin_index_is_searchsorted_on_and_beside_every_edge(n_bins):
    edges = xentcore.calibration_edges(n_bins)
    rng = np.random.default_rng(n_bins)
    beside = [np.nextafter(edges, np.float32(-1)), np.nextafter(edges, np.float32(2))]
    odd = [np.nan, np.inf, -np.inf, -0.0, 1.5, -0.5, 1e-45, 0.99999994]
    q = np.concatenate([rng.random(5_000), edges, *beside, odd]).astype(np.float32)
    expected = np.clip(np.searchsorted(edges, q, side="right") - 1, 0, n_bins)
    np.testing.assert_array_equal(_bin_index(q, edges), expected)


def test_confidence_of_a_matrix_over_threads_is_torchs_softmax_max():
    """Large enough for row blocks over the pool: the same as one softmax of the whole."""
    rng = np.random.default_rng(4)
    z = (3 * rng.standard_normal((3_000, 400))).astype(np.float32)
    confidence, prediction = xentcore.top_label_confidence(z)
    p = torch.softmax(torch.from_numpy(z), 1)
    np.testing.assert_allclose(confidence, p.max(1).values.numpy(), rtol=1e-5)
    np.testing.assert_array_equal(prediction, z.argmax(axis=1))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: xentcore.calibration_bins([0.5], [True], 0),
            r"^n_bins must be a positive integer",
        ),
        (lambda: xentcore.reliability_bins([[0.5, 0.5]], [2]), r"^target holds 2, outside"),
        (lambda: xentcore.reliability_bins([0.5, 0.5], [0]), r"^input must have shape \(N, C\)"),
        (
            lambda: xentcore.adaptive_calibration_error([0.5], [True, False]),
            r"^confidence and correct must be non-empty 1-D arrays of one length",
        ),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, IndexError), match=message):
        call()


# ---------------------------------------------------------- maximum, adaptive and classwise ECE


def test_mce_is_torchmetrics_max_norm(threaded_case):
    logits, labels, a = threaded_case
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


def test_adaptive_ece_of_the_pass(threaded_case):
    _, _, a = threaded_case
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


def test_confidence_histogram_counts_every_confidence(threaded_case):
    _, _, a = threaded_case
    counts, edges = xentcore.confidence_histogram(a.confidence, 20)
    assert counts.sum() == a.confidence.size and edges[0] == 0 and edges[-1] == 1
