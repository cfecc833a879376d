"""Drilling down: the samples behind a histogram bar, a reliability bin, a confusion cell, a class.

A `Selection` is what was clicked, in figure-independent terms (a loss bin, a confidence bin, a
(target, prediction) cell, a target class). It has one text form, used by the page's link
(``loss:3``, ``confidence:7``, ``cell:2,5``, ``class:4``; 0-based indices): `parse_selection` is
the one door every way in passes — a chart click (`selection_from_points` writes the text, then
reads it back through the door) and a shared link — and it checks the indices against the data
on screen. `selected_rows` finds the samples with the figures' own binning, so a bar's count is
the number of samples listed. Long lists are shown PAGE_SIZE rows a page (`page_count`,
`page_rows`): the drilled-down samples and the likely label errors alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import xentcore
from xentui.kit.problems import Problem, quote
from xentui.kit.units import loss_text
from xentui.your_model.analysis import Analysis

__all__ = [
    "KINDS",
    "PAGE_SIZE",
    "Selection",
    "page_count",
    "page_rows",
    "parse_selection",
    "selected_rows",
    "selection_from_points",
]

PAGE_SIZE = 25  # samples listed a page
_MAX_DIGITS = 10  # more than any index has
# kind → how many indices it takes and what they are, in words
KINDS = {
    "loss": (1, "a loss-histogram bar"),
    "confidence": (1, "a reliability bin"),
    "cell": (2, "a confusion-matrix cell (target, prediction)"),
    "class": (1, "a target class"),
}


@dataclass(frozen=True)
class Selection:
    """A clicked part of a figure: `kind` (a key of KINDS) and its 0-based indices."""

    kind: str
    indices: tuple[int, ...]

    @property
    def text(self) -> str:
        """The link's form: ``kind:i`` or ``kind:i,j``."""
        return f"{self.kind}:{','.join(str(i) for i in self.indices)}"

    def describe(self, analysis: Analysis, bins: int, unit: str = "nats") -> str:
        """What the selection is, in words, for the list's heading (class names are not escaped);
        a loss range is written in `unit`, "nats" or "bits"."""
        names = analysis.class_names
        if self.kind == "loss":
            lo, hi = analysis.histogram_edges[self.indices[0] : self.indices[0] + 2]
            return f"loss from {loss_text(float(lo), unit)} to {loss_text(float(hi), unit)}"
        if self.kind == "confidence":
            b = self.indices[0]
            if b == bins:
                return "confidence exactly 1"
            return f"confidence in [{b}/{bins}, {b + 1}/{bins})"
        if self.kind == "cell":
            target, prediction = self.indices
            return f"target {names[target]}, predicted {names[prediction]}"
        return f"target class {names[self.indices[0]]}"


def page_count(count: int) -> int:
    """The pages of PAGE_SIZE rows a list of `count` rows fills (1 for an empty list).

    >>> page_count(0), page_count(25), page_count(26)
    (1, 1, 2)
    """
    return max(1, -(-count // PAGE_SIZE))


def page_rows(page: int, count: int) -> slice:
    """The rows page `page` (counted from 1) of a list of `count` rows shows.

    >>> page_rows(2, 60), page_rows(3, 60)
    (slice(25, 50, None), slice(50, 60, None))
    """
    return slice((page - 1) * PAGE_SIZE, min(page * PAGE_SIZE, count))


def _limits(kind: str, analysis: Analysis, bins: int) -> tuple[int, ...]:
    """The exclusive upper bound of each index of `kind`."""
    classes = analysis.num_classes
    return {
        "loss": (len(analysis.histogram_counts),),
        "confidence": (bins + 1,),  # the last bin holds the confidences of exactly 1
        "cell": (classes, classes),
        "class": (classes,),
    }[kind]


def _expected(analysis: Analysis, bins: int) -> str:
    return "; ".join(
        f"{kind}:{','.join(f'0…{n - 1}' for n in _limits(kind, analysis, bins))} ({words})"
        for kind, (_, words) in KINDS.items()
    )


def parse_selection(raw: str, analysis: Analysis, bins: int, key: str) -> Selection | Problem:
    """The Selection `raw` names on this data (reliability bins `bins`), or the Problem why not.

    >>> from xentui.your_model.example import example_data
    >>> from xentui.your_model.analysis import analyse_upload
    >>> a = analyse_upload(example_data(500))
    >>> parse_selection("cell:2,5", a, 15, "ym_sel")
    Selection(kind='cell', indices=(2, 5))
    >>> print(parse_selection("class:10", a, 15, "ym_sel").found)
    “class:10”: index 10 is past the last, 9
    """
    kind, _, rest = raw.strip().partition(":")
    parts = rest.split(",") if rest else []
    limits = _limits(kind, analysis, bins) if kind in KINDS else ()
    found = None
    if kind not in KINDS:
        found = f"“{quote(raw, 40)}”" if raw else "an empty value"
    elif len(parts) != len(limits) or not all(
        p.strip().isascii() and p.strip().isdigit() for p in parts
    ):
        found = f"“{quote(raw, 40)}”: {kind} takes {len(limits)} whole number(s) from 0"
    else:
        digits = [p.strip().lstrip("0") or "0" for p in parts]
        for part, limit in zip(digits, limits, strict=True):
            # more digits than any index has is past the last, and is not read: Python refuses
            # to read an int of more than 4,300 digits
            if len(part) > _MAX_DIGITS or int(part) >= limit:
                shown = part if len(part) <= _MAX_DIGITS else f"of {len(part):,} digits"
                found = f"“{quote(raw, 40)}”: index {shown} is past the last, {limit - 1}"
                break
        else:
            return Selection(kind, tuple(int(p) for p in digits))
    return Problem(
        key, None, key, found=found, expected=_expected(analysis, bins), label=f"The link’s {key}"
    )


def selection_from_points(chart: str, points: list[dict]) -> str | None:
    """The selection's text of a click on `chart` ("loss", "confidence", "class", "cell"), from
    the points Streamlit reports (st.plotly_chart's `selection.points`), or None for a click on
    nothing the page drills into (the diagonal, the curve at T, an empty selection).

    Each clickable trace carries its indices in `customdata`: the bars [.., .., index], the
    confusion cells' markers [target, prediction]. The browser sends a row of a
    NumPy array as an object keyed "0", "1", …, a row of a list as a list: both are read.
    """
    for point in points:
        data = point.get("customdata")
        if isinstance(data, dict):  # a NumPy row arrives as a typed array: {"0": …, "1": …}
            data = [data[k] for k in sorted(data, key=lambda k: int(k) if k.isdigit() else -1)]
        if not isinstance(data, (list, tuple)) or not data:
            continue
        try:
            if chart == "cell" and len(data) == 2:
                return f"cell:{int(data[0])},{int(data[1])}"
            if chart != "cell" and len(data) == 3:
                return f"{chart}:{int(data[2])}"
        except (TypeError, ValueError, OverflowError):
            continue  # not a point of ours: ignored, as a click on the diagonal is
    return None


def _mask(selection: Selection, analysis: Analysis, bins: int) -> np.ndarray:
    kind, indices = selection.kind, selection.indices
    if kind == "loss":
        edges, loss = analysis.histogram_edges, analysis.loss
        # np.histogram's bins, as the core counts them: [e_b, e_b+1), the last one closed.
        index = np.searchsorted(edges, loss.astype(np.float64), side="right") - 1
        index[loss.astype(np.float64) == edges[-1]] = len(edges) - 2
        return np.isfinite(loss) & (index == indices[0])
    if kind == "confidence":
        # calibration_bins' binning (torchmetrics'): float32, clipped, exactly 1 in the last bin.
        edges = xentcore.calibration_edges(bins)
        q = analysis.confidence.astype(np.float32)
        index = np.clip(np.searchsorted(edges, q, side="right") - 1, 0, bins)
        index[np.isnan(q)] = bins
        return index == indices[0]
    if kind == "cell":
        return (analysis.labels == indices[0]) & (analysis.prediction == indices[1])
    return analysis.labels == indices[0]


def selected_rows(selection: Selection, analysis: Analysis, bins: int) -> np.ndarray:
    """The samples (0-based rows) behind `selection`, highest loss first (ties in file order)."""
    rows = np.flatnonzero(_mask(selection, analysis, bins))
    order = np.argsort(-analysis.loss[rows].astype(np.float64), kind="stable")
    return rows[order]
