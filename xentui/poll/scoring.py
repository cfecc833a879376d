"""Scoring answers by cross-entropy: −ln p(right answer), in nats, through xentcore.

A probability of 0 on the right answer has a loss of +∞. xentcore clips p to PROBABILITY_FLOOR
(1e-20) first, so such an answer costs −ln 1e-20 = 46.05 nats and means stay finite; every
table marks it, and the page says that it stands for +∞.
"""

from __future__ import annotations

import math

import numpy as np

from xentcore.categorical import categorical_cross_entropy
from xentcore.cross_entropy import cross_entropy
from xentcore.softmax import softmax
from xentui.poll.limits import PROBABILITY_FLOOR
from xentui.poll.validation import Question

__all__ = ["FLOOR_LOSS", "answer_losses", "model_answer"]

# The most one answer can cost: a probability of 0 on the right answer, floored.
FLOOR_LOSS = -math.log(PROBABILITY_FLOOR)


def answer_losses(question: Question, probabilities: list[tuple[float, ...]]) -> np.ndarray:
    """Each answer's −ln max(p[right], 1e-20) in nats (float64, one per answer).

    >>> from xentui.poll.validation import Question
    >>> q = Question("?", ("a", "b"), 1)
    >>> answer_losses(q, [(0.5, 0.5), (0.0, 1.0), (1.0, 0.0)]).round(4).tolist()
    [0.6931, 0.0, 46.0517]
    """
    if not probabilities:
        return np.zeros(0)
    targets = np.full(len(probabilities), question.answer)
    table = np.asarray(probabilities, dtype=np.float64)
    losses = categorical_cross_entropy(targets, table, eps=PROBABILITY_FLOOR, reduction="none")
    return losses + 0.0  # −ln 1 is −0.0: shown as 0


def model_answer(question: Question) -> tuple[np.ndarray, float] | None:
    """For a scenario question: the model's softmax and its cross-entropy on the right class."""
    if question.logits is None:
        return None
    logits = np.asarray([question.logits], dtype=np.float64)
    loss = cross_entropy(logits, np.asarray([question.answer]))
    return softmax(logits, axis=1)[0], float(loss)
