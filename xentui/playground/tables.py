"""DataFrames for the Playground: probabilities with predictions, and one sample's breakdown."""

from __future__ import annotations

import numpy as np
import pandas as pd

from xentui.domain.results import Results
from xentui.domain.scenario import Scenario
from xentui.kit.format import fmt

__all__ = [
    "breakdown_frame",
    "ignored_samples",
    "matrix_note",
    "per_sample_line",
    "probabilities_frame",
    "probability_column",
    "sample_names",
]


def probability_column(index: int) -> str:
    """The key of class `index`'s column in the probabilities table ("p0", "p1", …).

    Keyed by position and labelled with the class name where it is shown, so a class called
    "loss" or "target" never overwrites the table's own columns.
    """
    return f"p{index}"


def sample_names(scenario: Scenario) -> list[str]:
    return [f"sample {i + 1}" for i in range(scenario.num_samples)]


def probabilities_frame(scenario: Scenario, results: Results) -> pd.DataFrame:
    """One row per sample: p for every class, then target, prediction, right or wrong, loss.

    Class columns are keyed by `probability_column`; the others are "target", "prediction",
    "right?" and "loss".
    """
    frame = pd.DataFrame(
        results.probabilities.astype(np.float64),
        columns=[probability_column(c) for c in range(scenario.num_classes)],
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


def ignored_samples(scenario: Scenario) -> np.ndarray:
    """(N,) True for a sample left out of the loss (never with probability targets)."""
    return np.asarray(scenario.ignored, dtype=bool) & (scenario.soft_targets is None)


def per_sample_line(scenario: Scenario, results: Results) -> str:
    """The losses of reduction "none", one per sample, as Markdown."""
    losses = zip(sample_names(scenario), results.per_sample, strict=True)
    return "**Per-sample losses (reduction none):** " + ", ".join(
        f"{name}: {fmt(v)}" for name, v in losses
    )


def matrix_note(scenario: Scenario, results: Results) -> str:
    """What Y · (−log P)ᵀ shows, with its diagonal's sum and mean, as Markdown."""
    diagonal = np.diagonal(results.matrix)
    return (
        f"Diagonal sum **{fmt(float(diagonal.sum()))}**, mean **{fmt(float(diagonal.mean()))}**. "
        "Row i is sample i's target; column j scores it against sample j's prediction, so only "
        "the diagonal pairs a sample with its own prediction."
        + (" Weights are not part of this form." if scenario.weights is not None else "")
    )
