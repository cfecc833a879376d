"""Reading numbers typed into a Learn page's text box; what cannot be used comes back as a Problem.

Entries are separated by commas (or spaces), rows by semicolons or new lines: "0.25, 0.75; 0, 1".
Every entry goes through `xentui.domain.validation.finite_number`, the door the Playground's
editors use, so a bad logit gets the same words in a text box as in a table cell. The page shows
the Problem beside its box.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from xentui.domain.limits import LOGIT_LIMIT, MAX_TEXT_CHARS
from xentui.domain.validation import finite_number
from xentui.kit.problems import Problem

__all__ = [
    "ENTRY_SPLIT",
    "LOGITS_EXPECTED",
    "ROW_SPLIT",
    "ParsedRows",
    "class_indices",
    "parse_number_rows",
]

# The Playground's editor says the same of a logit cell.
LOGITS_EXPECTED = f"a finite number within ±{LOGIT_LIMIT:g}"
# How a typed table is cut: rows on lines or after ";", entries by commas or spaces.
ROW_SPLIT = re.compile(r"[;\n]")
ENTRY_SPLIT = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class ParsedRows:
    """(R, K) numbers, or None with the Problem."""

    values: np.ndarray | None
    problem: Problem | None = None


def _range_words(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return "a finite number"
    if low is not None and high is not None and low == -high:
        return f"a finite number within ±{high:g}"
    lo = "−∞" if low is None else f"{low:g}"
    hi = "∞" if high is None else f"{high:g}"
    return f"a number in [{lo}, {hi}]"


def _place(r: int, k: int, rows: int) -> str:
    return f"Row {r}, entry {k}" if rows > 1 else f"Entry {k}"


def _split(text: object, box: str, what: str, max_rows: int) -> list[str] | Problem:
    """The box's non-empty lines, or the Problem with the text as a whole."""
    raw = "" if text is None else str(text)
    if len(raw) > MAX_TEXT_CHARS:
        found = f"{len(raw):,} characters"
        return Problem(box, None, None, found, f"at most {MAX_TEXT_CHARS:,} characters")
    lines = [line.strip().strip(",").strip() for line in ROW_SPLIT.split(raw)]
    lines = [line for line in lines if line]
    if not lines:
        return Problem(box, None, None, "an empty box", f"{what} separated by commas")
    if len(lines) > max_rows:
        return Problem(box, None, None, f"{len(lines)} rows", f"at most {max_rows} rows of {what}")
    return lines


def parse_number_rows(
    text: object,
    *,
    what: str,
    max_rows: int,
    max_entries: int,
    low: float | None = None,
    high: float | None = None,
    box: str | None = None,
    expected: str | None = None,
) -> ParsedRows:
    """Parse rows of numbers; every row must have the same length and every entry lie in range.

    `box` names the input in the Problem (default: `what`); `expected` says what an entry must be
    (default: the range in words).

    >>> parse_number_rows("0.25, 0.75; 0, 1", what="p", max_rows=4, max_entries=4).values
    array([[0.25, 0.75],
           [0.  , 1.  ]])
    >>> str(parse_number_rows("1, x", what="logits", max_rows=1, max_entries=4).problem)
    'Entry 2: expected a finite number; got “x”.'
    """
    box = box or what
    lines = _split(text, box, what, max_rows)
    if isinstance(lines, Problem):
        return ParsedRows(None, lines)
    entry_words = expected or _range_words(low, high)
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    rows: list[list[float]] = []
    for r, line in enumerate(lines, start=1):
        entries = [e for e in ENTRY_SPLIT.split(line) if e]
        label = f"Row {r}" if len(lines) > 1 else None
        if len(entries) > max_entries:
            found, expected = f"{len(entries)} {what}", f"at most {max_entries} {what}"
            row_number = r if len(lines) > 1 else None
            return ParsedRows(None, Problem(box, row_number, None, found, expected, label))
        row = []
        for k, item in enumerate(entries, start=1):
            value, found = finite_number(item, lo, hi)
            if found is not None:
                place = _place(r, k, len(lines))
                return ParsedRows(None, Problem(box, r, None, found, entry_words, place))
            row.append(value)
        if rows and len(row) != len(rows[0]):
            expected_count = f"{len(rows[0])} {what}, as many as row 1"
            return ParsedRows(
                None, Problem(box, r, None, f"{len(row)} {what}", expected_count, f"Row {r}")
            )
        rows.append(row)
    return ParsedRows(np.asarray(rows, dtype=np.float64))


def class_indices(
    text: object,
    num_classes: int,
    *,
    max_entries: int,
    box: str = "targets",
    also: Collection[int] = (),
) -> tuple[np.ndarray | None, Problem | None]:
    """One row of class indices in [0, num_classes − 1] (or a value of `also`, e.g. −100).

    >>> class_indices("3, 3", 4, max_entries=8)[0].tolist()
    [3, 3]
    >>> str(class_indices("-1, 3", 4, max_entries=8)[1])
    'Entry 1: expected a class index from 0 to 3; got -1.'
    >>> str(class_indices("1e20", 4, max_entries=8, also=(-100,))[1])
    'Entry 1: expected a class index from 0 to 3 or -100; got 1e+20.'
    """
    expected = f"a class index from 0 to {num_classes - 1}" + "".join(f" or {v}" for v in also)
    parsed = parse_number_rows(
        text, what="targets", max_rows=1, max_entries=max_entries, box=box, expected=expected
    )
    if parsed.problem is not None:
        return None, parsed.problem
    row = parsed.values[0]
    for k, value in enumerate(row, start=1):
        if not (value == int(value) and (0 <= value < num_classes or int(value) in also)):
            return None, Problem(box, 1, None, f"{value:g}", expected, _place(1, k, 1))
    return row.astype(np.int64), None
