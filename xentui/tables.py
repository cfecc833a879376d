"""DataFrames for the Playground: probabilities with predictions, and one sample's breakdown."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from xentui.results import Results
from xentui.scenario import Scenario

__all__ = ["breakdown_frame", "probabilities_frame", "style_probabilities"]


def sample_names(scenario: Scenario) -> list[str]:
    return [f"sample {i + 1}" for i in range(scenario.num_samples)]


def probabilities_frame(scenario: Scenario, results: Results) -> pd.DataFrame:
    """One row per sample: p for every class, then target, prediction, right or wrong, loss."""
    frame = pd.DataFrame(
        results.probabilities.astype(np.float64),
        columns=list(scenario.classes),
        index=sample_names(scenario),
    )
    classes = np.asarray(scenario.classes, dtype=object)
    frame["target"] = classes[results.dominant_targets]
    frame["prediction"] = classes[results.predictions]
    frame["right?"] = np.where(results.correct, "✓ right", "✗ wrong")
    frame["loss"] = results.per_sample.astype(np.float64)
    if any(scenario.ignored) and scenario.soft_targets is None:
        frame["loss"] = [
            None if skip else value
            for skip, value in zip(scenario.ignored, frame["loss"], strict=True)
        ]
    return frame


def _shade(p: float) -> str:
    """White → blue by probability, with dark text kept readable."""
    if not isinstance(p, float) or p != p:
        return ""
    strength = min(max(p, 0.0), 1.0)
    r, g, b = (int(255 - (255 - t) * strength) for t in (33, 113, 181))
    text = "#ffffff" if strength > 0.6 else "#111111"
    return f"background-color: rgb({r},{g},{b}); color: {text}"


def style_probabilities(frame: pd.DataFrame, classes: list[str]) -> Styler:
    """Colour-scale the probability columns (no matplotlib needed) and format the numbers."""
    columns = frame.columns[: len(classes)]
    return (
        frame.style.map(_shade, subset=columns)
        .format("{:.4f}", subset=columns)
        .format(lambda v: "ignored" if v is None or v != v else f"{v:.4f}", subset=["loss"])
    )


def breakdown_frame(scenario: Scenario, results: Results, sample: int) -> pd.DataFrame:
    """Sample `sample`'s per-class terms of −Σ_c y_c · log p_c (y is the indicator, or q')."""
    y = results.target_distribution[sample]
    log_p = results.log_probabilities[sample].astype(np.float64)
    return pd.DataFrame(
        {
            "class": list(scenario.classes),
            "indicator y": y,
            "p": results.probabilities[sample].astype(np.float64),
            "log p": log_p,
            "−y · log p": -y * log_p,
        }
    )
