"""Plotly figures for the "Your model" page, built from aggregates only.

A figure travels to the browser as JSON (about 27 bytes a point), so nothing here plots one mark
per sample: the histogram has HISTOGRAM_BINS bars, the reliability diagram one bar per bin, and
the class charts at most MAX_CLASSES_SHOWN classes, whatever N and C. Every clickable mark carries
its indices in its `customdata`, which a click reports back for the drill-down
(xentui/your_model/drill.py).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

import xentcore
from xentcore import Reliability
from xentui.kit.format import plotly_literal
from xentui.kit.units import in_unit, loss_text
from xentui.your_model.analysis import Analysis

__all__ = [
    "CELL_FONT_SIZE",
    "MAX_CLASSES_SHOWN",
    "class_loss_figure",
    "confidence_histogram_figure",
    "confusion_classes",
    "confusion_figure",
    "loss_histogram_figure",
    "reliability_figure",
]

MAX_CLASSES_SHOWN = 30
_MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}


def loss_histogram_figure(
    analysis: Analysis, log_counts: bool = False, unit: str = "nats"
) -> go.Figure:
    """Samples per loss bin, with the mean marked; a log count axis shows the thin tail."""
    edges, counts = in_unit(analysis.histogram_edges, unit), analysis.histogram_counts
    centres = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure(
        go.Bar(
            x=centres,
            y=counts,
            width=np.diff(edges),
            marker={"color": "#1f77b4"},
            # the last column is the bar's index: what a click reports (xentui/your_model/drill.py)
            customdata=np.stack([edges[:-1], edges[1:], np.arange(len(counts))], axis=1),
            hovertemplate="loss %{customdata[0]:.3f}–%{customdata[1]:.3f}: %{y:,} samples"
            "<extra></extra>",
        )
    )
    if np.isfinite(analysis.mean_loss):
        fig.add_vline(
            x=in_unit(analysis.mean_loss, unit),
            line={"color": "#d62728", "dash": "dash"},
            annotation_text=f"mean {loss_text(analysis.mean_loss, unit)}",
            annotation_position="top right",
        )
    fig.update_layout(
        xaxis={"title": f"per-sample loss −log p(target), in {unit}"},
        yaxis={
            "title": "samples" + (" (log scale)" if log_counts else ""),
            "type": "log" if log_counts else "linear",
        },
        bargap=0.02,
        margin=_MARGIN,
        height=340,
    )
    return fig


def class_loss_figure(analysis: Analysis, unit: str = "nats") -> go.Figure:
    """Mean loss per target class, highest first (the MAX_CLASSES_SHOWN highest when C is big)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = analysis.class_loss / analysis.class_counts
    present = np.flatnonzero(analysis.class_counts > 0)
    order = present[np.argsort(-mean[present], kind="stable")][:MAX_CLASSES_SHOWN]
    names = [plotly_literal(analysis.class_names[i]) for i in order]
    accuracy = analysis.class_correct[order] / analysis.class_counts[order]
    fig = go.Figure(
        go.Bar(
            x=in_unit(mean[order], unit),
            y=names,
            orientation="h",
            marker={"color": "#d62728"},
            customdata=np.stack([analysis.class_counts[order], accuracy, order], axis=1),
            hovertemplate="%{y}: mean loss %{x:.4f}<br>%{customdata[0]:,} samples, "
            "accuracy %{customdata[1]:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": f"mean loss of the class's samples, in {unit}"},
        yaxis={"autorange": "reversed", "type": "category"},
        margin=_MARGIN,
        height=max(260, 22 * len(order) + 80),
    )
    return fig


def confusion_classes(analysis: Analysis) -> np.ndarray:
    """All classes when they fit, else the MAX_CLASSES_SHOWN with the most wrong predictions."""
    if analysis.num_classes <= MAX_CLASSES_SHOWN:
        return np.arange(analysis.num_classes)
    errors = analysis.class_counts - analysis.class_correct
    chosen = np.argsort(-errors, kind="stable")[:MAX_CLASSES_SHOWN]
    return np.sort(chosen)


CELL_FONT_SIZE = 14  # px: the confusion counts, as the page's own small text


def confusion_figure(analysis: Analysis) -> go.Figure:
    """Target (rows) × prediction (columns): colour is the share of the target's samples."""
    classes = confusion_classes(analysis)
    counts = analysis.scores.confusion_counts(classes)
    totals = analysis.class_counts[classes][:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(totals > 0, counts / np.maximum(totals, 1), np.nan)
    names = [plotly_literal(analysis.class_names[i]) for i in classes]
    small = len(classes) <= 12
    fig = go.Figure(
        go.Heatmap(
            z=share,
            x=names,
            y=names,
            zmin=0,
            zmax=1,
            colorscale="Blues",
            colorbar={"title": {"text": "share of<br>the target"}},
            text=counts if small else None,  # the counts written in the cells
            texttemplate="%{text:,}" if small else None,
            # Left to itself Plotly shrinks the counts to fit their cells, to about 6 px with ten
            # classes: a fixed size stays legible on a projector, and the rows grow to hold it.
            textfont={"size": CELL_FONT_SIZE},
            hoverinfo="skip",  # the cells' markers below answer the hover
        )
    )
    # Plotly cannot select a heatmap's cell: an invisible marker at each cell's centre is what a
    # click selects, carrying (target, prediction), and what the hover reads.
    k = len(classes)
    fig.add_trace(
        go.Scatter(
            x=[names[j] for _ in range(k) for j in range(k)],
            y=[names[i] for i in range(k) for _ in range(k)],
            mode="markers",
            marker={"size": 16, "symbol": "square", "color": "rgba(0, 0, 0, 0)"},
            customdata=np.stack([np.repeat(classes, k), np.tile(classes, k)], axis=1),
            text=counts.ravel(),
            hovertemplate="target %{y} → predicted %{x}: %{text:,} samples<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(
        xaxis={"title": "predicted class", "type": "category", "side": "top"},
        yaxis={"title": "target class", "type": "category", "autorange": "reversed"},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        height=max(320, min(760, (44 if small else 24) * len(classes) + 160)),
    )
    return fig


def reliability_figure(
    before: Reliability, after: Reliability | None = None, temperature: float | None = None
) -> go.Figure:
    """Accuracy against confidence per bin; the diagonal is perfect calibration.

    The last bin holds the confidences of exactly 1 (torchmetrics' binning): a thin bar at 1.
    `after` is the held-out half at T, the half the temperature was not fitted on.
    """
    edges = before.edges.astype(np.float64)
    width = np.append(np.diff(edges), 0.01)
    centres = np.append((edges[:-1] + edges[1:]) / 2, 1.0)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="calibrated",
            line={"color": "#888", "dash": "dot"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Bar(
            x=centres,
            y=np.nan_to_num(before.accuracy),
            width=width,
            name=f"as given, every sample (ECE {before.ece:.4f})",
            marker={"color": "rgba(31, 119, 180, 0.75)"},
            customdata=np.stack(
                [before.counts, np.nan_to_num(before.confidence), np.arange(len(before.counts))],
                axis=1,
            ),
            hovertemplate="confidence %{customdata[1]:.3f}: accuracy %{y:.3f} "
            "(%{customdata[0]:,} samples)<extra></extra>",
        )
    )
    if after is not None and temperature is not None:
        kept = after.counts > 0
        fig.add_trace(
            go.Scatter(
                x=after.confidence[kept],
                y=after.accuracy[kept],
                mode="lines+markers",
                name=f"T = {temperature:.3f}, held-out half (ECE {after.ece:.4f})",
                line={"color": "#2ca02c"},
                customdata=after.counts[kept],
                hovertemplate="confidence %{x:.3f}: accuracy %{y:.3f} "
                "(%{customdata:,} samples)<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis={"title": "confidence (top probability)", "range": [0, 1]},
        yaxis={"title": "accuracy", "range": [0, 1]},
        legend={"orientation": "h", "y": -0.2},
        bargap=0.05,
        margin=_MARGIN,
        height=420,
    )
    return fig


def confidence_histogram_figure(analysis: Analysis, n_bins: int = 20) -> go.Figure:
    """Samples per confidence (top probability) bin, right and wrong stacked."""
    correct = analysis.correct
    every, edges = xentcore.confidence_histogram(analysis.confidence, n_bins)
    right = xentcore.confidence_histogram(analysis.confidence[correct], n_bins)[0]
    wrong = every - right  # two histograms of N, not three
    centres = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure()
    for name, counts, colour in (("right", right, "#2ca02c"), ("wrong", wrong, "#d62728")):
        fig.add_trace(
            go.Bar(
                x=centres,
                y=counts,
                width=np.diff(edges),
                name=name,
                marker={"color": colour},
                hovertemplate=f"confidence %{{x:.3f}}: %{{y:,}} {name}<extra></extra>",
            )
        )
    fig.update_layout(
        barmode="stack",
        xaxis={"title": "confidence (top probability)", "range": [0, 1]},
        yaxis={"title": "samples"},
        legend={"orientation": "h", "y": -0.25},
        margin=_MARGIN,
        height=300,
    )
    return fig
