"""The Binary page's typed inputs for two sections: pairs of logits, and pos_weight's shape.

Reading the boxes and laying out the tables; the numbers themselves come from PyTorch through
`xentui.lessons.confusions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from xentui.domain.limits import LOGIT_LIMIT, WEIGHT_LIMIT
from xentui.domain.typed_numbers import LOGITS_EXPECTED, ParsedRows, parse_number_rows
from xentui.kit.format import fmt
from xentui.kit.problems import Problem
from xentui.lessons import confusions as conf

__all__ = [
    "PW_LOGITS",
    "PW_SHAPES",
    "PW_TARGETS",
    "PW_WEIGHTS",
    "PW_Y",
    "PW_Z",
    "TWO_LOGITS_DEFAULT",
    "TypedPosWeight",
    "parse_two_logits",
    "pos_weight_frame",
    "two_logits_frame",
    "typed_pos_weight",
]

MAX_ROWS, MAX_LABELS = 8, 8
TWO_LOGITS_DEFAULT = "0.5, 2; 3, -1; -7.5, 12"
PW_LOGITS, PW_TARGETS, PW_WEIGHTS = "0.5, -1, 2; 1, 0, -2", "1, 0, 1; 0, 1, 0", "1, 2, 3"
# (button key, label, the pos_weight it types)
PW_SHAPES = (
    ("pw_per_label", "(L,): one per label", "1, 2, 3"),
    ("pw_per_sample", "(N, 1): a column", "1; 2"),
    ("pw_wrong_length", "(2,): a wrong length", "1, 2"),
)
PW_Z, PW_Y, PW_W = "logits z", "targets y", "pos_weight"


def parse_two_logits(text: object) -> ParsedRows:
    """Rows of exactly two logits, (z₀, z₁).

    >>> parse_two_logits("0.5, 2; 3, -1").values.tolist()
    [[0.5, 2.0], [3.0, -1.0]]
    >>> str(parse_two_logits("1, 2, 3").problem)
    'Expected 2 logits per row, z₀ and z₁; got 3.'
    """
    parsed = parse_number_rows(
        text,
        what="logits",
        max_rows=MAX_ROWS,
        max_entries=MAX_LABELS,
        low=-LOGIT_LIMIT,
        high=LOGIT_LIMIT,
        expected=LOGITS_EXPECTED,
    )
    if parsed.problem is None and parsed.values.shape[1] != 2:
        found = str(parsed.values.shape[1])
        return ParsedRows(None, Problem("logits", None, None, found, "2 logits per row, z₀ and z₁"))
    return parsed


def two_logits_frame(logits: np.ndarray, same: conf.TwoLogits) -> pd.DataFrame:
    """One row per pair: z₀, z₁, z₁ − z₀ and PyTorch's two losses."""
    return pd.DataFrame(
        {
            "z₀": [fmt(v) for v in logits[:, 0]],
            "z₁": [fmt(v) for v in logits[:, 1]],
            "z₁ − z₀": [fmt(v) for v in logits[:, 1] - logits[:, 0]],
            "cross_entropy(z, [1 − y, y])": [fmt(v) for v in same.softmax_ce],
            "bce_with_logits(z₁ − z₀, y)": [fmt(v) for v in same.bce_of_difference],
        }
    )


@dataclass(frozen=True)
class TypedPosWeight:
    result: conf.PosWeightOutcome | None
    problems: tuple[Problem, ...] = ()


def typed_pos_weight(logits: object, targets: object, weights: object) -> TypedPosWeight:
    """Read the three boxes and hand them to PyTorch; one row of weights is (L,), rows a column.

    >>> typed_pos_weight("0, 1; 2, 3", "1, 0; 0, 1", "1; 2").result.per_label
    False
    >>> str(typed_pos_weight("0, 1", "1, 0, 1", "2").problems[0])
    'Expected 1 × 2 targets, one per logit; got 1 × 3.'
    """
    rows = {"max_rows": MAX_ROWS, "max_entries": MAX_LABELS}
    z = parse_number_rows(
        logits, what="logits", box=PW_Z, low=-LOGIT_LIMIT, high=LOGIT_LIMIT, **rows
    )
    y = parse_number_rows(targets, what="targets", box=PW_Y, low=0, high=1, **rows)
    w = parse_number_rows(weights, what="weights", box=PW_W, low=0, high=WEIGHT_LIMIT, **rows)
    problems = tuple(x.problem for x in (z, y, w) if x.problem is not None)
    if problems:
        return TypedPosWeight(None, problems)
    if z.values.shape != y.values.shape:
        (zr, zc), (yr, yc) = z.values.shape, y.values.shape
        found, expected = f"{yr} × {yc}", f"{zr} × {zc} targets, one per logit"
        return TypedPosWeight(None, (Problem(PW_Y, None, None, found, expected),))
    pw = w.values[0] if w.values.shape[0] == 1 else w.values
    return TypedPosWeight(conf.pos_weight_outcome(z.values, y.values, pw))


def pos_weight_frame(weights: np.ndarray) -> pd.DataFrame:
    """The pos_weight each (sample, label) entry got after broadcasting."""
    n, labels = weights.shape
    return pd.DataFrame(
        weights,
        index=[f"sample {i + 1}" for i in range(n)],
        columns=[f"label {k}" for k in range(labels)],
    )
