"""Loss maps of K-dimensional outputs: PyTorch's reduction="none", with ignored positions blank."""

from __future__ import annotations

import numpy as np
import torch

import xentcore


def test_loss_map_is_pytorchs_with_nan_where_ignored():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 4, 3)).astype(np.float32)
    t = rng.integers(0, 5, (2, 4, 3))
    t[0, 1, 2] = t[1, 0, 0] = -100
    expected = torch.nn.functional.cross_entropy(
        torch.from_numpy(x), torch.from_numpy(t), reduction="none"
    ).numpy()
    ours = xentcore.loss_map(x, t)
    ignored = t == -100
    assert np.isnan(ours[ignored]).all()
    np.testing.assert_allclose(ours[~ignored], expected[~ignored], rtol=1e-6)
    assert ours.dtype == np.float64
    # the mean over the labelled positions is reduction="mean"
    assert abs(float(xentcore.cross_entropy(x, t)) - np.nanmean(ours)) < 1e-6


def test_target_probabilities_are_the_softmax_at_the_target():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 3, 2, 2))
    t = np.array([[[0, 2], [-100, 1]]])
    p = torch.softmax(torch.from_numpy(x), 1).numpy()
    ours = xentcore.target_probabilities(x, t)
    assert np.isnan(ours[0, 1, 0])
    assert ours[0, 0, 1] == p[0, 2, 0, 1] and ours[0, 1, 1] == p[0, 1, 1, 1]
    np.testing.assert_allclose(-np.log(ours), xentcore.loss_map(x, t), rtol=1e-12)
