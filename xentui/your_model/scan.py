"""One read of the scores before any loss: are they finite, and logits or probabilities?

The scan keeps a few numbers per block (the smallest and largest value, the extreme row sums,
the first non-finite row) and the argmax of every row, which is the prediction whichever the
interpretation (log is increasing). Nothing of the matrix's size is allocated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from xentui.your_model.blocks import map_row_blocks
from xentui.your_model.labels import quoted
from xentui.your_model.upload import UploadError

__all__ = [
    "INTERPRETATIONS",
    "PROBABILITY_TOLERANCE",
    "ValueSummary",
    "check_finite",
    "check_probabilities",
    "detect_kind",
    "scan_scores",
]

INTERPRETATIONS = ("detect", "logits", "probabilities")
# A probability row must sum to 1 within this: loose enough for values printed with 4 decimals,
# tight enough that logits squeezed into [0, 1] are not mistaken for probabilities.
PROBABILITY_TOLERANCE = 1e-3


@dataclass(frozen=True)
class ValueSummary:
    """Extremes of the scores, each with the row it was found in."""

    nonfinite_rows: int
    first_nonfinite_row: int
    min_value: float
    min_row: int
    max_value: float
    max_row: int
    min_row_sum: float
    min_sum_row: int
    max_row_sum: float
    max_sum_row: int

    @property
    def in_unit_interval(self) -> bool:
        return self.min_value >= 0.0 and self.max_value <= 1.0

    @property
    def rows_sum_to_one(self) -> bool:
        return (
            abs(self.min_row_sum - 1.0) <= PROBABILITY_TOLERANCE
            and abs(self.max_row_sum - 1.0) <= PROBABILITY_TOLERANCE
        )


def scan_scores(scores: np.ndarray, prediction: np.ndarray, row_max: np.ndarray) -> ValueSummary:
    """Summarise `scores` (N, C); write each row's argmax into `prediction` and max into `row_max`.

    The loss pass needs the row maxima too (for the confidence), so they are kept: N numbers.
    """

    def scan(rows: slice) -> tuple[float, ...]:
        block = scores[rows]
        top = block.argmax(axis=1)  # argmax stops at a NaN, so the max below is NaN too
        prediction[rows] = top
        block_max = np.take_along_axis(block, top[:, None], axis=1)[:, 0]
        row_max[rows] = block_max
        with np.errstate(invalid="ignore", over="ignore"):
            row_min = block.min(axis=1)
            # float32 sums are ample for a 1e-3 tolerance (NumPy sums each row pairwise).
            row_sum = block.sum(axis=1)
        # max and min propagate NaN, and ±inf shows in one of them: no isfinite pass needed.
        bad = ~(np.isfinite(block_max) & np.isfinite(row_min))
        start = rows.start
        if bad.any():
            return (int(bad.sum()), start + int(np.flatnonzero(bad)[0]), 0, 0, 0, 0, 0, 0, 0, 0)
        lo, hi = int(row_min.argmin()), int(block_max.argmax())
        slo, shi = int(row_sum.argmin()), int(row_sum.argmax())
        return (
            0,
            -1,
            float(row_min[lo]),
            start + lo,
            float(block_max[hi]),
            start + hi,
            float(row_sum[slo]),
            start + slo,
            float(row_sum[shi]),
            start + shi,
        )

    parts = map_row_blocks(scan, scores.shape[0], scores.shape[1])
    bad = [p for p in parts if p[0]]
    if bad:
        return ValueSummary(sum(p[0] for p in bad), bad[0][1], *([np.nan, -1] * 4))
    lo = min(parts, key=lambda p: p[2])
    hi = max(parts, key=lambda p: p[4])
    slo = min(parts, key=lambda p: p[6])
    shi = max(parts, key=lambda p: p[8])
    return ValueSummary(0, -1, lo[2], lo[3], hi[4], hi[5], slo[6], slo[7], shi[8], shi[9])


def _cell(scores: np.ndarray, row: int, column: int, class_names: tuple[str, ...]) -> str:
    return f"sample {row}, class {quoted(class_names[column])} holds {scores[row, column]:g}"


def check_finite(summary: ValueSummary, scores: np.ndarray, class_names: tuple[str, ...]) -> None:
    """Refuse NaN and ±inf, naming the first cell and how many rows hold one."""
    if not summary.nonfinite_rows:
        return
    row = summary.first_nonfinite_row
    column = int(np.flatnonzero(~np.isfinite(scores[row]))[0])
    raise UploadError(
        f"{_cell(scores, row, column, class_names)}; {summary.nonfinite_rows:,} sample(s) hold "
        "NaN or ±inf. Expected finite numbers: fix or remove those rows.",
        "file",
    )


def detect_kind(summary: ValueSummary) -> tuple[str, str]:
    """("probabilities" or "logits", the reason in words)."""
    low, high = f"{summary.min_value:.4g}", f"{summary.max_value:.4g}"
    sums = f"{summary.min_row_sum:.6g} to {summary.max_row_sum:.6g}"
    if summary.in_unit_interval and summary.rows_sum_to_one:
        return "probabilities", (
            f"every value lies in [0, 1] and every row sums to 1 within "
            f"{PROBABILITY_TOLERANCE:g} (row sums {sums})"
        )
    if summary.in_unit_interval:
        return "logits", (
            f"every value lies in [0, 1], but the rows sum to {sums}, not 1: read as logits. "
            "If they are probabilities, they are not normalised"
        )
    return "logits", f"the values run from {low} to {high}, outside [0, 1]"


def check_probabilities(
    summary: ValueSummary, scores: np.ndarray, class_names: tuple[str, ...]
) -> None:
    """Refuse the "probabilities" reading when a value is outside [0, 1] or a row sum is not 1."""
    advice = "If these are logits, choose “Logits”."
    if summary.min_value < 0:
        row = summary.min_row
        column = int(np.argmin(scores[row]))
        raise UploadError(
            f"read as probabilities, but {_cell(scores, row, column, class_names)}; "
            f"probabilities lie in [0, 1]. {advice}",
            "kind",
        )
    if summary.max_value > 1:
        row = summary.max_row
        column = int(np.argmax(scores[row]))
        raise UploadError(
            f"read as probabilities, but {_cell(scores, row, column, class_names)}; "
            f"probabilities lie in [0, 1]. {advice}",
            "kind",
        )
    if not summary.rows_sum_to_one:
        low_off = abs(summary.min_row_sum - 1) >= abs(summary.max_row_sum - 1)
        row = summary.min_sum_row if low_off else summary.max_sum_row
        total = summary.min_row_sum if low_off else summary.max_row_sum
        raise UploadError(
            f"read as probabilities, but the rows sum to {summary.min_row_sum:.6g} to "
            f"{summary.max_row_sum:.6g} (sample {row} sums to {total:.6g}); expected every row "
            f"to sum to 1 within {PROBABILITY_TOLERANCE:g}. {advice}",
            "kind",
        )
