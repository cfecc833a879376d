"""Extreme and non-finite logits: finite where PyTorch is finite, NaN/inf exactly where it is."""

import warnings

import numpy as np
import pytest
import torch.nn.functional as F
from core_helpers import assert_close, assert_matches_torch, to_torch

import xentcore as xc

INF, NAN = np.inf, np.nan

EXTREME_LOGITS = [
    pytest.param(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]], np.float32), id="1e4-float32"),
    pytest.param(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]]), id="1e4-float64"),
    pytest.param(np.array([[1e30, -1e30, 0.0], [-1e30, 1e30, 1e30]]), id="1e30-float64"),
]


@pytest.fixture
def warnings_are_errors():
    """Any RuntimeWarning (overflow in exp, invalid value in subtract) fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.usefixtures("warnings_are_errors")
@pytest.mark.parametrize("logits", EXTREME_LOGITS)
def test_extreme_logits_give_finite_results_without_warnings(logits):
    target = np.array([1, 2])
    probs, log_probs = xc.softmax(logits), xc.log_softmax(logits)
    losses = xc.cross_entropy(logits, target, reduction="none", label_smoothing=0.1)
    for result in (probs, log_probs, xc.logsumexp(logits), losses):
        assert result.dtype == logits.dtype
        assert np.isfinite(result).all()
    assert_close(probs.sum(axis=1), [1.0, 1.0])
    theirs = F.cross_entropy(to_torch(logits), to_torch(target), reduction="none")
    assert_matches_torch(xc.cross_entropy(logits, target, reduction="none"), theirs)
    assert_matches_torch(log_probs, F.log_softmax(to_torch(logits), dim=1))


@pytest.mark.usefixtures("warnings_are_errors")
def test_float16_logits_beyond_exp_range_stay_finite():
    logits = np.array([[30000.0, 0.0, -30000.0], [12.0, 11.0, 10.0]], np.float16)
    for result in (xc.softmax(logits), xc.log_softmax(logits), xc.cross_entropy(logits, [2, 0])):
        assert result.dtype == np.float16
        assert np.isfinite(result).all()
    assert_close(xc.softmax(logits)[1], xc.softmax(logits.astype(np.float32))[1], np.float16)


# One row of logits and a target; the expected loss is what PyTorch reports.
NONFINITE_ROWS = [
    pytest.param([NAN, 1.0, 2.0], 1, NAN, id="nan-elsewhere"),
    pytest.param([NAN, 1.0, 2.0], 0, NAN, id="nan-at-target"),
    pytest.param([INF, 1.0, 2.0], 0, NAN, id="inf-at-target"),
    pytest.param([INF, 1.0, 2.0], 2, NAN, id="inf-elsewhere"),
    pytest.param([INF, -INF, 2.0], 1, NAN, id="inf-and-minus-inf"),
    pytest.param([-INF, 1.0, 2.0], 0, INF, id="minus-inf-at-target"),
    pytest.param([-INF, 1.0, 2.0], 2, 0.31326168751822286, id="minus-inf-elsewhere"),
    pytest.param([-INF, -INF, -INF], 0, NAN, id="all-minus-inf"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("row", "target", "expected"), NONFINITE_ROWS)
def test_nonfinite_logits_propagate_as_in_torch(row, target, expected, dtype):
    logits = np.array([row, [1.0, 2.0, 3.0]], dtype=dtype)
    targets = np.array([target, 0])
    losses = xc.cross_entropy(logits, targets, reduction="none")
    assert_close(losses[0], expected, dtype)
    assert_close(losses[1], 2.4076059644443806, dtype)  # the finite row is untouched
    assert_matches_torch(
        losses, F.cross_entropy(to_torch(logits), to_torch(targets), reduction="none")
    )


@pytest.mark.parametrize(("row", "target", "expected"), NONFINITE_ROWS)
def test_nonfinite_logits_in_softmax_family_match_torch(row, target, expected):
    logits = np.array([row, [1.0, 2.0, 3.0]])
    x = to_torch(logits)
    assert_matches_torch(xc.softmax(logits), F.softmax(x, dim=1))
    assert_matches_torch(xc.log_softmax(logits), F.log_softmax(x, dim=1))
    assert_matches_torch(xc.logsumexp(logits), x.logsumexp(dim=1))


@pytest.mark.usefixtures("warnings_are_errors")
@pytest.mark.parametrize(
    ("target", "weight"),
    [([-100, 1], None), ([0, 1], None), ([0, 1], [0.0, 1.0, 1.0])],
    ids=["minus-inf-ignored", "minus-inf-at-target", "minus-inf-at-zero-weight-target"],
)
def test_nll_loss_of_minus_inf_log_probabilities_matches_torch_silently(target, weight):
    """log_softmax of a −inf logit is −inf: 0 if ignored, inf if picked, NaN if weighted by 0."""
    log_probs = xc.log_softmax(np.array([[-INF, 1.0, 2.0], [0.5, 1.0, 2.0]]))
    torch_weight = None if weight is None else to_torch(np.array(weight))
    for reduction in ("none", "sum"):
        theirs = F.nll_loss(
            to_torch(log_probs), to_torch(np.array(target)), torch_weight, reduction=reduction
        )
        ours = xc.nll_loss(log_probs, target, weight, reduction=reduction)
        assert_matches_torch(ours, theirs)


def test_nonfinite_row_makes_mean_nonfinite_but_leaves_other_rows_alone():
    logits = np.array([[1.0, 2.0, 3.0], [NAN, 0.0, 0.0], [2.0, 4.0, 6.0]])
    assert np.isnan(xc.cross_entropy(logits, [0, 1, 2]))
    assert_close(xc.cross_entropy(logits[[0, 2]], [0, 2]), 1.2753, np.float16)


def test_nonfinite_cells_locates_every_nan_and_inf_in_row_major_order():
    logits = np.array([[1.0, NAN, 2.0], [INF, 0.0, -INF]])
    cells = xc.nonfinite_cells(logits)
    assert [index for index, _ in cells] == [(0, 1), (1, 0), (1, 2)]
    values = [value for _, value in cells]
    assert np.isnan(values[0])
    assert values[1:] == [INF, -INF]


def test_nonfinite_cells_is_empty_for_finite_input():
    assert xc.nonfinite_cells(np.arange(6.0).reshape(2, 3)) == []
