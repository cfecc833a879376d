"""binary_cross_entropy and binary_cross_entropy_with_logits against torch.nn.functional."""

import numpy as np
import pytest
import torch.nn.functional as F
from core_helpers import (
    FLOAT_DTYPES,
    PROPERTY_SETTINGS,
    REDUCTIONS,
    assert_close,
    assert_matches_torch,
    rngs,
    to_torch,
)
from hypothesis import given
from hypothesis import strategies as st

import xentcore as xc


@st.composite
def binary_cases(draw: st.DrawFn, logits: bool) -> tuple[np.ndarray, np.ndarray, dict]:
    """(input, target, keyword arguments): weight broadcast in one of several ways, reduction."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    dtype = draw(st.sampled_from(FLOAT_DTYPES))
    rng = draw(rngs())
    if logits:
        x = rng.standard_normal(shape) * draw(st.sampled_from([1.0, 10.0, 100.0]))
    else:
        # probabilities, with exact 0s and 1s where PyTorch's −100 log clamp applies
        x = np.where(rng.random(shape) < 0.3, rng.integers(0, 2, shape), rng.random(shape))
    target = rng.random(shape) if draw(st.booleans()) else rng.integers(0, 2, shape)
    weight_shape = draw(st.sampled_from([None, shape, shape[-1:], (1,) * len(shape)]))
    kwargs = {"reduction": draw(st.sampled_from(REDUCTIONS))}
    if weight_shape is not None:
        kwargs["weight"] = rng.uniform(0.1, 3, weight_shape).astype(dtype)
    if logits and draw(st.booleans()):
        kwargs["pos_weight"] = rng.uniform(0.1, 5, shape[-1:]).astype(dtype)
    return x.astype(dtype), target.astype(dtype), kwargs


def _torch_kwargs(kwargs: dict) -> dict:
    return {k: to_torch(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}


@PROPERTY_SETTINGS
@given(binary_cases(logits=False))
def test_binary_cross_entropy_matches_torch(case):
    probs, target, kwargs = case
    theirs = F.binary_cross_entropy(to_torch(probs), to_torch(target), **_torch_kwargs(kwargs))
    assert_matches_torch(xc.binary_cross_entropy(probs, target, **kwargs), theirs)


@PROPERTY_SETTINGS
@given(binary_cases(logits=True))
def test_binary_cross_entropy_with_logits_matches_torch(case):
    logits, target, kwargs = case
    theirs = F.binary_cross_entropy_with_logits(
        to_torch(logits), to_torch(target), **_torch_kwargs(kwargs)
    )
    assert_matches_torch(xc.binary_cross_entropy_with_logits(logits, target, **kwargs), theirs)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_probabilities_of_exactly_0_and_1_are_clamped_at_100_nats(dtype):
    """PyTorch clamps each log at −100: a certain wrong answer costs 100, a certain right one 0."""
    probs = np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype)
    target = np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype)
    losses = xc.binary_cross_entropy(probs, target, reduction="none")
    assert_close(losses, [100.0, 100.0, 0.0, 0.0])
    assert np.isfinite(losses).all()


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_with_logits_equals_binary_cross_entropy_of_the_sigmoid(dtype):
    logits = np.linspace(-6, 6, 13).astype(dtype)
    target = (np.arange(13) % 2).astype(dtype)
    sigmoid = (1 / (1 + np.exp(-logits.astype(np.float64)))).astype(dtype)
    assert_close(
        xc.binary_cross_entropy_with_logits(logits, target, reduction="none"),
        xc.binary_cross_entropy(sigmoid, target, reduction="none"),
        dtype=np.float32,  # the sigmoid route loses precision; agreement at float32 is the point
    )


def test_with_logits_stays_finite_for_huge_logits():
    logits = np.array([1e4, -1e4, 800.0, -800.0])
    target = np.array([0.0, 1.0, 1.0, 0.0])
    assert_close(
        xc.binary_cross_entropy_with_logits(logits, target, reduction="none"), [1e4, 1e4, 0, 0]
    )


def test_pos_weight_scales_only_the_positive_term():
    logits, target = np.array([0.3, 0.3]), np.array([1.0, 0.0])
    plain = xc.binary_cross_entropy_with_logits(logits, target, reduction="none")
    weighted = xc.binary_cross_entropy_with_logits(
        logits, target, pos_weight=np.array([3.0]), reduction="none"
    )
    assert_close(weighted, plain * [3.0, 1.0])
