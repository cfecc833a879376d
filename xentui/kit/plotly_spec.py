"""Plotly figures for the Learn pages, built from plain specification dicts.

Plotly checks every property of every trace when a figure object is constructed: 15–30 ms for a
pair of annotated heatmaps here, more than half of a page's 50 ms rerun budget, and paid again on
every rerun. The Learn pages' builders therefore write the figure as the dict Plotly would produce
and wrap it without that check. The check is not lost, only moved: the tests rebuild every figure
with validation on (`validated`), so a misspelt property still fails — in the test suite.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from xentui.kit.format import fmt, plotly_literal

__all__ = [
    "MARGIN",
    "OUTLINE",
    "TARGET_OUTLINE_MARKER",
    "fast_figure",
    "probability_pair_figure",
    "validated",
]

MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
# A mid grey that reads on the light and on the dark theme's background (≥ 3:1 against both,
# as WCAG asks of graphics): figures follow Streamlit's theme, so no mark may assume white.
OUTLINE = "#808080"
# The target q drawn as an empty bar outlined over the probabilities.
TARGET_OUTLINE_MARKER = {"color": "rgba(0,0,0,0)", "line": {"color": OUTLINE, "width": 2}}


def fast_figure(spec: dict[str, Any]) -> go.Figure:
    """A go.Figure from {"data": [...], "layout": {...}}, without Plotly's per-property check.

    The default template (Streamlit's, when served) is given as a dict made once: left unset,
    Plotly converts the template object to JSON for every figure, 4–5 ms each. Only the
    template's defaults for the figure's own trace types travel with it.
    """
    layout = spec.get("layout", {})
    if "template" not in layout:
        template = _default_template(pio.templates.default)
        kinds = {trace.get("type", "scatter") for trace in spec.get("data", ())}
        data = {kind: rows for kind, rows in template.get("data", {}).items() if kind in kinds}
        spec = {**spec, "layout": {**layout, "template": {**template, "data": data}}}
    # `_validate` is a keyword of plotly's BaseFigure (plotly 5–7); the tests call `validated`.
    return go.Figure(spec, _validate=False)


@cache
def _default_template(name: str | None) -> dict[str, Any]:
    """The named template as Plotly's JSON dict (built once per name; callers must not mutate)."""
    return pio.templates[name].to_plotly_json() if name else {}


def validated(figure: go.Figure) -> go.Figure:
    """The same figure rebuilt with every property checked: raises ValueError on a bad one."""
    return go.Figure(figure.to_dict())


def probability_pair_figure(
    class_names: list[str],
    first: tuple[str, str, np.ndarray],
    second: tuple[str, str, np.ndarray],
    target: np.ndarray,
) -> go.Figure:
    """Two probability vectors as grouped bars, class by class, with the target q marked.

    `first` and `second` are (legend name, hover tag, probabilities); the second is the one the
    reader compares, so its bars carry their values.
    """
    names = [plotly_literal(name) for name in class_names]
    bars = []
    for (name, tag, values), color, labelled in (
        (first, "#9ecae1", False),
        (second, "#08519c", True),
    ):
        values = np.asarray(values, dtype=np.float64)
        bar = {
            "type": "bar",
            "name": name,
            "x": names,
            "y": values.tolist(),
            "marker": {"color": color},
            "hovertemplate": f"%{{x}}: p = %{{y:.4f}}<extra>{tag}</extra>",
        }
        if labelled:
            bar |= {"text": [fmt(float(v)) for v in values], "textposition": "outside"}
        bars.append(bar)
    marks = {
        "type": "scatter",
        "mode": "markers",
        "name": "target q",
        "x": names,
        "y": np.asarray(target, dtype=np.float64).tolist(),
        "marker": {"symbol": "line-ew-open", "size": 30, "color": OUTLINE},
        "hovertemplate": "%{x}: q = %{y:.4f}<extra></extra>",
    }
    layout = {
        "barmode": "group",
        "yaxis": {"range": [0, 1.12], "title": {"text": "probability"}},
        "xaxis": {"title": {"text": "class"}},
        "legend": {"orientation": "h", "y": -0.2},
        "height": 340,
        "margin": MARGIN,
    }
    return fast_figure({"data": [*bars, marks], "layout": layout})
