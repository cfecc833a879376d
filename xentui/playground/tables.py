"""DataFrames for the Playground: probabilities with predictions, and one sample's breakdown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xentui.domain.results import Results
from xentui.domain.scenario import Scenario

__all__ = ["breakdown_frame", "probabilities_frame", "sample_names"]


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
