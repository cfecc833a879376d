"""Sequence losses against PyTorch's cross_entropy with ignore_index, and plain loops."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from xentcore.sequences import sequence_losses, sequence_losses_from_logits

RTOL = 1e-12  # float64 on both sides


def ragged_case(n, t, v, seed, ignore_index=-100):
    rng = np.random.default_rng(seed)
    logits = 3.0 * rng.standard_normal((n, t, v))
    targets = rng.integers(0, v, (n, t))
    lengths = rng.integers(0, t + 1, n)
    targets[np.arange(t)[None, :] >= lengths[:, None]] = ignore_index
    return logits, targets


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 8), st.integers(1, 12), st.integers(2, 9), st.integers(0, 2**32 - 1))
def test_the_token_mean_is_torchs_mean_with_ignore_index(n, t, v, seed):
    logits, targets = ragged_case(n, t, v, seed)
    s = sequence_losses_from_logits(logits, targets)
    flat = torch.from_numpy(logits).reshape(-1, v)
    y = torch.from_numpy(targets).reshape(-1)
    expected = torch.nn.functional.cross_entropy(flat, y, ignore_index=-100)
    if (targets == -100).all():
        assert math.isnan(s.token_mean) and math.isnan(float(expected))
        return
    assert s.token_mean == pytest.approx(float(expected), rel=RTOL)
    per_token = torch.nn.functional.cross_entropy(flat, y, ignore_index=-100, reduction="none")
    counted = targets.reshape(-1) != -100
    np.testing.assert_allclose(
        s.token_loss.reshape(-1)[counted], per_token.numpy()[counted], rtol=RTOL
    )


def test_the_sequence_mean_is_the_loops():
    logits, targets = ragged_case(6, 9, 5, seed=3)
    s = sequence_losses_from_logits(logits, targets)
    means = []
    for i in range(6):
        losses = [
            -(logits[i, j, targets[i, j]] - np.log(np.exp(logits[i, j]).sum()))
            for j in range(9)
            if targets[i, j] != -100
        ]
        if losses:
            means.append(np.mean(losses))
            assert s.sequence_loss[i] == pytest.approx(means[-1], rel=1e-12)
            assert s.sequence_perplexity[i] == pytest.approx(math.exp(means[-1]), rel=1e-12)
        else:
            assert math.isnan(s.sequence_loss[i])
    assert s.sequence_mean == pytest.approx(np.mean(means), rel=1e-12)


def test_the_two_reductions_differ_by_length_weighting():
    # a long easy sequence and a short hard one: the token mean is pulled to the long one
    lp = np.array([[-0.1] * 9 + [-0.1], [-3.0] + [0.0] * 9])
    mask = np.zeros((2, 10), bool)
    mask[0] = True
    mask[1, 0] = True
    s = sequence_losses(lp, mask=mask)
    assert s.token_mean == pytest.approx((10 * 0.1 + 3.0) / 11)
    assert s.sequence_mean == pytest.approx((0.1 + 3.0) / 2)
    assert s.token_perplexity == pytest.approx(math.exp(s.token_mean))


def test_log_probabilities_with_a_padding_value_or_a_mask_agree():
    logits, targets = ragged_case(5, 7, 4, seed=8)
    s = sequence_losses_from_logits(logits, targets)
    lp = np.where(s.mask, -s.token_loss, np.nan)
    by_nan = sequence_losses(lp, padding_value=np.nan)
    by_mask = sequence_losses(np.nan_to_num(lp, nan=1.0), mask=s.mask)
    for other in (by_nan, by_mask):
        np.testing.assert_allclose(other.sequence_loss, s.sequence_loss, rtol=1e-12)
        assert other.token_mean == pytest.approx(s.token_mean, rel=1e-12)
    padded = sequence_losses(np.where(s.mask, -s.token_loss, 0.5), padding_value=0.5)
    np.testing.assert_array_equal(padded.lengths, s.lengths)


def test_worst_tokens_and_sequences():
    lp = np.array([[-1.0, -5.0, -2.0], [-4.0, -5.0, 0.0], [-0.5, 0.0, 0.0]])
    s = sequence_losses(lp, mask=[[1, 1, 1], [1, 1, 0], [1, 0, 0]])
    rows, cols, loss = s.worst_tokens(3)
    assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 1), (1, 1), (1, 0)]
    assert loss.tolist() == [5.0, 5.0, 4.0]
    assert s.worst_sequences(5).tolist() == [1, 0, 2]
    assert s.worst_tokens(100)[0].size == s.num_tokens == 6


def test_a_one_dimensional_input_is_one_sequence():
    s = sequence_losses([-1.0, -2.0])
    assert s.lengths.tolist() == [2] and s.token_mean == 1.5


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: sequence_losses([[0.5, -1.0]]),
            r"must be log-probabilities \(≤ 0\); \(sequence, position\) \(0, 0\) holds 0.5",
        ),
        (
            lambda: sequence_losses([[-1.0, np.nan]]),
            r"finite or −inf where counted; \(sequence, position\) \(0, 1\) holds nan",
        ),
        (
            lambda: sequence_losses([[-1.0, -2.0]], mask=[[1, 1, 0]]),
            r"^mask must have the shape of target_log_probs \(1, 2\); got \(1, 3\)",
        ),
        (lambda: sequence_losses([[-1.0]], mask=[[2]]), r"^mask must hold only True/False or 0/1"),
        (
            lambda: sequence_losses([[-1.0]], mask=[[1]], padding_value=0.0),
            r"^give mask or padding_value, not both",
        ),
        (lambda: sequence_losses(np.zeros((2, 2, 2))), r"^target_log_probs must be a non-empty"),
        (
            lambda: sequence_losses_from_logits(np.zeros((1, 2, 3)), [[0, 3]]),
            r"^targets \(sequence, position\) \(0, 1\) holds 3, outside the vocabulary \[0, 2\]",
        ),
        (
            lambda: sequence_losses_from_logits(np.zeros((1, 2, 3)), [[0]]),
            r"^targets must be token indices of shape \(N, T\) = \(1, 2\)",
        ),
        (
            lambda: sequence_losses_from_logits(np.zeros((2, 3)), [[0]]),
            r"^logits must be a non-empty \(N, T, V\) array",
        ),
    ],
)
def test_errors_name_what_differs(call, message):
    with pytest.raises((ValueError, IndexError), match=message):
        call()
