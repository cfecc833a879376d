"""Every number printed in the seed documents (/work/shared/seeds), reproduced by xentcore.

Seeds are cited by file: 000 = 000_e904098b9e0aecf2.txt (the categorical cross-entropy
walkthrough), 001 = 001_6b373452c46bf3a0.txt (how PyTorch computes cross-entropy, with extra
dimensions), 002 = 002_3c323cef20abbe9f.txt (NumPy and PyTorch side by side). The seeds ran PyTorch
in float32, so logits here are float32 wherever a seed's number came out of PyTorch.
"""

import math

import numpy as np
import pytest

import xentcore as xc

# seed 000: the logits of two samples (cat, dog, pig) and their class-index targets
WALKTHROUGH_LOGITS = np.array([[1, 2, 3], [2, 4, 6]], dtype=np.float32)
WALKTHROUGH_TARGETS = np.array([0, 2])


def assert_printed(actual: object, printed: object, decimals: int = 4) -> None:
    """Agrees with a value printed to `decimals` places: within half a unit of the last digit."""
    np.testing.assert_allclose(actual, printed, rtol=0, atol=0.5 * 10.0**-decimals + 1e-12)


def assert_printed_scientific(actual: object, printed: object) -> None:
    """Agrees with values printed as d.dddde±xx: within half a unit of the fifth digit."""
    np.testing.assert_allclose(actual, printed, rtol=5e-5, atol=0)


# --- seed 000: the walkthrough ------------------------------------------------------------------


def test_seed000_softmax_of_the_walkthrough_logits():
    probs = xc.softmax(WALKTHROUGH_LOGITS)
    assert probs.dtype == np.float32
    assert_printed(probs, [[0.0900, 0.2447, 0.6652], [0.0159, 0.1173, 0.8668]])


def test_seed000_negative_log_probabilities():
    neg_log_p = -xc.log_softmax(WALKTHROUGH_LOGITS)
    assert_printed(neg_log_p, [[2.4076, 1.4076, 0.4076], [4.1429, 2.1429, 0.1429]])


def test_seed000_one_hot_targets():
    np.testing.assert_array_equal(xc.one_hot(WALKTHROUGH_TARGETS, 3), [[1, 0, 0], [0, 0, 1]])


@pytest.mark.parametrize(
    ("reduction", "printed"),
    [("mean", 1.2753), ("sum", 2.5505), ("none", [2.4076, 0.1429])],
)
def test_seed000_cross_entropy_of_the_walkthrough(reduction, printed):
    loss = xc.cross_entropy(WALKTHROUGH_LOGITS, WALKTHROUGH_TARGETS, reduction=reduction)
    assert_printed(loss, printed)


@pytest.mark.parametrize(
    "categorical_form",
    [
        xc.categorical_cross_entropy,
        xc.categorical_cross_entropy_loop,
        xc.categorical_cross_entropy_diagonal,
    ],
)
def test_seed000_all_three_categorical_forms_give_1_2753(categorical_form):
    one_hot = xc.one_hot(WALKTHROUGH_TARGETS, 3)
    assert_printed(categorical_form(one_hot, xc.softmax(WALKTHROUGH_LOGITS)), 1.2753)


def test_seed000_loss_matrix_of_targets_against_negative_log_probabilities():
    matrix = xc.loss_matrix(WALKTHROUGH_TARGETS, xc.softmax(WALKTHROUGH_LOGITS))
    assert_printed(matrix, [[2.4076, 4.1429], [0.4076, 0.1429]])
    assert_printed(np.trace(matrix), 2.5505)


def test_seed000_binary_cross_entropy_of_a_confident_right_prediction():
    """Target [0, 1] against prediction [0.01, 0.99]: the seed's element-wise mean."""
    assert_printed(xc.binary_cross_entropy([0.01, 0.99], [0.0, 1.0]), 0.01005034, decimals=8)
    assert_printed(xc.categorical_cross_entropy([[0, 1]], [[0.01, 0.99]]), 0.01005034, decimals=8)


def test_seed000_stackoverflow_categorical_example():
    targets = [[0, 0, 0, 1], [0, 0, 0, 1]]
    predictions = [[0.25, 0.25, 0.25, 0.25], [0.01, 0.01, 0.01, 0.96]]
    assert_printed(xc.categorical_cross_entropy(targets, predictions), 0.71355817782, decimals=11)


def test_seed000_eleven_point_curve_with_eps_1e_15():
    """Predictions [0, 1], [0.1, 0.9], ..., [1, 0] against target [0, 1], with the seed's eps."""
    p_dog = [round(1 - k / 10, 1) for k in range(11)]
    predictions = [[1 - p, p] for p in p_dog]
    curve = xc.categorical_cross_entropy([[0, 1]] * 11, predictions, eps=1e-15, reduction="none")
    # the seed adds eps inside the log; clipping to [eps, 1 − eps] agrees to ~1e-15 here
    np.testing.assert_allclose(curve, [-math.log(p + 1e-15) for p in p_dog], rtol=1e-12, atol=1e-14)
    assert abs(curve[0]) < 1e-14  # a certain right answer costs ~0
    assert_printed(curve[-1], 34.54, decimals=2)  # a certain wrong one costs −log(1e-15)
    assert (np.diff(curve) > 0).all()


# --- seed 001: PyTorch's cross-entropy, including extra dimensions -------------------------------


@pytest.mark.parametrize(
    ("logits", "printed_loss", "printed_probs"),
    [
        ([[4, 3, 2, 10]], 0.0037, [2.4696e-03, 9.0850e-04, 3.3422e-04, 9.9629e-01]),
        ([[20, 2, 3, 4]], 16.0, [1.0, 1.5230e-08, 4.1399e-08, 1.1254e-07]),
    ],
)
def test_seed001_one_sample_four_classes_target_3(logits, printed_loss, printed_probs):
    logits = np.array(logits, dtype=np.float32)
    loss = xc.cross_entropy(logits, [3], reduction="none")
    assert (loss.shape, loss.dtype) == ((1,), np.float32)
    assert_printed(loss, [printed_loss])
    assert_printed_scientific(xc.softmax(logits)[0], printed_probs)


def test_seed001_one_sample_with_two_positions():
    logits = np.array([[[4, 10], [3, 2], [2, 3], [10, 4]]], dtype=np.float32)  # (1, 4, 2)
    loss = xc.cross_entropy(logits, [[3, 1]], reduction="none")
    assert loss.shape == (1, 2)
    assert_printed_scientific(loss, [[3.7192e-03, 8.0037e00]])


SEED001_BATCH_LOGITS = [[[4, 4], [3, 3], [2, 2], [2, 20]], [[20, 20], [3, 3], [2, 2], [10, 10]]]


def test_seed001_two_samples_with_two_positions_in_float32():
    """1.1921e-07 is float32's epsilon: log(1 + 1.69e-7) after 1 + 1.69e-7 rounds up one ulp."""
    logits = np.array(SEED001_BATCH_LOGITS, dtype=np.float32)  # (2, 4, 2)
    loss = xc.cross_entropy(logits, [[3, 3], [0, 0]], reduction="none")
    assert (loss.shape, loss.dtype) == ((2, 2), np.float32)
    assert_printed_scientific(loss, [[2.4938e00, 1.1921e-07], [4.5418e-05, 4.5418e-05]])


def test_seed001_the_float32_artefact_is_absent_in_float64():
    logits = np.array(SEED001_BATCH_LOGITS, dtype=np.float64)
    loss = xc.cross_entropy(logits, [[3, 3], [0, 0]], reduction="none")
    exact = math.log1p(math.exp(-16) + math.exp(-17) + math.exp(-18))  # ≈ 1.6919e-07
    assert loss[0, 1] == pytest.approx(exact, rel=1e-10)


# --- seed 002: NumPy and PyTorch side by side -----------------------------------------------------


@pytest.mark.parametrize(
    ("probabilities", "printed"), [([0.7, 0.2, 0.1], 0.3567), ([0.1, 0.3, 0.6], 2.3026)]
)
def test_seed002_cross_entropy_from_probabilities(probabilities, printed):
    assert_printed(xc.categorical_cross_entropy([[1, 0, 0]], [probabilities]), printed)
    assert_printed(xc.nll_loss(np.log([probabilities]), [0]), printed)


@pytest.mark.parametrize(
    ("logits", "printed"), [([2.0, 1.0, 0.1], 0.4170), ([0.5, 2.0, 0.3], 1.8406)]
)
def test_seed002_cross_entropy_from_logits_of_one_sample(logits, printed):
    assert_printed(xc.cross_entropy(np.array([logits], dtype=np.float32), [0]), printed)


@pytest.mark.parametrize(
    ("logits", "printed", "argmax"),
    [
        ([[0.1, 1.0, 2.1], [2.0, 1.0, 0.1], [0.1, 3.0, 0.1]], 0.3018, [2, 0, 1]),
        ([[2.1, 1.0, 0.1], [0.1, 1.0, 2.1], [0.1, 3.0, 0.1]], 1.6242, [0, 2, 1]),
    ],
    ids=["good", "bad"],
)
def test_seed002_cross_entropy_of_three_samples(logits, printed, argmax):
    logits = np.array(logits, dtype=np.float32)
    assert_printed(xc.cross_entropy(logits, [2, 0, 1]), printed)
    # softmax keeps the order of the logits, so its argmax is the seed's prediction
    np.testing.assert_array_equal(np.argmax(xc.softmax(logits), axis=1), argmax)
