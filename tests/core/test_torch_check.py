"""xentcore's PyTorch bridge (torch_cross_entropy, torch_cross_entropy_grad) agrees with the core.

The app shows these side by side, so a disagreement would tell a user xentcore is wrong.
"""

import numpy as np
import pytest
from core_helpers import PROPERTY_SETTINGS, LossCase, assert_close, loss_cases
from hypothesis import given

import xentcore as xc

BRIDGE_CASES = [
    pytest.param(np.array([1.0, 2.0, 3.0]), np.array(0), {}, id="single-sample-0d-target"),
    pytest.param(
        np.random.default_rng(1).normal(size=(4, 3, 2)).astype(np.float32),
        np.array([[0, 1], [2, 2], [1, 0], [0, 0]]),
        {"weight": [1.0, 0.5, 2.0], "reduction": "sum", "label_smoothing": 0.1},
        id="extra-dims-weighted-smoothed",
    ),
    pytest.param(
        np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]),
        np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]),
        {"reduction": "none"},
        id="probability-targets",
    ),
]


def _assert_same(ours: np.ndarray, theirs: np.ndarray) -> None:
    assert (ours.dtype, ours.shape) == (theirs.dtype, theirs.shape)
    assert_close(ours, theirs)


@pytest.mark.parametrize(("logits", "target", "kwargs"), BRIDGE_CASES)
def test_bridge_loss_and_gradient_agree_with_xentcore(logits, target, kwargs):
    _assert_same(
        xc.cross_entropy(logits, target, **kwargs),
        xc.torch_cross_entropy(logits, target, **kwargs),
    )
    _assert_same(
        xc.cross_entropy_grad(logits, target, **kwargs),
        xc.torch_cross_entropy_grad(logits, target, **kwargs),
    )


@PROPERTY_SETTINGS
@given(loss_cases())
def test_bridge_gradient_agrees_with_xentcore_on_every_combination(case: LossCase):
    _assert_same(
        xc.cross_entropy_grad(case.logits, case.target, **case.kwargs),
        xc.torch_cross_entropy_grad(case.logits, case.target, **case.kwargs),
    )


def test_torch_is_reported_available():
    assert xc.torch_available()
