"""softmax, log_softmax, logsumexp and one_hot against PyTorch and scipy.special."""

import numpy as np
import pytest
import scipy.special
import torch
import torch.nn.functional as F
from core_helpers import (
    PROPERTY_SETTINGS,
    assert_close,
    assert_matches_torch,
    class_axis,
    logits_arrays,
    to_torch,
)
from hypothesis import given
from hypothesis import strategies as st

import xentcore as xc


@st.composite
def logits_and_axis(draw: st.DrawFn) -> tuple[np.ndarray, int | None]:
    """Logits with either the default (class) axis or an explicit, possibly negative, one."""
    logits = draw(logits_arrays(max_extra_dims=2))
    ndim = logits.ndim
    return logits, draw(st.one_of(st.none(), st.integers(-ndim, ndim - 1)))


def _resolved(axis: int | None, ndim: int) -> int:
    return class_axis(ndim) if axis is None else axis


@PROPERTY_SETTINGS
@given(logits_and_axis())
def test_softmax_family_matches_torch(case):
    logits, axis = case
    x, dim = to_torch(logits), _resolved(axis, logits.ndim)
    assert_matches_torch(xc.softmax(logits, axis=axis), F.softmax(x, dim=dim))
    assert_matches_torch(xc.log_softmax(logits, axis=axis), F.log_softmax(x, dim=dim))
    assert_matches_torch(xc.logsumexp(logits, axis=axis), torch.logsumexp(x, dim=dim))


@PROPERTY_SETTINGS
@given(logits_and_axis())
def test_softmax_family_matches_scipy(case):
    logits, axis = case
    dim = _resolved(axis, logits.ndim)
    assert_close(xc.softmax(logits, axis=axis), scipy.special.softmax(logits, axis=dim))
    assert_close(xc.log_softmax(logits, axis=axis), scipy.special.log_softmax(logits, axis=dim))
    assert_close(xc.logsumexp(logits, axis=axis), scipy.special.logsumexp(logits, axis=dim))


@PROPERTY_SETTINGS
@given(logits_arrays())
def test_softmax_is_a_distribution_and_exp_of_log_softmax(logits):
    axis = class_axis(logits.ndim)
    probs = xc.softmax(logits)
    assert (probs >= 0).all()
    assert_close(probs.sum(axis=axis), np.ones(np.delete(logits.shape, axis)))
    assert_close(np.exp(xc.log_softmax(logits)), probs)
    assert_close(xc.log_softmax(logits), logits - xc.logsumexp(logits, keepdims=True))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logsumexp_keepdims_keeps_a_unit_class_axis(dtype):
    logits = np.zeros((2, 3, 4), dtype=dtype)
    kept = xc.logsumexp(logits, keepdims=True)
    assert (kept.shape, kept.dtype) == ((2, 1, 4), np.dtype(dtype))
    assert_close(kept, np.full((2, 1, 4), np.log(3.0)))


def test_integer_logits_are_promoted_to_float64():
    probs = xc.softmax(np.array([[1, 2, 3]]))
    assert probs.dtype == np.float64
    assert_close(probs, xc.softmax(np.array([[1.0, 2.0, 3.0]])))


@pytest.mark.parametrize("num_classes", [1, 3, 5])
def test_one_hot_matches_torch(num_classes):
    target = np.random.default_rng(num_classes).integers(0, num_classes, size=(2, 3))
    ours = xc.one_hot(target, num_classes)
    theirs = F.one_hot(to_torch(target), num_classes).numpy()
    assert ours.dtype == theirs.dtype == np.int64
    np.testing.assert_array_equal(ours, theirs)
