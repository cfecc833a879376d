"""Tables for the "Your model" page: worst samples, classes, libraries, and the per-sample CSV.

Class names go into DataFrame cells, which st.dataframe shows as plain text (no Markdown).
Losses are shown in the reader's unit (nats or bits, `xentui.kit.units`), named in the column;
the per-sample CSV keeps nats, PyTorch's unit, in its column "loss".
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

import xentcore
from xentcore import Reliability
from xentui.kit.units import in_unit
from xentui.your_model.analysis import Analysis

__all__ = [
    "TOP_CLASSES_SHOWN",
    "class_frame",
    "libraries_frame",
    "per_sample_csv",
    "samples_frame",
    "summary_frame",
    "worst_frame",
]

# A worst sample's probabilities: every class up to this many, else the highest ones.
TOP_CLASSES_SHOWN = 5
_ALL_CLASSES_UP_TO = 10


def _probabilities_text(names: tuple[str, ...], p: np.ndarray) -> str:
    order = np.argsort(-p, kind="stable")
    if len(names) > _ALL_CLASSES_UP_TO:
        order = order[:TOP_CLASSES_SHOWN]
    text = " · ".join(f"{names[i]} {p[i]:.3f}" for i in order)
    return text + (" · …" if len(names) > _ALL_CLASSES_UP_TO else "")


def worst_frame(
    analysis: Analysis, k: int, links: list[str] | None = None, unit: str = "nats"
) -> pd.DataFrame:
    """The k highest-loss samples: target and prediction with their probabilities, the loss."""
    k = min(k, len(analysis.worst_rows))
    return samples_frame(
        analysis, analysis.worst_rows[:k], analysis.worst_probabilities[:k], links, unit
    )


def samples_frame(
    analysis: Analysis,
    rows: np.ndarray,
    probabilities: np.ndarray | None = None,
    links: list[str] | None = None,
    unit: str = "nats",
) -> pd.DataFrame:
    """Samples `rows` (0-based): target and prediction with their probabilities, the loss.

    `probabilities` (k, C) are the rows' softmax, when already at hand.
    """
    rows = np.asarray(rows, dtype=np.intp)
    k = len(rows)
    if probabilities is None:
        probabilities = xentcore.softmax(analysis.logits_of(rows), axis=1)
    names = np.asarray(analysis.class_names, dtype=object)
    targets = analysis.labels[rows]
    predictions = analysis.prediction[rows]
    frame = pd.DataFrame(
        {
            "sample": rows + 1,  # counted from 1, as every message on the page counts them
            "target": names[targets],
            "p(target)": probabilities[np.arange(k), targets],
            "prediction": names[predictions],
            "p(prediction)": probabilities[np.arange(k), predictions],
            f"loss ({unit})": in_unit(analysis.loss[rows].astype(np.float64), unit),
            "probabilities": [_probabilities_text(analysis.class_names, p) for p in probabilities],
        }
    )
    if links is not None:
        frame["Playground"] = links[:k]
    return frame


def class_frame(analysis: Analysis, unit: str = "nats") -> pd.DataFrame:
    """One row per class: samples, accuracy, mean loss, its share of all the loss, top mistake."""
    counts = analysis.class_counts
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = analysis.class_loss / counts
        accuracy = analysis.class_correct / counts
    total = analysis.class_loss.sum()
    share = analysis.class_loss / total if np.isfinite(total) and total > 0 else np.nan
    names = np.asarray(analysis.class_names, dtype=object)
    mistake = np.full(analysis.num_classes, "", dtype=object)
    pairs = analysis.error_pairs
    if len(pairs):
        # error_pairs is sorted by count: the first pair of each target is its top mistake.
        targets, first = np.unique(pairs[:, 0], return_index=True)
        mistake[targets] = [
            f"{names[p]} ({c:,})" for p, c in zip(pairs[first, 1], pairs[first, 2], strict=True)
        ]
    frame = pd.DataFrame(
        {
            "class": names,
            "samples": counts,
            "accuracy": accuracy,
            f"mean loss ({unit})": in_unit(mean, unit),
            "share of the loss": share,
            "most often mistaken for": mistake,
        }
    )
    return frame.sort_values(
        f"mean loss ({unit})", ascending=False, kind="stable", na_position="last"
    )


def libraries_frame(analysis: Analysis) -> pd.DataFrame:
    """What each library reports, its difference from xent, and why."""
    ours = analysis.mean_loss
    return pd.DataFrame(
        {
            "library": [r.library for r in analysis.libraries],
            "call": [r.call for r in analysis.libraries],
            "mean loss": [r.value for r in analysis.libraries],
            "− xent": [r.value - ours for r in analysis.libraries],
            "why": [r.why for r in analysis.libraries],
        }
    )


def summary_frame(
    analysis: Analysis, before: Reliability | None, after: Reliability | None, unit: str = "nats"
) -> pd.DataFrame:
    """Temperature scaling in numbers, on the held-out half: T, mean loss, ECE and accuracy as
    given and at T (`Analysis.scaling_reliability` gives `before` and `after`)."""
    fit = analysis.temperature
    return pd.DataFrame(
        {
            "": ["temperature T", f"mean loss ({unit})", "ECE", "accuracy"],
            "as given": [
                1.0,
                in_unit(fit.mean_loss_before, unit),
                before.ece if before is not None else np.nan,
                fit.accuracy_held_out,
            ],
            "after scaling": [
                fit.temperature if fit.temperature is not None else np.nan,
                in_unit(fit.mean_loss_after, unit),
                after.ece if after is not None else np.nan,
                fit.accuracy_held_out,  # dividing logits by T > 0 changes no argmax
            ],
        }
    )


def per_sample_csv(analysis: Analysis) -> bytes:
    """Every sample's target, prediction, loss (nats), p(target), confidence and correctness,
    and with a fitted T its confidence at T and whether it was held out from the fit, as CSV."""
    names = np.asarray(analysis.class_names, dtype=object)
    frame = pd.DataFrame(
        {
            "sample": np.arange(1, analysis.num_samples + 1),
            "target": analysis.labels,
            "target_name": names[analysis.labels],
            "prediction": analysis.prediction,
            "prediction_name": names[analysis.prediction],
            "loss": analysis.loss,
            "p_target": analysis.target_probability,
            "confidence": analysis.confidence,
            "correct": analysis.correct,
        }
    )
    if analysis.temperature.confidence_after is not None:
        frame["confidence_after_T"] = analysis.temperature.confidence_after
        held_out = np.zeros(analysis.num_samples, dtype=bool)
        held_out[analysis.scores.held_out] = True
        frame["held_out_from_T"] = held_out  # the half T was not fitted on
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, float_format="%.7g")
    return buffer.getvalue().encode()
