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


# PyTorch's own sample inputs for softmax and log_softmax (sample_inputs_softmax_variant in
# torch.testing._internal.opinfo.definitions._masked, 2.13; S = 5, M = 10): read from there when
# that module imports (it needs the expecttest package), else this copy of its cases. With the
# empty tensors and 0-d inputs below they are the shapes where a result must come back.
TORCH_SAMPLE_CASES = [
    ((5,), 0),
    ((5, 5), 0),
    ((5, 5), 1),
    ((5, 5), -1),
    ((5, 10, 5), 2),
    ((5, 0, 0), -1),
    ((), 0),
]
EDGE_CASES = [
    ((0,), 0),
    ((0,), -1),
    ((0, 3), 0),
    ((0, 3), 1),
    ((3, 0), 0),
    ((3, 0), 1),
    ((2, 0, 4), 1),
    ((), -1),
    ((), None),
]


def _torch_sample_cases() -> list[tuple[tuple[int, ...], int]]:
    try:
        from torch.testing._internal.opinfo.definitions._masked import (
            sample_inputs_softmax_variant,
        )
    except ImportError:
        return TORCH_SAMPLE_CASES
    samples = sample_inputs_softmax_variant(None, "cpu", torch.float64, False)
    return [(tuple(s.input.shape), s.args[0]) for s in samples]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "axis"), _torch_sample_cases() + EDGE_CASES)
def test_softmax_family_returns_what_torch_returns_for_every_shape(shape, axis, dtype):
    x = (3 * np.random.default_rng(len(shape)).standard_normal(shape)).astype(dtype)
    dim = 0 if axis is None else axis
    t = torch.from_numpy(np.asarray(x))
    for ours, theirs in [
        (xc.softmax(x, axis=axis), torch.softmax(t, dim)),
        (xc.log_softmax(x, axis=axis), torch.log_softmax(t, dim)),
        (xc.logsumexp(x, axis=axis), torch.logsumexp(t, dim)),
        (xc.logsumexp(x, axis=axis, keepdims=True), torch.logsumexp(t, dim, keepdim=True)),
    ]:
        assert ours.shape == tuple(theirs.shape) and ours.dtype == np.dtype(dtype)
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("value", [2.5, np.inf, -np.inf, np.nan])
def test_a_scalar_is_one_class_as_in_torch(value):
    t = torch.tensor(value, dtype=torch.float64)
    np.testing.assert_array_equal(xc.softmax(value), torch.softmax(t, 0).numpy())
    np.testing.assert_array_equal(xc.log_softmax(value), torch.log_softmax(t, 0).numpy())
    np.testing.assert_array_equal(xc.logsumexp(value), torch.logsumexp(t, 0).numpy())
