"""Two models side by side on the same samples: headline differences, flips, classes, a density.

A `Comparison` holds two `Side`s scored on the same samples with the same labels: two uploads
(`compare_models`, after `mismatch` found nothing that differs) or one upload before and after
temperature scaling (`compare_temperature`, on the held-out half the temperature was not fitted
on). Differences are B − A, with a paired bootstrap 95 % interval
(`xentcore.paired_bootstrap_difference`) for every figure that is a mean over samples.
Everything drawn is aggregated here: the loss scatter is a 2-D histogram whatever N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import xentcore
from xentui.kit.format import plotly_literal
from xentui.kit.problems import quote
from xentui.kit.units import in_unit
from xentui.your_model.analysis import Analysis
from xentui.your_model.upload import as_first_model, counted, default_class_names

__all__ = [
    "DENSITY_BINS",
    "Comparison",
    "Side",
    "class_difference_frame",
    "compare_models",
    "compare_temperature",
    "flips",
    "loss_density_figure",
    "metrics_frame",
    "mismatch",
]

DENSITY_BINS = 60  # cells a side of the A-versus-B loss density


@dataclass(frozen=True)
class Side:
    """One model's per-sample figures on the compared samples."""

    name: str
    loss: np.ndarray  # (n,) nats
    correct: np.ndarray  # (n,) bool
    confidence: np.ndarray  # (n,)
    brier: np.ndarray  # (n,) Σ_c (p_c − y_c)²


@dataclass(frozen=True)
class Comparison:
    """Sides `a` and `b` on samples `rows` (0-based, file order) with targets `labels`."""

    a: Side
    b: Side
    rows: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    note: str


def _side(analysis: Analysis, name: str) -> Side:
    return Side(
        name,
        analysis.loss,
        analysis.correct,
        analysis.confidence,
        analysis.scores.brier_per_sample,
    )


def mismatch(a: Analysis, b: Analysis) -> str | None:
    """What differs between two uploads that should score the same samples, or None.

    >>> from xentui.your_model.example import example_data
    >>> from xentui.your_model.analysis import analyse_upload
    >>> mismatch(analyse_upload(example_data(300)), analyse_upload(example_data(200)))
    'expected 300 samples, as the first model has; got 200 samples'
    """
    for what, first, second in (
        ("sample", a.num_samples, b.num_samples),
        ("class", a.num_classes, b.num_classes),
    ):
        if first != second:
            return f"expected {as_first_model(first, what)}; got {counted(second, what)}"
    # A file that names no classes (a .npy) is taken to mean the other's.
    unnamed = default_class_names(a.num_classes) in (a.class_names, b.class_names)
    if a.class_names != b.class_names and not unnamed:
        pairs = zip(a.class_names, b.class_names, strict=True)
        at = next(i for i, (x, y) in enumerate(pairs) if x != y)
        return (
            f"expected the first model's class names in its order; class {at} is "
            f"“{quote(b.class_names[at], 40)}” where the first model has "
            f"“{quote(a.class_names[at], 40)}”"
        )
    if not np.array_equal(a.labels, b.labels):
        differ = np.flatnonzero(a.labels != b.labels)
        return (
            f"expected the first model's labels; {differ.size:,} "
            f"{'differs' if differ.size == 1 else 'differ'}, the first at sample {differ[0] + 1:,}"
        )
    return None


def compare_models(a: Analysis, b: Analysis) -> Comparison:
    """Two uploads of the same samples (check `mismatch` first): every sample compared."""
    return Comparison(
        _side(a, f"A: {a.source}"),
        _side(b, f"B: {b.source}"),
        np.arange(a.num_samples),
        a.labels,
        a.class_names,
        f"every one of the {a.num_samples:,} samples",
    )


def compare_temperature(analysis: Analysis) -> Comparison | None:
    """The upload as given (A) and at the fitted T (B), on the held-out half; None with no T."""
    fit = analysis.temperature
    held = analysis.scores.held_out
    if fit.temperature is None or analysis.scores.loss_after is None or not held.size:
        return None
    given = _side(analysis, "A: as given")
    correct = given.correct[held]  # dividing the logits by T > 0 moves no argmax
    scaled = Side(
        f"B: at T = {fit.temperature:.3f}",
        analysis.scores.loss_after[held],
        correct,
        analysis.temperature.confidence_after[held],
        analysis.scores.brier_per_sample_after[held],
    )
    a = Side(given.name, given.loss[held], correct, given.confidence[held], given.brier[held])
    return Comparison(
        a,
        scaled,
        held,
        analysis.labels[held],
        analysis.class_names,
        f"the {held.size:,} held-out samples the temperature was not fitted on",
    )


def _interval(b: np.ndarray, a: np.ndarray) -> str:
    b, a = b.astype(np.float64), a.astype(np.float64)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        return "— (a loss is +∞)"
    r = xentcore.paired_bootstrap_difference(b, a)
    return f"[{r.low:+.4f}, {r.high:+.4f}]"


def metrics_frame(comparison: Comparison, bins: int, unit: str = "nats") -> pd.DataFrame:
    """Each headline figure for A and B, B − A, and the paired bootstrap 95 % interval of B − A.

    Losses are in `unit`; ECE and MCE (not means over samples) have no interval.
    """
    a, b = comparison.a, comparison.b
    scale = in_unit(1.0, unit)
    rows = []

    def add(name: str, va: np.ndarray, vb: np.ndarray, factor: float = 1.0) -> None:
        ma, mb = (
            float(va.mean(dtype=np.float64)) * factor,
            float(vb.mean(dtype=np.float64)) * factor,
        )
        interval = _interval(vb * factor, va * factor)
        rows.append((name, ma, mb, mb - ma, interval))

    add(f"mean cross-entropy ({unit})", a.loss, b.loss, scale)
    add("accuracy", a.correct.astype(np.float64), b.correct.astype(np.float64))
    add("Brier score", a.brier, b.brier)
    ra = xentcore.calibration_bins(a.confidence, a.correct, bins)
    rb = xentcore.calibration_bins(b.confidence, b.correct, bins)
    rows.append((f"ECE ({bins} bins)", ra.ece, rb.ece, rb.ece - ra.ece, "—"))
    mce_a = xentcore.max_calibration_error(a.confidence, a.correct, bins)
    mce_b = xentcore.max_calibration_error(b.confidence, b.correct, bins)
    rows.append((f"MCE ({bins} bins)", mce_a, mce_b, mce_b - mce_a, "—"))
    return pd.DataFrame(rows, columns=["figure", a.name, b.name, "B − A", "95% interval of B − A"])


def flips(comparison: Comparison) -> tuple[np.ndarray, np.ndarray]:
    """(samples right under A and wrong under B, wrong under A and right under B), 0-based rows,
    each highest B loss first."""
    a, b = comparison.a.correct, comparison.b.correct
    out = []
    for mask in (a & ~b, ~a & b):
        picked = np.flatnonzero(mask)
        order = np.argsort(-comparison.b.loss[picked].astype(np.float64), kind="stable")
        out.append(comparison.rows[picked[order]])
    return out[0], out[1]


def class_difference_frame(comparison: Comparison, unit: str = "nats") -> pd.DataFrame:
    """Per target class: samples, mean loss and accuracy of A and B and B − A, worst B − A first."""
    c = len(comparison.class_names)
    counts = np.bincount(comparison.labels, minlength=c)

    def mean(values: np.ndarray) -> np.ndarray:
        sums = np.bincount(comparison.labels, weights=values.astype(np.float64), minlength=c)
        with np.errstate(invalid="ignore", divide="ignore"):
            return sums / counts

    la, lb = in_unit(mean(comparison.a.loss), unit), in_unit(mean(comparison.b.loss), unit)
    aa, ab = mean(comparison.a.correct), mean(comparison.b.correct)
    frame = pd.DataFrame(
        {
            "class": np.asarray(comparison.class_names, dtype=object),
            "samples": counts,
            f"A mean loss ({unit})": la,
            f"B mean loss ({unit})": lb,
            "B − A loss": lb - la,
            "A accuracy": aa,
            "B accuracy": ab,
            "B − A accuracy": ab - aa,
        }
    )
    return frame.sort_values("B − A loss", ascending=False, kind="stable", na_position="last")


def loss_density_figure(comparison: Comparison, unit: str = "nats") -> go.Figure:
    """Per-sample loss of B against A as a DENSITY_BINS² 2-D histogram (log colour), with the
    diagonal: below it B is better. Samples of infinite loss are left out (said in the title)."""
    la = in_unit(comparison.a.loss.astype(np.float64), unit)
    lb = in_unit(comparison.b.loss.astype(np.float64), unit)
    finite = np.isfinite(la) & np.isfinite(lb)
    top = float(max(la[finite].max(initial=0), lb[finite].max(initial=0))) or 1.0
    edges = np.linspace(0.0, top, DENSITY_BINS + 1)
    counts, _, _ = np.histogram2d(la[finite], lb[finite], bins=[edges, edges])
    centres = (edges[:-1] + edges[1:]) / 2
    with np.errstate(divide="ignore"):
        shade = np.where(counts > 0, np.log10(np.maximum(counts, 1)), np.nan)
    fig = go.Figure(
        go.Heatmap(
            x=centres,
            y=centres,
            z=shade.T,  # rows of z are B's bins (y), columns A's (x)
            text=counts.T.astype(np.int64),
            colorscale="Viridis",
            colorbar={"title": {"text": "samples<br>(log₁₀)"}},
            hovertemplate="A %{x:.3f}, B %{y:.3f}: %{text:,} samples<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0, top],
            y=[0, top],
            mode="lines",
            line={"color": "#d62728", "dash": "dash"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    left_out = int((~finite).sum())
    fig.update_layout(
        title={"text": "" if not left_out else f"{left_out:,} samples of infinite loss left out"},
        xaxis={"title": plotly_literal(f"{comparison.a.name} — loss in {unit}")},
        yaxis={"title": plotly_literal(f"{comparison.b.name} — loss in {unit}")},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=460,
    )
    return fig
