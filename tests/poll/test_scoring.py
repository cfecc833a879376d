"""Scores against oracles: PyTorch's nll of log p, scikit-learn's log_loss, a plain loop."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xentui.kit.plotly_spec import validated
from xentui.poll import aggregate
from xentui.poll.scoring import FLOOR_LOSS, answer_losses, model_answer
from xentui.poll.store import Answer, Poll
from xentui.poll.validation import Question

TOLERANCE = 1e-12
rows = st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3).filter(lambda r: sum(r) > 0.01)


@settings(deadline=None)  # the first example imports torch
@given(st.lists(rows, min_size=1, max_size=20), st.integers(0, 2))
def test_answer_losses_match_a_plain_loop_and_pytorch(raw, right):
    import torch

    probs = [tuple(v / sum(r) for v in r) for r in raw]
    question = Question("?", ("a", "b", "c"), right)
    losses = answer_losses(question, probs)
    loop = [-math.log(max(p[right], 1e-20)) for p in probs]
    np.testing.assert_allclose(losses, loop, rtol=TOLERANCE, atol=TOLERANCE)
    clipped = torch.tensor(probs, dtype=torch.float64).clamp_min(1e-20)
    oracle = torch.nn.functional.nll_loss(
        clipped.log(), torch.full((len(probs),), right), reduction="none"
    )
    np.testing.assert_allclose(losses, oracle.numpy(), rtol=TOLERANCE, atol=TOLERANCE)


def test_mean_matches_scikit_learn_log_loss():
    from sklearn.metrics import log_loss

    probs = [(0.7, 0.2, 0.1), (0.1, 0.1, 0.8), (0.3, 0.4, 0.3)]
    question = Question("?", ("a", "b", "c"), 0)
    ours = answer_losses(question, probs).mean()
    assert ours == pytest.approx(log_loss([0, 0, 0], probs, labels=[0, 1, 2]), rel=1e-12)


def test_p_zero_is_floored_and_said():
    question = Question("?", ("yes", "no"), 0)
    assert answer_losses(question, [(0.0, 1.0)])[0] == pytest.approx(FLOOR_LOSS)
    assert pytest.approx(46.0517, abs=1e-4) == FLOOR_LOSS


def test_the_model_answer_is_xentcores_softmax_and_loss():
    probs, loss = model_answer(Question("?", ("cat", "dog", "pig"), 0, (1.0, 2.0, 3.0)))
    np.testing.assert_allclose(probs, [0.09003057, 0.24472847, 0.66524096], rtol=1e-7)
    assert loss == pytest.approx(2.4076, abs=1e-4)  # the walkthrough seed's sample 1
    assert model_answer(Question("?", ("a", "b"), 0)) is None


def _poll(questions) -> Poll:
    return Poll("code-123456", 0.0, 1e12, tuple(questions), False)


def test_the_teachers_tables_and_figures():
    questions = [Question("q1", ("true", "false"), 0), Question("q2", ("a", "b", "c"), 2)]
    answers = [
        Answer(0, "s-1", "=cmd|' /C calc'!A0", (0.9, 0.1), 1.0),
        Answer(0, "s-2", "Bob", (0.0, 1.0), 2.0),
        Answer(1, "s-1", "=cmd|' /C calc'!A0", (0.2, 0.2, 0.6), 3.0),
    ]
    frame = aggregate.answers_frame(_poll(questions), answers)
    summary = aggregate.question_summary(_poll(questions), frame, "bits", revealed=True)
    assert summary["answers"].tolist() == [2, 1]
    expected = (-math.log(0.9) + FLOOR_LOSS) / 2 / math.log(2)
    assert summary["class mean (bits)"][0] == pytest.approx(expected)
    assert summary["uniform, ln C (bits)"][1] == pytest.approx(math.log2(3))
    assert summary["p = 0 on the right answer"].tolist() == [1, 0]
    assert summary["right answer"].tolist() == ["true", "c"]
    board = aggregate.leaderboard(frame)
    assert board["nickname"].tolist() == ["=cmd|' /C calc'!A0", "Bob"]
    assert board["mean loss (nats)"][0] == pytest.approx((-math.log(0.9) - math.log(0.6)) / 2)
    csv = aggregate.csv_bytes(frame).decode()
    assert "'=cmd" in csv and "s-1" not in csv  # no formula, no session token
    bins = aggregate.reliability(frame)
    assert bins.counts.sum() == 3
    # The figures skip Plotly's check when served; rebuilt with it, they still pass it.
    assert sum(validated(aggregate.reliability_figure(bins)).data[1].customdata) == 3
    boxes = validated(aggregate.p_right_figure(_poll(questions), frame)).data
    assert [list(b.y) for b in boxes] == [[0.9, 0.0], [0.6]]
