"""What "mean" divides by with class weights and ignored samples: PyTorch's rule, written out.

With class weights w and class-index targets t, PyTorch's reduction="mean" is

    Σ_i w[t_i] · ℓ_i  /  Σ_i w[t_i]        (over the samples whose target is not ignore_index)

where ℓ_i = −log p_i[t_i]. The denominator is the sum of the weights of the targets, not N: a
batch whose weights are all 2 has the same mean as one whose weights are all 1. Dividing by N
instead (Keras's convention for sample weights) scales the mean with the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

import xentcore
from xentui.domain.limits import IGNORE_INDEX, MAX_CLASSES, WEIGHT_LIMIT
from xentui.domain.scenario import Scenario
from xentui.domain.typed_numbers import parse_number_rows
from xentui.kit.latex import tex_number
from xentui.kit.problems import Problem

__all__ = [
    "IGNORED",
    "WEIGHTS_BOX",
    "WeightedMean",
    "default_weights_text",
    "parse_class_weights",
    "typed_weighted_mean",
    "weighted_mean",
    "weighted_mean_frame",
    "weighted_mean_latex",
]

_MAX_TERMS_WRITTEN = 8
# The section's two inputs, as their Problems name them.
WEIGHTS_BOX, IGNORED = "class weights", "ignored samples"


def default_weights_text(scenario: Scenario) -> str:
    """The scenario's weights if it has some; else 2 for the first class, 1 for the others."""
    weights = scenario.weights or (2.0,) + (1.0,) * (scenario.num_classes - 1)
    return ", ".join(f"{w:g}" for w in weights)


def parse_class_weights(
    text: object, num_classes: int, box: str = WEIGHTS_BOX
) -> tuple[np.ndarray | None, Problem | None]:
    """One weight in [0, WEIGHT_LIMIT] per class, or (None, the Problem naming `box`).

    >>> parse_class_weights("2, 1, 1", 3)[0].tolist()
    [2.0, 1.0, 1.0]
    >>> str(parse_class_weights("2, 1", 3)[1])
    'Expected 3 weights, one per class in the order of the classes; got 2 weights.'
    """
    parsed = parse_number_rows(
        text,
        what="weights",
        max_rows=1,
        max_entries=MAX_CLASSES,
        low=0.0,
        high=WEIGHT_LIMIT,
        box=box,
        expected=f"a weight from 0 to {WEIGHT_LIMIT:g}",
    )
    if parsed.problem is not None:
        return None, parsed.problem
    weights = parsed.values[0]
    if weights.size != num_classes:
        expected = f"{num_classes} weights, one per class in the order of the classes"
        return None, Problem(box, None, None, f"{weights.size} weights", expected)
    return weights, None


@dataclass(frozen=True, eq=False)
class WeightedMean:
    """Every number of the weighted mean of one scenario, sample by sample."""

    losses: np.ndarray  # (N,) ℓ_i = −log p_i[t_i], unweighted
    targets: np.ndarray  # (N,) class indices
    sample_weights: np.ndarray  # (N,) w[t_i]
    kept: np.ndarray  # (N,) bool: not ignored
    class_weights: np.ndarray  # (C,) w, one per class
    mean: float  # PyTorch's: Σ w ℓ / Σ w over kept samples (NaN for 0/0)

    @property
    def numerator(self) -> float:
        return float(np.sum(self.sample_weights * self.losses, where=self.kept, dtype=np.float64))

    @property
    def denominator(self) -> float:
        return float(np.sum(self.sample_weights, where=self.kept, dtype=np.float64))

    @property
    def over_batch_size(self) -> float:
        """Σ w ℓ / N with N the whole batch — what Keras does with sample weights."""
        return self.numerator / self.losses.size

    @property
    def unweighted_mean(self) -> float:
        """The plain mean of ℓ over the kept samples."""
        kept = int(self.kept.sum())
        return float(self.losses[self.kept].sum(dtype=np.float64) / kept) if kept else np.nan


def weighted_mean(scenario: Scenario, weights: np.ndarray, ignored: np.ndarray) -> WeightedMean:
    """PyTorch's weighted mean on the scenario's logits (÷ T) and targets, without smoothing.

    Probability targets are replaced by their most likely class: PyTorch ignores the weights'
    sum with probability targets (it divides by N), so the rule shown here needs class indices.
    """
    x = scenario.scaled_logits()
    if scenario.soft_targets is not None:
        targets = np.asarray(scenario.soft_targets).argmax(axis=1)
    else:
        targets = np.asarray(scenario.targets, dtype=np.int64)
    ignored = np.asarray(ignored, dtype=bool)
    t = np.where(ignored, IGNORE_INDEX, targets)
    w = np.asarray(weights, dtype=x.dtype)
    plain = xentcore.cross_entropy(x, targets, reduction="none").astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = float(xentcore.cross_entropy(x, t, weight=w, ignore_index=IGNORE_INDEX))
    return WeightedMean(
        losses=plain,
        targets=targets,
        sample_weights=np.asarray(weights, dtype=np.float64)[targets],
        kept=~ignored,
        class_weights=np.asarray(weights, dtype=np.float64),
        mean=mean,
    )


def typed_weighted_mean(
    scenario: Scenario, weights_text: object, ignored: list[bool]
) -> tuple[WeightedMean | None, tuple[Problem, ...]]:
    """The weighted mean of the scenario with typed weights and chosen ignored samples.

    None with the Problems when the weights cannot be read or the mean would be 0/0 (every
    sample ignored, or every kept target's class weighing 0), which PyTorch returns as NaN.
    """
    weights, problem = parse_class_weights(weights_text, scenario.num_classes)
    problems = [] if problem is None else [problem]
    kept = [not skip for skip in ignored]
    if not any(kept):
        problems.append(
            Problem(
                IGNORED, None, None, "every sample ignored", "at least one sample kept (0/0 is NaN)"
            )
        )
    if problems:
        return None, tuple(problems)
    result = weighted_mean(scenario, weights, np.asarray(ignored, dtype=bool))
    if result.denominator == 0:
        found = "weight 0 on every kept sample's target class"
        expected = "a kept sample whose target class weighs more than 0 (0/0 is NaN)"
        return None, (Problem(WEIGHTS_BOX, None, None, found, expected),)
    return result, ()


def weighted_mean_frame(result: WeightedMean, class_names: list[str]) -> pd.DataFrame:
    """One row per sample: target, ℓ, w[t], w · ℓ and whether it counts."""
    names = np.asarray(class_names, dtype=object)
    counted = result.kept
    return pd.DataFrame(
        {
            "sample": [f"sample {i + 1}" for i in range(result.losses.size)],
            "target": names[result.targets],
            "ℓ = −log p(target)": result.losses,
            "w[target]": result.sample_weights,
            "w · ℓ": np.where(counted, result.sample_weights * result.losses, np.nan),
            "in the mean?": np.where(counted, "yes", "ignored"),
        }
    )


def _abbreviate(terms: list[str]) -> list[str]:
    return terms if len(terms) <= _MAX_TERMS_WRITTEN else [*terms[:3], r"\dots", *terms[-2:]]


def weighted_mean_latex(result: WeightedMean) -> str:
    """The mean with the numbers: (w₁·ℓ₁ + w₂·ℓ₂) / (w₁ + w₂) = value, ignored samples left out."""
    kept = np.flatnonzero(result.kept)
    top = _abbreviate(
        [rf"{result.sample_weights[i]:g} \cdot {tex_number(result.losses[i])}" for i in kept]
    )
    bottom = _abbreviate([f"{result.sample_weights[i]:g}" for i in kept])
    value = tex_number(result.mean)
    return (
        r"\frac{\sum_i w_{t_i}\,\ell_i}{\sum_i w_{t_i}} = "
        rf"\frac{{{' + '.join(top) or '0'}}}{{{' + '.join(bottom) or '0'}}} = "
        rf"\frac{{{tex_number(result.numerator)}}}{{{result.denominator:g}}} = {value}"
    )
