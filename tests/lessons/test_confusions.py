"""The confusions the Learn pages show: each against PyTorch, called here independently.

Seed numbers (000_*): logits [[1, 2, 3], [2, 4, 6]], targets [0, 2], mean 1.2753, per-sample
losses 2.4076 and 0.1429. PyTorch's messages are pinned word for word: the page shows them as
PyTorch raises them, so a change in PyTorch's wording shows up here first.
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from xentui.lessons import confusions as conf

X = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]])
T = np.array([0, 2])


def test_docstring_examples_hold():
    results = doctest.testmod(conf, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert results.failed == 0 and results.attempted >= 9


# ------------------------------------------------------------------------------ target mistakes


def test_target_mistakes_pin_pytorchs_messages():
    right, floats, column, out_of_range, one_hot = conf.target_mistakes(X, T)
    assert right.error is None and right.value == pytest.approx(1.2753, abs=5e-5)
    assert floats.error == "RuntimeError: expected target dtype to be Long or Byte, but got Float"
    assert column.error == (
        "RuntimeError: 0D or 1D target tensor expected, multi-target not supported"
    )
    assert out_of_range.error == "IndexError: Target 3 is out of bounds."
    assert one_hot.error == (
        "RuntimeError: Expected floating point type for target with class probabilities, got Long"
    )
    assert out_of_range.what == "an index out of range: 3, with C = 3"


def test_target_mistakes_raise_what_torch_raises():
    x = torch.tensor(X, dtype=torch.float32)
    with pytest.raises(RuntimeError, match=r"^expected target dtype to be Long or Byte"):
        F.cross_entropy(x, torch.tensor([0.0, 2.0]))
    with pytest.raises(IndexError, match=r"^Target 3 is out of bounds"):
        F.cross_entropy(x, torch.tensor([3, 2]))


# ------------------------------------------------------------------------------ ignore_index


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.37])
@pytest.mark.parametrize("ignored", [[False, False], [False, True], [True, False]])
def test_ignored_with_smoothing_is_torchs(eps, ignored):
    r = conf.ignored_with_smoothing(X, T, ignored, eps)
    t = torch.tensor(np.where(ignored, -100, T))
    x = torch.tensor(X, dtype=torch.float32)
    want = F.cross_entropy(x, t, label_smoothing=eps, reduction="none").numpy()
    np.testing.assert_allclose(r.losses, want, rtol=1e-6)
    assert r.mean == pytest.approx(float(F.cross_entropy(x, t, label_smoothing=eps)), rel=1e-6)
    kept = ~np.asarray(ignored)
    assert r.mean == pytest.approx(r.losses[kept].sum() / kept.sum(), rel=1e-6)
    assert r.over_batch_size == pytest.approx(r.losses.sum() / 2)
    assert (r.losses[~kept] == 0).all()  # no smoothing term for an ignored sample


def test_an_ignored_sample_keeps_no_smoothing_term():
    r = conf.ignored_with_smoothing(X, T, [False, True], 0.1)
    alone = F.cross_entropy(
        torch.tensor(X[:1], dtype=torch.float32), torch.tensor([0]), label_smoothing=0.1
    )
    assert r.mean == pytest.approx(float(alone), rel=1e-6)
    assert r.over_batch_size == pytest.approx(float(alone) / 2, rel=1e-6)


def test_all_ignored_mean_is_nan_and_sum_zero():
    r = conf.ignored_with_smoothing(X, T, [False, False], 0.2)
    assert math.isnan(r.all_ignored_mean) and r.all_ignored_sum == 0.0
    x = torch.tensor(X, dtype=torch.float32)
    assert math.isnan(float(F.cross_entropy(x, torch.tensor([-100, -100]))))


# ------------------------------------------------------------------------------ weights


def test_weights_with_probability_targets_divide_by_n():
    w = np.array([2.0, 1.0, 1.0])
    r = conf.weights_with_probability_targets(X, T, w)
    per_sample = F.cross_entropy(
        torch.tensor(X, dtype=torch.float32), torch.tensor(T), reduction="none"
    )
    weighted = (torch.tensor(w[T], dtype=torch.float32) * per_sample).sum()
    assert r.with_indices == pytest.approx(float(weighted / 3), rel=1e-6)
    assert r.with_probabilities == pytest.approx(float(weighted / 2), rel=1e-6)
    assert (r.weight_sum, r.num_samples) == (3.0, 2)


def test_equal_weights_agree_only_when_they_are_one():
    ones = conf.weights_with_probability_targets(X, T, np.ones(3))
    assert ones.with_indices == pytest.approx(ones.with_probabilities, rel=1e-6)
    twos = conf.weights_with_probability_targets(X, T, np.full(3, 2.0))
    assert twos.with_probabilities == pytest.approx(2 * twos.with_indices, rel=1e-6)


# ------------------------------------------------------------------------------ −inf masks


def test_masks_follow_torch():
    shown = {o.what: o for o in conf.masked_logits(np.array([4.0, 3.0, 2.0, 10.0]), 3)}
    assert shown["nothing masked"].shown == "0.0037"  # the PyTorch explainer's (001_*)
    assert shown["class 3 masked (the target)"].value == math.inf
    assert math.isnan(shown["every class masked"].value)
    z = torch.tensor([[-math.inf, 3.0, 2.0, 10.0]])
    assert shown["class 0 masked"].value == pytest.approx(
        float(F.cross_entropy(z, torch.tensor([3])))
    )
    frame = conf.outcomes_frame(tuple(shown.values()), "mask")
    assert frame["PyTorch"].tolist()[-2:] == ["inf", "nan"]


# ------------------------------------------------------------------------------ binary


@pytest.mark.parametrize(("x", "y"), [(8.0, 1.0), (-8.0, 1.0), (2.0, 0.0), (0.5, 0.3)])
def test_double_sigmoid_against_torch(x, y):
    r = conf.double_sigmoid(x, y)
    xt, yt = torch.tensor([x]), torch.tensor([y])
    assert r.right == pytest.approx(float(F.binary_cross_entropy_with_logits(xt, yt)), rel=1e-6)
    wrong = F.binary_cross_entropy_with_logits(torch.sigmoid(xt), yt)
    assert r.wrong == pytest.approx(float(wrong), rel=1e-6)
    assert r.floor - 1e-6 <= r.wrong <= r.ceiling + 1e-6
    grid = np.linspace(0, 1, 2001)
    curve = (1 - y) * grid + np.log1p(np.exp(-grid))
    assert r.floor == pytest.approx(curve.min(), abs=1e-6)
    assert r.ceiling == pytest.approx(curve.max(), abs=1e-9)


def test_a_hopeless_logit_costs_little_after_two_sigmoids():
    r = conf.double_sigmoid(-20.0, 1.0)
    assert r.right == pytest.approx(20.0, rel=1e-6) and r.wrong < math.log(2) + 1e-6


Z = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -2.0]])
Y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])


@pytest.mark.parametrize(
    ("pos_weight", "per_label"),
    [([1.0, 2.0, 3.0], True), ([3.0], True), ([[1.0], [2.0]], False)],
)
def test_pos_weight_broadcasts_as_torch_does(pos_weight, per_label):
    r = conf.pos_weight_outcome(Z, Y, np.asarray(pos_weight))
    pw = torch.tensor(pos_weight)
    want = F.binary_cross_entropy_with_logits(
        torch.tensor(Z, dtype=torch.float32), torch.tensor(Y, dtype=torch.float32), pos_weight=pw
    )
    assert r.outcome.value == pytest.approx(float(want), rel=1e-6)
    assert r.per_label is per_label
    assert r.weights.shape == Z.shape


def test_a_wrong_pos_weight_length_is_torchs_error():
    r = conf.pos_weight_outcome(Z, Y, np.array([1.0, 2.0]))
    assert r.outcome.error == (
        "RuntimeError: The size of tensor a (2) must match the size of tensor b (3) "
        "at non-singleton dimension 1"
    )
    assert r.weights is None and "pw.shape = (2,)" in r.outcome.call


def test_the_ignored_smoothing_table():
    r = conf.ignored_with_smoothing(X, T, [False, True], 0.1)
    frame = conf.ignored_smoothing_frame(r, ["sample 1", "sample 2"])
    assert frame["loss, label_smoothing=0.1"].tolist() == ["2.3076", "0.0000"]
    assert frame["in the mean?"].tolist() == ["yes", "ignored"]


@pytest.mark.parametrize("y", [0.0, 1.0, 0.25])
def test_two_logits_equal_bce_of_their_difference(y):
    z = np.array([[0.5, 2.0], [3.0, -1.0], [-7.5, 12.0]])
    r = conf.two_logits_as_binary(z, y)
    assert r.largest_gap < 1e-6
    d = torch.tensor(z[:, 1] - z[:, 0], dtype=torch.float32)
    want = F.binary_cross_entropy_with_logits(d, torch.full((3,), y), reduction="none")
    np.testing.assert_allclose(r.bce_of_difference, want.numpy(), rtol=1e-6)


# ------------------------------------------------------------------------------ ln C, CE vs MSE


@pytest.mark.parametrize("c", [2, 3, 10])
def test_an_untrained_model_scores_about_ln_c(c):
    r = conf.untrained_loss(np.arange(6) % c, c)
    assert r.uniform == pytest.approx(math.log(c), rel=1e-6) and r.log_c == math.log(c)
    assert 0 < r.fresh_linear - math.log(c) < 0.3


def test_untrained_loss_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    conf.untrained_loss(T, 3)
    assert torch.rand(1) == before


def test_ce_and_mse_gradients_by_autograd():
    g = conf.ce_vs_mse_gradients(np.array([1.0, 2.0, 3.0]), 0)
    np.testing.assert_allclose(g.ce, [-0.9100, 0.2447, 0.6652], atol=5e-5)  # the seed's p − y
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    ((F.softmax(x, 0) - torch.tensor([1.0, 0, 0], dtype=torch.float64)) ** 2).sum().backward()
    np.testing.assert_allclose(g.mse, x.grad.numpy(), rtol=1e-12)
    assert (np.diff(g.p_target) < 0).all()  # lowering the target's logit makes it more wrong
    assert abs(g.mse_target[-1]) < 1e-6 < abs(g.ce_target[-1])  # MSE's vanishes, CE's does not
    frame = conf.ce_vs_mse_frame(g, 1.0)
    assert frame["target's logit"].tolist()[:2] == ["1.0000", "-1.0000"]
