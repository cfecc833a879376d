"""A self-contained HTML report of an analysis: the headline table and the page's figures.

Plotly's JavaScript is inlined once, in the first figure; the others use it. No file, font or
script is fetched from anywhere: the report opens offline, in any browser.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.io as pio

from xentui.kit.format import percent
from xentui.kit.units import loss_text, perplexity_text
from xentui.your_model.analysis import Analysis
from xentui.your_model.figures import (
    class_loss_figure,
    confusion_figure,
    loss_histogram_figure,
    reliability_figure,
)

__all__ = ["headline_frame", "html_report"]

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}"
)


def headline_frame(analysis: Analysis, bins: int, unit: str = "nats") -> pd.DataFrame:
    """The headline figures, as the page shows them: one row per figure."""
    before, _ = analysis.reliability(bins)
    fit = analysis.temperature.temperature
    return pd.DataFrame(
        {
            "figure": [
                "samples",
                "classes",
                "mean cross-entropy",
                "perplexity",
                "accuracy",
                f"ECE ({bins} bins)",
                "fitted temperature T",
            ],
            "value": [
                f"{analysis.num_samples:,}",
                f"{analysis.num_classes:,}",
                loss_text(analysis.mean_loss, unit),
                perplexity_text(analysis.mean_loss),
                percent(analysis.accuracy),
                f"{before.ece:.4f}",
                "—" if fit is None else f"{fit:.3f}",
            ],
        }
    )


def html_report(analysis: Analysis, bins: int, unit: str = "nats") -> bytes:
    """The report of `analysis` with reliability bins `bins`, losses in `unit`, as UTF-8 HTML."""
    before, after = analysis.reliability(bins)
    figures = [
        ("Loss per sample", loss_histogram_figure(analysis, False, unit)),
        ("Mean loss per class", class_loss_figure(analysis, unit)),
        ("Confusion matrix (row: target, column: prediction)", confusion_figure(analysis)),
        ("Calibration", reliability_figure(before, after, analysis.temperature.temperature)),
    ]
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>xent report: {html.escape(analysis.source)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>Your model: {html.escape(analysis.source)}</h1>",
        f"<p>Read as {html.escape(analysis.kind)}: {html.escape(analysis.detection_reason)}.</p>",
        headline_frame(analysis, bins, unit).to_html(index=False, escape=True),
    ]
    for number, (title, figure) in enumerate(figures):
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(
            pio.to_html(
                figure,
                include_plotlyjs=number == 0,  # inlined once; the later figures use it
                full_html=False,
                config={"displaylogo": False},
            )
        )
    parts.append("</body></html>")
    return "".join(parts).encode()
