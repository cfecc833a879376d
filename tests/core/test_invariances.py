"""Invariances of cross_entropy: shifting logits, relabelling classes, doubling the batch."""

import dataclasses

import numpy as np
from core_helpers import PROPERTY_SETTINGS, LossCase, assert_close, class_axis, loss_cases, rngs
from hypothesis import given

import xentcore as xc


def _loss(case: LossCase) -> np.ndarray:
    return xc.cross_entropy(case.logits, case.target, **case.kwargs)


def _as_batch(case: LossCase) -> LossCase:
    """A single (C,) sample becomes a batch of one, so that every case has a batch axis."""
    if case.logits.ndim > 1:
        return case
    return dataclasses.replace(case, logits=case.logits[None], target=case.target[None])


@PROPERTY_SETTINGS
@given(loss_cases(), rngs())
def test_adding_a_constant_to_each_row_of_logits_leaves_the_loss_unchanged(case, rng):
    axis = class_axis(case.logits.ndim)
    shape = list(case.logits.shape)
    shape[axis] = 1  # one constant per sample (and per extra position), shared by the classes
    shift = rng.uniform(-5, 5, shape).astype(case.logits.dtype)
    shifted = dataclasses.replace(case, logits=case.logits + shift)
    assert_close(_loss(shifted), _loss(case))


@PROPERTY_SETTINGS
@given(loss_cases(), rngs())
def test_permuting_classes_with_targets_and_weights_leaves_the_loss_unchanged(case, rng):
    axis = class_axis(case.logits.ndim)
    num_classes = case.logits.shape[axis]
    order = rng.permutation(num_classes)  # new class j is old class order[j]
    new_label = np.argsort(order)  # old class t is now called new_label[t]
    if case.target.shape == case.logits.shape:
        target, ignore_index = np.take(case.target, order, axis=axis), case.ignore_index
    else:
        ignored = case.target == case.ignore_index
        # an ignore_index that names a class follows its class; a negative one names none
        ignore_index = int(new_label[case.ignore_index]) if case.ignore_index >= 0 else -100
        target = np.where(ignored, ignore_index, new_label[np.where(ignored, 0, case.target)])
    relabelled = dataclasses.replace(
        case,
        logits=np.take(case.logits, order, axis=axis),
        target=target,
        weight=None if case.weight is None else case.weight[order],
        ignore_index=ignore_index,
    )
    assert_close(_loss(relabelled), _loss(case))


@PROPERTY_SETTINGS
@given(loss_cases())
def test_doubling_the_batch_doubles_the_sum_and_keeps_the_mean(case):
    case = _as_batch(case)
    doubled = dataclasses.replace(
        case,
        logits=np.concatenate([case.logits, case.logits]),
        target=np.concatenate([case.target, case.target]),
    )
    single = {r: _loss(dataclasses.replace(case, reduction=r)) for r in ("none", "mean", "sum")}
    assert_close(_loss(dataclasses.replace(doubled, reduction="sum")), 2 * single["sum"])
    assert_close(_loss(dataclasses.replace(doubled, reduction="mean")), single["mean"])
    none = _loss(dataclasses.replace(doubled, reduction="none"))
    assert_close(none, np.concatenate([single["none"], single["none"]]))
