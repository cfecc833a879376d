"""Calibration against torchmetrics and a plain loop; temperature scaling against a brute force.

Oracles: torchmetrics 1.9's MulticlassCalibrationError(norm="l1") (imported here only), a plain
Python loop of its documented binning, and `core_helpers.converged_temperature` (a float64 grid
plus golden-section search of torch's mean NLL). The scores are real classifiers' outputs made
here from scikit-learn's bundled data sets (`core_helpers.classifier_outputs`: digits, wine,
breast cancer with kNN, random forests, logistic regression and naive Bayes), in float32 and
float64; kNN with k = 5 or 10 neighbours gives probabilities j / k, many exactly on the edges.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from core_helpers import (
    CLASSIFIER_DATASETS,
    CLASSIFIER_MODELS,
    classifier_outputs,
    converged_temperature,
)
from torchmetrics.classification import MulticlassCalibrationError

import xentcore
from xentcore.calibration import _bin_index

CASES = [
    (d, m, dtype)
    for d in CLASSIFIER_DATASETS
    for m in CLASSIFIER_MODELS
    for dtype in (np.float32, np.float64)
]
CASE_IDS = [f"{d}, {m}, {dtype.__name__}" for d, m, dtype in CASES]
# torchmetrics sums in float32: its ECE of a few hundred samples is off by a few 1e-6.
TORCHMETRICS_ECE_ATOL = 2e-5


def _outputs(dataset: str, model: str, dtype=np.float64):
    """(probabilities, labels, the model's own logits or None), as the tests below read them."""
    case = classifier_outputs(dataset, model, dtype)
    return case.probabilities, case.labels, case.logits if case.own_logits else None


@pytest.fixture(scope="module", params=CASES, ids=CASE_IDS)
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


SCORING_CASES = [c for c in CASES if c[1] in ("logistic regression", "naive Bayes")]


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


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: xentcore.calibration_bins([0.5], [True], 0),
            r"^n_bins must be a positive integer",
        ),
        (lambda: xentcore.reliability_bins([[0.5, 0.5]], [2]), r"^target holds 2, outside"),
        (lambda: xentcore.reliability_bins([0.5, 0.5], [0]), r"^input must have shape \(N, C\)"),
        (lambda: xentcore.fit_temperature([[1.0, math.nan]], [0]), r"^logits must be finite"),
        (
            lambda: xentcore.fit_temperature([[-math.inf, 0.0]], [0]),
            r"^sample 0 has a logit of −inf at its target",
        ),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises((ValueError, IndexError), match=message):
        call()


# ------------------------------------------------------------------------- temperature scaling


def mean_nll(z: np.ndarray, y: np.ndarray, temperature: float) -> float:
    return float(xentcore.cross_entropy(z.astype(np.float64) / temperature, y))


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
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


@pytest.mark.parametrize("n_bins", [1, 2, 3, 7, 15, 100, 1000])
def test_bin_index_is_searchsorted_on_and_beside_every_edge(n_bins):
    edges = xentcore.calibration_edges(n_bins)
    rng = np.random.default_rng(n_bins)
    beside = [np.nextafter(edges, np.float32(-1)), np.nextafter(edges, np.float32(2))]
    odd = [np.nan, np.inf, -np.inf, -0.0, 1.5, -0.5, 1e-45, 0.99999994]
    q = np.concatenate([rng.random(5_000), edges, *beside, odd]).astype(np.float32)
    expected = np.clip(np.searchsorted(edges, q, side="right") - 1, 0, n_bins)
    np.testing.assert_array_equal(_bin_index(q, edges), expected)


def test_fit_at_zero_temperature_counts_only_possible_classes_as_ties():
    """T → 0 leaves the argmax: a target tied with one other class costs log 2, whatever −inf."""
    z = np.array([[0.0, 0.0, -np.inf], [3.0, 0.0, -np.inf]])
    fit = xentcore.fit_temperature(z, np.array([0, 0]))
    assert fit.temperature == 0.0
    assert fit.nll == pytest.approx(math.log(2) / 2)


def test_confidence_of_a_matrix_over_threads_is_torchs_softmax_max():
    """Large enough for row blocks over the pool: the same as one softmax of the whole."""
    rng = np.random.default_rng(4)
    z = (3 * rng.standard_normal((3_000, 400))).astype(np.float32)
    confidence, prediction = xentcore.top_label_confidence(z)
    p = torch.softmax(torch.from_numpy(z), 1)
    np.testing.assert_allclose(confidence, p.max(1).values.numpy(), rtol=1e-5)
    np.testing.assert_array_equal(prediction, z.argmax(axis=1))
