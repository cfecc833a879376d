"""Plotly figures for the Playground: the Y·(−log P)ᵀ heatmap and the −log p curve.

Built as specification dicts without Plotly's per-property check (see learn2_plotly); the tests
rebuild them with the check on.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sequential

from xentui.kit.format import fmt, plotly_literal
from xentui.kit.plotly_spec import fast_figure
from xentui.kit.units import uniform_loss

__all__ = ["loss_curve_figure", "loss_matrix_figure"]

# Spelled out: an unvalidated figure keeps a named scale as a bare string.
_DIAGONAL_SCALE = [[i / (len(sequential.Reds) - 1), c] for i, c in enumerate(sequential.Reds)]
_FADED_SCALE = [[0.0, "#f4f4f4"], [1.0, "#c8c8c8"]]


def loss_matrix_figure(matrix: np.ndarray, sample_names: list[str]) -> go.Figure:
    """Annotated heatmap of Y·(−log P)ᵀ: the diagonal (each sample's own −Σ y · log p,
    unweighted) in colour, the off-diagonal pairs (sample i's target scored against sample j's
    prediction) faded."""
    n = matrix.shape[0]
    labels = [plotly_literal(name) for name in sample_names]
    diagonal = np.full((n, n), np.nan)
    np.fill_diagonal(diagonal, np.diagonal(matrix))
    off = matrix.astype(float).copy()
    np.fill_diagonal(off, np.nan)
    # Each trace writes only its own cells: text over a gap is drawn too, and two texts in one
    # cell (bold and plain, sized apart on a narrow screen) read as a doubled label.
    text = [[fmt(float(v)) for v in row] for row in matrix]
    own = [[v if i == j else "" for j, v in enumerate(row)] for i, row in enumerate(text)]
    others = [["" if i == j else v for j, v in enumerate(row)] for i, row in enumerate(text)]
    faded = {
        "type": "heatmap",
        "z": off,
        "x": labels,
        "y": labels,
        "colorscale": _FADED_SCALE,
        "showscale": False,
        "text": others,
        "hoverongaps": False,
        "textfont": {"color": "#9a9a9a"},
        "hovertemplate": "targets of %{y} · −log P of %{x}: %{text}<extra>off-diagonal</extra>",
    }
    strong = {
        "type": "heatmap",
        "z": diagonal,
        "x": labels,
        "y": labels,
        "colorscale": _DIAGONAL_SCALE,
        "colorbar": {"title": {"text": "−Σ y · log p<br>(nats)"}},
        "text": own,
        "hoverongaps": False,
        "hovertemplate": "%{y}: its own −Σ y · log p %{text}<extra>diagonal</extra>",
    }
    if n <= 16:  # beyond that the numbers no longer fit their cells
        faded["texttemplate"], strong["texttemplate"] = "%{text}", "<b>%{text}</b>"
    layout = {
        "xaxis": {
            "title": {"text": "−log P of sample j (column)"},
            "side": "top",
            "type": "category",
        },
        "yaxis": {
            "title": {"text": "targets Y of sample i (row)"},
            "autorange": "reversed",
            "type": "category",
        },
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "height": max(260, min(640, 60 * n + 140)),
    }
    return fast_figure({"data": [faded, strong], "layout": layout})


def loss_curve_figure(
    target_probability: np.ndarray,
    sample_names: list[str],
    highlight: int | None = None,
    ignored: np.ndarray | None = None,
    num_classes: int | None = None,
) -> go.Figure:
    """−log p for p of the target class in (0, 1], with each sample as a labelled point on it.

    With num_classes C, a dashed line at ln C marks the loss of a uniform guess (p = 1/C). The
    samples stay trace 1, the trace a click on the chart selects from.
    """
    p = np.asarray(target_probability, dtype=np.float64)
    floor = min(1e-3, float(p.min()) / 2) if p.size and p.min() > 0 else 1e-3
    grid = np.geomspace(floor, 1.0, 400)
    curve = {
        "type": "scatter",
        "x": grid,
        "y": -np.log(grid),
        "mode": "lines",
        "name": "−log p",
        "line": {"color": "#888", "width": 2},
        "hovertemplate": "p = %{x:.4f}<br>−log p = %{y:.4f}<extra></extra>",
    }
    safe_p = np.clip(p, np.finfo(float).tiny, 1.0)
    labels = [plotly_literal(name) for name in sample_names]
    skipped = np.zeros(len(p), bool) if ignored is None else np.asarray(ignored)
    colours = [
        "#bbbbbb" if skip else ("#d62728" if i == highlight else "#1f77b4")
        for i, skip in enumerate(skipped)
    ]
    points = {
        "type": "scatter",
        "x": safe_p,
        "y": -np.log(safe_p),
        "mode": "markers+text" if len(p) <= 20 else "markers",
        "text": labels,
        # A label to the right of a point near p = 1 would run off the plot (on a phone, off
        # the screen): those go to the left.
        "textposition": ["top left" if x > 0.75 else "top right" for x in safe_p],
        "customdata": np.arange(len(p)),
        "marker": {"size": [16 if i == highlight else 11 for i in range(len(p))], "color": colours},
        "name": "samples",
        "hovertemplate": "<b>%{text}</b><br>p(target) = %{x:.4f}<br>−log p = %{y:.4f}"
        "<extra></extra>",
    }
    layout = {
        "xaxis": {"title": {"text": "p of the target class"}, "range": [0, 1.02]},
        "yaxis": {"title": {"text": "−log p (nats)"}, "rangemode": "tozero"},
        "showlegend": False,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "height": 380,
        "clickmode": "event+select",
    }
    data = [curve, points]
    if num_classes is not None:
        level = uniform_loss(num_classes)
        data.append(
            {
                "type": "scatter",
                "x": [0.0, 1.0],
                "y": [level, level],
                "mode": "lines+text",
                "text": ["", f"uniform guess: ln {num_classes} = {fmt(level)}"],
                "textposition": "top left",
                "name": "uniform guess",
                "line": {"color": "#2ca02c", "width": 1, "dash": "dash"},
                "hoverinfo": "skip",
            }
        )
    return fast_figure({"data": data, "layout": layout})
