"""Reading the scores' summary: are they finite, and logits or probabilities?

The summary (`xentcore.ScoreSummary`: the smallest and largest value, the extreme row sums, the
first non-finite row, each with its row) comes from the core's pass over the matrix; the rules
and the refusals in words are the page's, here.
"""

from __future__ import annotations

import numpy as np

from xentcore import ScoreSummary
from xentui.domain.limits import PROBABILITY_SUM_TOLERANCE
from xentui.your_model.upload import counted, quoted, refuse

__all__ = [
    "INTERPRETATIONS",
    "PROBABILITY_TOLERANCE",
    "check_finite",
    "check_probabilities",
    "detect_kind",
    "in_unit_interval",
    "rows_normalised",
    "rows_sum_to_one",
]

INTERPRETATIONS = ("detect", "logits", "probabilities")
# A probability row must sum to 1 within this — the Playground's rule: loose enough for values
# printed with 4 decimals, tight enough that logits squeezed into [0, 1] are not taken for them.
PROBABILITY_TOLERANCE = PROBABILITY_SUM_TOLERANCE


def in_unit_interval(summary: ScoreSummary) -> bool:
    return summary.min_value >= 0.0 and summary.max_value <= 1.0


def rows_sum_to_one(summary: ScoreSummary) -> bool:
    return (
        abs(summary.min_row_sum - 1.0) <= PROBABILITY_TOLERANCE
        and abs(summary.max_row_sum - 1.0) <= PROBABILITY_TOLERANCE
    )


def rows_normalised(summary: ScoreSummary) -> bool:
    """Every row sums to 1 within 1e-6: renormalising changes nothing worth a remark."""
    return max(abs(summary.min_row_sum - 1), abs(summary.max_row_sum - 1)) < 1e-6


def _cell(source: str, row: int, column: int, class_names: tuple[str, ...]) -> str:
    """A cell's place in words, the sample counted from 1 as the page counts it."""
    return f"{quoted(source)}, sample {row + 1}, class {quoted(class_names[column])}"


def check_finite(
    summary: ScoreSummary, scores: np.ndarray, class_names: tuple[str, ...], source: str
) -> None:
    """Refuse NaN and ±inf, naming the first cell and how many rows hold one."""
    if not summary.nonfinite_rows:
        return
    row = summary.first_nonfinite_row
    column = int(np.flatnonzero(~np.isfinite(scores[row]))[0])
    raise refuse(
        "scores file",
        _cell(source, row, column, class_names),
        f"{scores[row, column]:g} ({counted(summary.nonfinite_rows, 'sample')} with NaN or ±inf)",
        "finite numbers — fix or remove the rows that hold NaN or ±inf",
        row=row + 1,
        column=class_names[column],
    )


def detect_kind(summary: ScoreSummary) -> tuple[str, str]:
    """("probabilities" or "logits", the reason in words)."""
    low, high = f"{summary.min_value:.4g}", f"{summary.max_value:.4g}"
    sums = f"{summary.min_row_sum:.6g} to {summary.max_row_sum:.6g}"
    if in_unit_interval(summary) and rows_sum_to_one(summary):
        return "probabilities", (
            f"every value lies in [0, 1] and every row sums to 1 within "
            f"{PROBABILITY_TOLERANCE:g} (row sums {sums})"
        )
    if in_unit_interval(summary):
        return "logits", (
            f"every value lies in [0, 1], but the rows sum to {sums}, not 1: read as logits. "
            "If they are probabilities, they are not normalised"
        )
    return "logits", f"the values run from {low} to {high}, outside [0, 1]"


def check_probabilities(
    summary: ScoreSummary, scores: np.ndarray, class_names: tuple[str, ...], source: str
) -> None:
    """Refuse the "probabilities" reading when a value is outside [0, 1] or a row sum is not 1."""
    advice = " — if these are logits, choose “Logits”"
    if summary.min_value < 0 or summary.max_value > 1:
        low = summary.min_value < 0
        row = summary.min_row if low else summary.max_row
        column = int(np.argmin(scores[row]) if low else np.argmax(scores[row]))
        raise refuse(
            "interpretation",
            f"Read as probabilities, {_cell(source, row, column, class_names)}",
            f"{scores[row, column]:g}",
            f"a probability in [0, 1]{advice}",
            row=row + 1,
            column=class_names[column],
        )
    if not rows_sum_to_one(summary):
        low_off = abs(summary.min_row_sum - 1) >= abs(summary.max_row_sum - 1)
        row = summary.min_sum_row if low_off else summary.max_sum_row
        total = summary.min_row_sum if low_off else summary.max_row_sum
        raise refuse(
            "interpretation",
            f"Read as probabilities, {quoted(source)}, sample {row + 1}",
            f"a row sum of {total:.6g} (the rows sum to {summary.min_row_sum:.6g} to "
            f"{summary.max_row_sum:.6g})",
            f"every row to sum to 1 within {PROBABILITY_TOLERANCE:g}{advice}",
            row=row + 1,
        )
