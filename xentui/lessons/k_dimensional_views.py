"""The numbers the K-dimensional page states, computed from `xentui.lessons.k_dimensional`.

Kept apart from that module, which holds the examples, the mask and the image: these only read
its results (the mean of a seed example, the pixels the argmax gets wrong) and lay the
Playground's scenario out as positions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import xentcore
from xentui.domain.limits import IGNORE_INDEX
from xentui.domain.results import analyse, loss_arguments
from xentui.domain.scenario import Scenario
from xentui.lessons import k_dimensional as kdim
from xentui.lessons import k_dimensional_image as kimage

__all__ = ["ScenarioPositions", "example_mean", "mask_fits", "scenario_positions", "wrong_pixels"]


def example_mean(example: kdim.KdimExample, precision: str) -> float:
    """reduction="mean" of a seed example in `precision`: the mean over every (n, j) position."""
    return float(xentcore.cross_entropy(example.input.astype(precision), example.target))


def wrong_pixels(image: kimage.ImageLoss) -> int:
    """Labelled pixels whose most likely class is not their target."""
    return int(((image.predictions != image.mask) & (image.mask != IGNORE_INDEX)).sum())


def mask_fits(mask: np.ndarray, num_classes: int) -> bool:
    """True when every labelled pixel of `mask` names one of `num_classes` classes."""
    return bool(mask.max(initial=0) < num_classes)


@dataclass(frozen=True, eq=False)
class ScenarioPositions:
    """The scenario's losses as positions of one (1, C, N) output, beside its per-sample losses."""

    per_position: np.ndarray  # (N,)
    per_sample: np.ndarray  # (N,) as the Playground computes them
    same: bool


def scenario_positions(scenario: Scenario) -> ScenarioPositions:
    """Transpose the scenario's (N, C) logits to (1, C, N) and score every position."""
    moved = kdim.scenario_as_positions(loss_arguments(scenario))
    per_position = xentcore.cross_entropy(**moved, reduction="none")[0]
    per_sample = analyse(scenario).per_sample
    same = np.allclose(per_position, per_sample, rtol=1e-5, atol=1e-7, equal_nan=True)
    return ScenarioPositions(per_position, per_sample, bool(same))
