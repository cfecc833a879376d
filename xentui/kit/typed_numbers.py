"""Reading numbers typed into a Learn page's text box, with a message a person can act on.

Entries are separated by commas (or spaces), rows by semicolons or new lines: "0.25, 0.75; 0, 1".
A problem names the row and entry it found and what was expected; the page shows it beside the box.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

__all__ = ["MAX_TEXT_CHARS", "ParsedRows", "parse_number_rows"]

# A page's text box holds a worked example, not a data set: refuse long text before splitting it.
MAX_TEXT_CHARS = 4_000
_ROW_SPLIT = re.compile(r"[;\n]")
_ENTRY_SPLIT = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class ParsedRows:
    """(R, K) numbers, or None with the problem in words."""

    values: np.ndarray | None
    problem: str | None = None


def _shorten(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _entry(raw: str, where: str) -> tuple[float | None, str | None]:
    try:
        value = float(raw.replace("−", "-"))
    except ValueError:
        return None, f"{where}: “{_shorten(raw)}” is not a number"
    if math.isnan(value) or math.isinf(value):
        return None, f"{where}: {raw} is not a finite number"
    return value, None


def parse_number_rows(
    text: object,
    *,
    what: str,
    max_rows: int,
    max_entries: int,
    low: float | None = None,
    high: float | None = None,
) -> ParsedRows:
    """Parse rows of numbers; every row must have the same length and every entry lie in range.

    >>> parse_number_rows("0.25, 0.75; 0, 1", what="p", max_rows=4, max_entries=4).values
    array([[0.25, 0.75],
           [0.  , 1.  ]])
    >>> parse_number_rows("1, x", what="logits", max_rows=1, max_entries=4).problem
    'Entry 2: “x” is not a number'
    """
    raw = "" if text is None else str(text)
    if len(raw) > MAX_TEXT_CHARS:
        return ParsedRows(None, f"The text is {len(raw):,} characters; {what} fit in far fewer.")
    lines = [line.strip() for line in _ROW_SPLIT.split(raw)]
    lines = [line for line in lines if line.strip(", ")]
    if not lines:
        return ParsedRows(None, f"Empty — type {what} separated by commas, e.g. 0.25, 0.75.")
    if len(lines) > max_rows:
        return ParsedRows(None, f"{len(lines)} rows of {what}: at most {max_rows} fit here.")
    rows: list[list[float]] = []
    for r, line in enumerate(lines, start=1):
        entries = [e for e in _ENTRY_SPLIT.split(line.strip(", ")) if e]
        if len(entries) > max_entries:
            return ParsedRows(
                None, f"{_row(r, len(lines))}{len(entries)} {what}: at most {max_entries} fit here."
            )
        row = []
        for k, item in enumerate(entries, start=1):
            where = f"{_row(r, len(lines))}entry {k}" if len(lines) > 1 else f"Entry {k}"
            value, problem = _entry(item, where)
            if problem:
                return ParsedRows(None, problem)
            if (low is not None and value < low) or (high is not None and value > high):
                bounds = f"[{_bound(low, '−∞')}, {_bound(high, '∞')}]"
                return ParsedRows(
                    None, f"{where}: {item} lies outside {bounds}, the range of {what}"
                )
            row.append(value)
        if rows and len(row) != len(rows[0]):
            return ParsedRows(
                None,
                f"Row {r} has {len(row)} {what} but row 1 has {len(rows[0])}: "
                "every row needs the same number.",
            )
        rows.append(row)
    return ParsedRows(np.asarray(rows, dtype=np.float64))


def _row(r: int, count: int) -> str:
    return f"Row {r}, " if count > 1 else ""


def _bound(value: float | None, unbounded: str) -> str:
    return unbounded if value is None else f"{value:g}"
