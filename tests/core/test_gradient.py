"""cross_entropy_grad against torch autograd and against central finite differences."""

import numpy as np
import pytest
import torch.nn.functional as F
from core_helpers import (
    PROPERTY_SETTINGS,
    LossCase,
    assert_close,
    assert_matches_torch,
    loss_cases,
    to_torch,
)
from hypothesis import given

import xentcore as xc


def _autograd(case: LossCase):
    """∂(Σ loss)/∂logits by autograd — for "none", the gradient of the summed losses."""
    logits = to_torch(case.logits).clone().requires_grad_(True)
    F.cross_entropy(logits, to_torch(case.target), **case.torch_kwargs).sum().backward()
    return logits.grad


@PROPERTY_SETTINGS
@given(loss_cases())
def test_gradient_matches_torch_autograd(case: LossCase):
    assert_matches_torch(
        xc.cross_entropy_grad(case.logits, case.target, **case.kwargs), _autograd(case)
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"reduction": "sum", "label_smoothing": 0.3},
        {"weight": [0.5, 2.0, 1.0, 3.0], "ignore_index": 2},
        {"weight": [0.5, 2.0, 1.0, 3.0], "reduction": "none", "label_smoothing": 0.7},
    ],
    ids=["mean", "sum-smoothed", "weighted-ignored", "none-weighted-smoothed"],
)
def test_gradient_matches_central_differences(kwargs):
    """A check that needs no torch: (L(x + h·e) − L(x − h·e)) / 2h for every logit."""
    rng = np.random.default_rng(7)
    logits, target = rng.normal(size=(3, 4, 2)), np.array([[0, 2], [3, 1], [2, 2]])

    def total_loss(x: np.ndarray) -> float:
        return float(np.sum(xc.cross_entropy(x, target, **kwargs)))

    step = 1e-6
    numeric = np.zeros_like(logits)
    for index in np.ndindex(logits.shape):
        bump = np.zeros_like(logits)
        bump[index] = step
        numeric[index] = (total_loss(logits + bump) - total_loss(logits - bump)) / (2 * step)
    np.testing.assert_allclose(xc.cross_entropy_grad(logits, target, **kwargs), numeric, atol=1e-7)


def test_unweighted_gradient_is_softmax_minus_target():
    logits = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
    grad = xc.cross_entropy_grad(logits, [0, 2], reduction="sum")
    assert_close(grad, xc.softmax(logits) - xc.one_hot([0, 2], 3))


def test_all_ignored_mean_has_zero_gradient_like_autograd():
    logits = np.array([[1.0, 2.0, 3.0]])
    case = LossCase(logits, np.array([1]), ignore_index=1, label_smoothing=0.2)
    grad = xc.cross_entropy_grad(logits, case.target, **case.kwargs)
    np.testing.assert_array_equal(grad, 0.0)
    assert_matches_torch(grad, _autograd(case))
