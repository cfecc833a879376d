"""Plotly figures for the Learn pages, built from plain specification dicts.

Plotly checks every property of every trace when a figure object is constructed: 15–30 ms for a
pair of annotated heatmaps here, more than half of a page's 50 ms rerun budget, and paid again on
every rerun. The Learn pages' builders therefore write the figure as the dict Plotly would produce
and wrap it without that check. The check is not lost, only moved: the tests rebuild every figure
with validation on (`validated`), so a misspelt property still fails — in the test suite.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

__all__ = ["MARGIN", "fast_figure", "validated"]

MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def fast_figure(spec: dict[str, Any]) -> go.Figure:
    """A go.Figure from {"data": [...], "layout": {...}}, without Plotly's per-property check."""
    # `_validate` is a keyword of plotly's BaseFigure (plotly 5–7); the tests call `validated`.
    return go.Figure(spec, _validate=False)


def validated(figure: go.Figure) -> go.Figure:
    """The same figure rebuilt with every property checked: raises ValueError on a bad one."""
    return go.Figure(figure.to_dict())
