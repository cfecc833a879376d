"""cross_entropy and nll_loss against torch.nn.functional, over every combination of options."""

import numpy as np
import pytest
import torch.nn.functional as F
from core_helpers import (
    PROPERTY_SETTINGS,
    REDUCTIONS,
    LossCase,
    assert_close,
    assert_matches_torch,
    class_axis,
    loss_cases,
    to_torch,
)
from hypothesis import given

import xentcore as xc


@PROPERTY_SETTINGS
@given(loss_cases())
def test_cross_entropy_matches_torch(case: LossCase):
    ours = xc.cross_entropy(case.logits, case.target, **case.kwargs)
    assert_matches_torch(ours, F.cross_entropy(*case.torch_args, **case.torch_kwargs))


def _nll_kwargs(kwargs: dict) -> dict:
    """nll_loss takes every option of cross_entropy but label_smoothing."""
    return {k: v for k, v in kwargs.items() if k != "label_smoothing"}


@PROPERTY_SETTINGS
@given(loss_cases(probability_targets=False, label_smoothing=False))
def test_nll_loss_on_log_softmax_matches_torch(case: LossCase):
    log_probs = F.log_softmax(to_torch(case.logits), dim=class_axis(case.logits.ndim))
    theirs = F.nll_loss(log_probs, to_torch(case.target), **_nll_kwargs(case.torch_kwargs))
    ours = xc.nll_loss(log_probs.numpy(), case.target, **_nll_kwargs(case.kwargs))
    assert_matches_torch(ours, theirs)


@PROPERTY_SETTINGS
@given(loss_cases(probability_targets=False, label_smoothing=False))
def test_cross_entropy_is_nll_loss_of_log_softmax(case: LossCase):
    kwargs = _nll_kwargs(case.kwargs)
    nll = xc.nll_loss(xc.log_softmax(case.logits), case.target, **kwargs)
    assert_close(xc.cross_entropy(case.logits, case.target, **kwargs), nll)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("shape", "expected_none_shape"),
    [((3,), ()), ((2, 3), (2,)), ((2, 3, 4), (2, 4)), ((2, 3, 4, 5), (2, 4, 5))],
)
def test_output_dtype_and_shape_follow_the_input(shape, expected_none_shape, dtype):
    logits = np.zeros(shape, dtype=dtype)
    target = np.zeros(expected_none_shape, dtype=np.int64)
    none = xc.cross_entropy(logits, target, reduction="none")
    assert (none.shape, none.dtype) == (expected_none_shape, np.dtype(dtype))
    for reduction in ("mean", "sum"):
        reduced = xc.cross_entropy(logits, target, reduction=reduction)
        assert isinstance(reduced, np.ndarray)
        assert (reduced.shape, reduced.dtype) == ((), np.dtype(dtype))


@pytest.mark.parametrize("weight", [None, [1.0, 2.0, 3.0]])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_all_positions_ignored_gives_nan_mean_and_zero_sum(weight, label_smoothing):
    logits = np.array([[1.0, 2.0, 3.0], [0.5, 0.1, -1.0]])
    target = np.array([1, 1])
    kwargs = {"weight": weight, "ignore_index": 1, "label_smoothing": label_smoothing}
    assert np.isnan(xc.cross_entropy(logits, target, **kwargs))
    assert xc.cross_entropy(logits, target, reduction="sum", **kwargs) == 0.0
    np.testing.assert_array_equal(xc.cross_entropy(logits, target, reduction="none", **kwargs), 0)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kept_targets_that_all_weigh_zero_give_pytorchs_nan_mean(label_smoothing, dtype):
    logits = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]], dtype)
    target, weight = np.array([0, 0]), np.array([0.0, 1.0, 1.0], dtype)
    ours = xc.cross_entropy(logits, target, weight=weight, label_smoothing=label_smoothing)
    theirs = F.cross_entropy(
        to_torch(logits), to_torch(target), weight=to_torch(weight), label_smoothing=label_smoothing
    )
    assert np.isnan(ours) and theirs.isnan()  # the smoothing term alone would be finite / 0
    assert ours.dtype == dtype


def test_ignored_positions_leave_the_weighted_mean_denominator():
    """PyTorch's weighted mean: Σ w[t]·loss over Σ w[t], both over the positions kept."""
    logits = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 0.0, 9.0]])
    weight = np.array([0.5, 1.0, 2.0])
    per_sample = -xc.log_softmax(logits)[[0, 1], [0, 2]]
    expected = (0.5 * per_sample[0] + 2.0 * per_sample[1]) / (0.5 + 2.0)
    loss = xc.cross_entropy(logits, [0, 2, -100], weight=weight)
    assert_close(loss, expected)


def test_ignore_index_out_of_class_range_is_allowed():
    logits = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    loss = xc.cross_entropy(logits, [7, 2], ignore_index=7, reduction="none")
    assert_close(loss, [0.0, -xc.log_softmax(logits)[1, 2]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_float16_input_gives_float16_losses_close_to_float32_and_torch(reduction):
    logits = (np.random.default_rng(0).normal(size=(8, 5)) * 3).astype(np.float16)
    target = np.arange(8) % 5
    half = xc.cross_entropy(logits, target, reduction=reduction)
    assert half.dtype == np.float16
    assert np.isfinite(half).all()
    single = xc.cross_entropy(logits.astype(np.float32), target, reduction=reduction)
    assert_close(half, single, dtype=np.float16)
    theirs = F.cross_entropy(to_torch(logits), to_torch(target), reduction=reduction)
    assert_close(half, theirs.numpy(), dtype=np.float16)


EMPTY_BATCHES = [((0, 3), (0,)), ((2, 3, 0), (2, 0)), ((0, 3, 4), (0, 4))]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("probabilities", [False, True])
@pytest.mark.parametrize(("shape", "target_shape"), EMPTY_BATCHES)
def test_an_empty_batch_is_torchs_nan_mean_and_zero_sum(
    shape, target_shape, probabilities, reduction
):
    logits = np.zeros(shape, dtype=np.float32)
    target = logits if probabilities else np.zeros(target_shape, dtype=np.int64)
    kwargs = {"weight": np.array([1.0, 2.0, 3.0], np.float32), "label_smoothing": 0.1}
    for options in ({}, kwargs):
        ours = xc.cross_entropy(logits, target, reduction=reduction, **options)
        torch_options = {k: to_torch(v) if k == "weight" else v for k, v in options.items()}
        theirs = F.cross_entropy(
            to_torch(logits), to_torch(target), reduction=reduction, **torch_options
        )
        assert_matches_torch(ours, theirs)
    if not probabilities:
        theirs = F.nll_loss(to_torch(logits), to_torch(target), reduction=reduction)
        assert_matches_torch(xc.nll_loss(logits, target, reduction=reduction), theirs)
        grad = xc.cross_entropy_grad(logits, target, reduction=reduction)
        assert grad.shape == shape and grad.dtype == np.float32


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (xc.binary_cross_entropy, F.binary_cross_entropy),
        (xc.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits),
    ],
)
def test_an_empty_binary_batch_is_torchs(ours, theirs, reduction):
    empty = np.zeros(0, dtype=np.float32)
    expected = theirs(to_torch(empty), to_torch(empty), reduction=reduction)
    assert_matches_torch(ours(empty, empty, reduction=reduction), expected)
