"""Figures and tables of the Sequences page, built from a `SequenceLosses` and capped in size.

A heatmap cell travels to the browser as JSON, so at most MAX_HEATMAP_ROWS sequences (the first
ones, in file order) and MAX_HEATMAP_TOKENS positions are drawn; the caption says how many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from xentcore import SequenceLosses
from xentui.kit.format import fmt
from xentui.kit.units import in_unit, loss_text

__all__ = [
    "MAX_HEATMAP_ROWS",
    "MAX_HEATMAP_TOKENS",
    "MAX_TABLE_ROWS",
    "heatmap_caption",
    "loss_heatmap",
    "reductions_sentence",
    "sequence_frame",
    "worst_tokens_frame",
]

MAX_HEATMAP_ROWS = 200
MAX_HEATMAP_TOKENS = 512
MAX_TABLE_ROWS = 500


def loss_heatmap(losses: SequenceLosses, unit: str = "nats") -> go.Figure:
    """Loss per token: a row per sequence (from 1), a column per position; padding blank."""
    shown = losses.token_loss[:MAX_HEATMAP_ROWS, :MAX_HEATMAP_TOKENS]
    rows, cols = shown.shape
    values = in_unit(1.0, unit) * shown  # NaN stays NaN: Plotly leaves those cells empty
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=np.arange(1, cols + 1),
            y=np.arange(1, rows + 1),
            colorscale="Viridis",
            colorbar={"title": {"text": unit}},
            hovertemplate="sequence %{y}, token %{x}: %{z:.4f} " + unit + "<extra></extra>",
        )
    )
    figure.update_layout(
        title="Loss per token",
        xaxis_title="position",
        yaxis_title="sequence",
        yaxis={"autorange": "reversed"},
        height=min(700, 160 + 6 * rows),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return figure


def heatmap_caption(losses: SequenceLosses) -> str:
    n, t = losses.token_loss.shape
    rows, cols = min(n, MAX_HEATMAP_ROWS), min(t, MAX_HEATMAP_TOKENS)
    parts = [f"Showing sequences 1–{rows:,} of {n:,}" if rows < n else f"All {n:,} sequences"]
    parts.append(f"positions 1–{cols:,} of {t:,}" if cols < t else f"all {t:,} positions")
    return ", ".join(parts) + "; blank cells are padding or ignored positions."


def sequence_frame(losses: SequenceLosses, unit: str = "nats") -> pd.DataFrame:
    """Per sequence, worst mean loss first (at most MAX_TABLE_ROWS): tokens, mean, perplexity."""
    order = losses.worst_sequences(MAX_TABLE_ROWS)
    return pd.DataFrame(
        {
            "sequence": order + 1,
            "tokens": losses.lengths[order],
            f"mean loss ({unit})": in_unit(1.0, unit) * losses.sequence_loss[order],
            "perplexity": losses.sequence_perplexity[order],
        }
    )


def worst_tokens_frame(losses: SequenceLosses, k: int = 20, unit: str = "nats") -> pd.DataFrame:
    """The k worst tokens: sequence and position (from 1), loss and p(target) = e^−loss."""
    rows, cols, loss = losses.worst_tokens(k)
    return pd.DataFrame(
        {
            "sequence": rows + 1,
            "position": cols + 1,
            f"loss ({unit})": in_unit(1.0, unit) * loss,
            "p(target)": np.exp(-loss),
        }
    )


def reductions_sentence(losses: SequenceLosses, unit: str = "nats") -> str:
    """Why the token mean and the sequence mean differ here, in one or two sentences."""
    tokens, n = losses.num_tokens, int((losses.lengths > 0).sum())
    base = (
        f"The token mean weighs each of the {tokens:,} tokens alike, so long sequences count "
        f"most; the sequence mean weighs each of the {n:,} sequences alike, so the tokens of "
        "short ones count more."
    )
    gap = losses.token_mean - losses.sequence_mean
    if not np.isfinite(gap) or abs(gap) < 1e-12 * max(1.0, abs(losses.token_mean)):
        return base + " Here they agree: every sequence has the same length, or the same mean."
    lower = "longer" if gap < 0 else "shorter"
    return (
        base + f" Here they differ by {fmt(abs(in_unit(gap, unit)))} {unit}: the {lower} sequences "
        f"have the lower loss per token, and the token mean "
        f"({loss_text(losses.token_mean, unit)}) leans towards "
        + ("them." if gap < 0 else "the longer, harder ones.")
    )
