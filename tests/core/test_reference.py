"""cross_entropy against a plain-loop reference: Python floats, math.log and math.exp only.

The reference is written from PyTorch's documented formulas, so it is a second oracle that shares
no code (and no vectorisation tricks) with xentcore or PyTorch.
"""

import math

import numpy as np
from core_helpers import (
    PROPERTY_SETTINGS,
    LossCase,
    assert_close,
    class_axis,
    index_shape,
    loss_cases,
)
from hypothesis import given

import xentcore as xc


def _positions(logits: np.ndarray, target: np.ndarray) -> tuple[list, list, bool]:
    """Per-position logit rows (Python lists) and targets: an index, or a list of probabilities."""
    axis = class_axis(logits.ndim)
    rows = np.moveaxis(logits, axis, -1).reshape(-1, logits.shape[axis]).tolist()
    probabilities = target.shape == logits.shape
    if probabilities:
        targets = np.moveaxis(target, axis, -1).reshape(len(rows), -1).tolist()
    else:
        targets = target.reshape(-1).tolist()
    return rows, targets, probabilities


def _log_softmax(row: list[float]) -> list[float]:
    peak = max(row)
    log_total = peak + math.log(sum(math.exp(v - peak) for v in row))
    return [v - log_total for v in row]


def reference_cross_entropy(case: LossCase) -> float | np.ndarray:
    rows, targets, probabilities = _positions(case.logits, case.target)
    num_classes = len(rows[0])
    w = [1.0] * num_classes if case.weight is None else [float(v) for v in case.weight]
    eps = case.label_smoothing
    losses, denominator = [], 0.0
    for row, target in zip(rows, targets, strict=True):
        logp = _log_softmax(row)
        if probabilities:
            smoothed = [(1 - eps) * q + eps / num_classes for q in target]
            losses.append(-sum(w[c] * smoothed[c] * logp[c] for c in range(num_classes)))
            denominator += 1  # probability targets: the mean is over positions, whatever w
        elif target == case.ignore_index:
            losses.append(0.0)
        else:
            nll = -w[target] * logp[target]
            smooth = -sum(w[c] * logp[c] for c in range(num_classes))
            losses.append((1 - eps) * nll + eps / num_classes * smooth)
            denominator += w[target]
    if case.reduction == "none":
        return np.array(losses).reshape(index_shape(case.logits.shape))
    total = sum(losses)
    if case.reduction == "sum":
        return total
    return total / denominator if denominator else math.nan


@PROPERTY_SETTINGS
@given(loss_cases())
def test_cross_entropy_matches_the_plain_loop_reference(case: LossCase):
    ours = xc.cross_entropy(case.logits, case.target, **case.kwargs)
    expected = reference_cross_entropy(case)
    assert ours.shape == np.shape(expected)
    assert_close(ours, expected, dtype=case.logits.dtype)


def test_reference_reproduces_a_hand_computed_value():
    """Guards the reference itself: seed 000 gives 1.2753 for [[1,2,3],[2,4,6]], targets [0,2]."""
    case = LossCase(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]), np.array([0, 2]))
    assert round(reference_cross_entropy(case), 4) == 1.2753
