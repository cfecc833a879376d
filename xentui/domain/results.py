"""Everything the Playground shows about a valid scenario, computed once by xentcore."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import xentcore
from xentui.domain.limits import IGNORE_INDEX
from xentui.domain.scenario import Scenario
from xentui.kit.cache import memoised
from xentui.kit.format import fmt

__all__ = [
    "Results",
    "TorchCheck",
    "analyse",
    "reduction_arithmetic",
    "torch_check",
]

_MAX_TERMS_WRITTEN = 8


@dataclass(frozen=True)
class Results:
    probabilities: np.ndarray  # (N, C) softmax of the scaled logits
    log_probabilities: np.ndarray  # (N, C)
    target_distribution: np.ndarray  # (N, C) what each row is scored against (smoothed, if set)
    per_sample: np.ndarray  # (N,) reduction="none" losses, 0 for ignored samples
    loss: float  # the loss under the scenario's reduction (the mean when reduction is "none")
    denominator: float  # what "mean" divides by: the count, or Σ w[t] with class weights
    sample_weights: np.ndarray  # (N,) w[t_i] (1 without weights), 0 for ignored samples
    predictions: np.ndarray  # (N,) argmax class
    target_probability: np.ndarray  # (N,) p of the target class (the dominant one for soft rows)
    matrix: np.ndarray  # (N, N) Y · (−log P)ᵀ
    arithmetic: str

    @property
    def correct(self) -> np.ndarray:
        return self.predictions == self.dominant_targets

    @property
    def dominant_targets(self) -> np.ndarray:
        return self.target_distribution.argmax(axis=1)

    @property
    def accuracy(self) -> float:
        return float(self.correct.mean())


def _torch_target(scenario: Scenario) -> np.ndarray:
    if scenario.soft_targets is not None:
        return np.asarray(scenario.soft_targets, dtype=scenario.dtype)
    return np.where(scenario.ignored, IGNORE_INDEX, scenario.targets).astype(np.int64)


def loss_arguments(scenario: Scenario) -> dict[str, object]:
    """The arguments of cross_entropy for this scenario — shared by xentcore and the torch check."""
    weight = None if scenario.weights is None else np.asarray(scenario.weights, scenario.dtype)
    return {
        "input": scenario.scaled_logits(),
        "target": _torch_target(scenario),
        "weight": weight,
        "ignore_index": IGNORE_INDEX,
        "label_smoothing": scenario.label_smoothing,
    }


def reduction_arithmetic(
    per_sample: np.ndarray, ignored: np.ndarray, weights: np.ndarray | None, reduction: str
) -> str:
    """The reduction written out with the actual numbers, e.g. '(2.4076 + 0.1429) / 2 = 1.2753'."""
    kept = [float(v) for v, skip in zip(per_sample, ignored, strict=True) if not skip]
    terms = [fmt(v) for v in kept]
    if len(terms) > _MAX_TERMS_WRITTEN:
        terms = [*terms[:3], "…", *terms[-2:]]
    numerator = " + ".join(terms) if terms else "0"
    total = float(np.sum(kept, dtype=np.float64)) if kept else 0.0
    if reduction == "sum":
        return f"{numerator} = {fmt(total)}"
    if weights is None:
        denominator_text, denominator = str(len(kept)), float(len(kept))
    else:
        kept_weights = [float(w) for w, skip in zip(weights, ignored, strict=True) if not skip]
        shown = [f"{w:g}" for w in kept_weights]
        if len(shown) > _MAX_TERMS_WRITTEN:
            shown = [*shown[:3], "…", *shown[-2:]]
        denominator = float(sum(kept_weights))
        denominator_text = f"({' + '.join(shown) or '0'})"
    value = total / denominator if denominator else float("nan")
    return f"({numerator}) / {denominator_text} = {fmt(value)}"


@memoised(maxsize=64)
def analyse(scenario: Scenario) -> Results:
    """All the Playground's numbers for one scenario (cached: scenarios are immutable)."""
    args = loss_arguments(scenario)
    logits = args["input"]
    probs = xentcore.softmax(logits)
    log_probs = xentcore.log_softmax(logits)
    per_sample = xentcore.cross_entropy(**args, reduction="none")
    n, c = logits.shape
    eps = scenario.label_smoothing
    if scenario.soft_targets is not None:
        base = np.asarray(scenario.soft_targets, dtype=np.float64)
        sample_weights = np.ones(n)
        denominator = float(n)
    else:
        base = xentcore.one_hot(np.asarray(scenario.targets), c).astype(np.float64)
        # In the scenario's dtype, as the loss sees them: a weight of 1e-50 is 0 in float32.
        w = np.ones(c) if scenario.weights is None else np.asarray(scenario.weights, scenario.dtype)
        sample_weights = np.where(scenario.ignored, 0.0, w[list(scenario.targets)])
        denominator = float(sample_weights.sum())
    distribution = (1 - eps) * base + eps / c
    ignored = np.asarray(scenario.ignored) & (scenario.soft_targets is None)
    if scenario.reduction == "none":
        loss = float(xentcore.cross_entropy(**args, reduction="mean"))
    else:
        loss = float(xentcore.cross_entropy(**args, reduction=scenario.reduction))
    weights_for_text = None
    if scenario.weights is not None and scenario.soft_targets is None:
        weights_for_text = sample_weights
    dominant = distribution.argmax(axis=1)
    return Results(
        probabilities=probs,
        log_probabilities=log_probs,
        target_distribution=distribution,
        per_sample=per_sample,
        loss=loss,
        denominator=denominator,
        sample_weights=sample_weights,
        predictions=probs.argmax(axis=1),
        target_probability=probs[np.arange(n), dominant],
        matrix=xentcore.loss_matrix(distribution, probs.astype(np.float64)),
        arithmetic=reduction_arithmetic(
            per_sample, ignored, weights_for_text, "sum" if scenario.reduction == "sum" else "mean"
        ),
    )


@dataclass(frozen=True)
class TorchCheck:
    loss: float  # PyTorch's loss under the scenario's reduction (the mean for "none")
    per_sample: np.ndarray
    agrees: bool


@memoised(maxsize=256)
def torch_check(scenario: Scenario) -> TorchCheck:
    """The same loss from torch.nn.functional.cross_entropy, and whether it matches ours."""
    _single_threaded_torch()
    # For "none" the headline is the mean, so PyTorch is asked for the mean (and the vector).
    reduction = "mean" if scenario.reduction == "none" else scenario.reduction
    loss = float(xentcore.torch_cross_entropy(**loss_arguments(scenario), reduction=reduction))
    each = xentcore.torch_cross_entropy(**loss_arguments(scenario), reduction="none")
    ours = analyse(scenario)
    agrees = bool(
        np.isclose(loss, ours.loss, rtol=1e-5, atol=1e-6)
        and np.allclose(each, ours.per_sample, rtol=1e-5, atol=1e-6)
    )
    return TorchCheck(loss, each, agrees)


@memoised(maxsize=1)
def _single_threaded_torch() -> None:
    # The check handles at most 64 × 32 numbers: torch's thread pool only adds wake-up latency
    # (measured 15-30 ms spikes on a busy 2-core server) and competes with other sessions.
    import torch

    torch.set_num_threads(1)
