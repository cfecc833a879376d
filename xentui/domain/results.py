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
    """The Playground's numbers, each one a named quantity.

    Every per-sample loss is −Σ_c w_c · y_c · log p_c, with y the (smoothed) target distribution
    and w the class weights (1 without weights) — PyTorch's formula for class and probability
    targets alike. `unweighted` drops w and keeps ignored samples: it is the matrix's diagonal.
    """

    probabilities: np.ndarray  # (N, C) softmax of the scaled logits
    log_probabilities: np.ndarray  # (N, C)
    target_distribution: np.ndarray  # (N, C) what each row is scored against (smoothed, if set)
    class_weights: np.ndarray  # (C,) w_c as the loss sees it (1 without weights)
    ignored: np.ndarray  # (N,) True for a sample left out of the loss
    unweighted: np.ndarray  # (N,) −Σ y · log p of every sample, ignored or not (float64)
    per_sample: np.ndarray  # (N,) reduction="none" losses: weighted, 0 for ignored samples
    mean: float  # reduction="mean": NaN when nothing counts (0/0), as in PyTorch
    total: float  # reduction="sum"
    loss: float  # the loss under the scenario's reduction (the mean when reduction is "none")
    denominator: float  # what "mean" divides by: N, the count kept, or Σ w[t] of the kept
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
    # In the scenario's dtype, as the loss sees them: a weight of 1e-50 is 0 in float32.
    w = np.ones(c) if scenario.weights is None else np.asarray(scenario.weights, scenario.dtype)
    class_weights = w.astype(np.float64)
    if scenario.soft_targets is not None:
        base = np.asarray(scenario.soft_targets, dtype=np.float64)
        sample_weights = np.ones(n)
        denominator = float(n)
    else:
        base = xentcore.one_hot(np.asarray(scenario.targets), c).astype(np.float64)
        sample_weights = np.where(scenario.ignored, 0.0, w[list(scenario.targets)])
        denominator = float(sample_weights.sum())
    distribution = (1 - eps) * base + eps / c
    ignored = np.asarray(scenario.ignored) & (scenario.soft_targets is None)
    # From log-softmax, not −log(softmax): a p that underflows to 0 still has a finite −log p.
    neg_log_p = -log_probs.astype(np.float64)
    mean = float(xentcore.cross_entropy(**args, reduction="mean"))  # 0/0 is NaN, as in PyTorch
    total = float(xentcore.cross_entropy(**args, reduction="sum"))
    loss = total if scenario.reduction == "sum" else mean
    weights_for_text = None
    if scenario.weights is not None and scenario.soft_targets is None:
        weights_for_text = sample_weights
    dominant = distribution.argmax(axis=1)
    return Results(
        probabilities=probs,
        log_probabilities=log_probs,
        target_distribution=distribution,
        class_weights=class_weights,
        ignored=ignored,
        unweighted=(distribution * neg_log_p).sum(axis=1),
        per_sample=per_sample,
        mean=mean,
        total=total,
        loss=loss,
        denominator=denominator,
        sample_weights=sample_weights,
        predictions=probs.argmax(axis=1),
        target_probability=probs[np.arange(n), dominant],
        matrix=distribution @ neg_log_p.T,
        arithmetic=reduction_arithmetic(
            per_sample, ignored, weights_for_text, "sum" if scenario.reduction == "sum" else "mean"
        ),
    )


@dataclass(frozen=True)
class TorchCheck:
    loss: float  # PyTorch's mean or sum (the mean for reduction "none")
    per_sample: np.ndarray  # PyTorch's reduction="none" vector
    agrees: bool  # both equal ours (NaN equal to NaN)
    printed_loss: str  # what print(loss) shows for the scenario's reduction
    printed_probabilities: str  # what print(F.softmax(logits, dim=1)) shows


@memoised(maxsize=256)
def torch_check(scenario: Scenario) -> TorchCheck:
    """The same losses from torch.nn.functional.cross_entropy, whether they match ours, and what
    the script of `xentui.domain.torch_code` prints (torch's own tensor printing)."""
    _single_threaded_torch()
    import torch

    args = loss_arguments(scenario)
    x, target = torch.from_numpy(args["input"]), torch.from_numpy(args["target"])
    weight = None if args["weight"] is None else torch.from_numpy(args["weight"])

    def loss(reduction: str):
        return torch.nn.functional.cross_entropy(
            x,
            target,
            weight=weight,
            ignore_index=IGNORE_INDEX,
            reduction=reduction,
            label_smoothing=scenario.label_smoothing,
        )

    each = loss("none")
    # For "none" the headline is the mean, so PyTorch is asked for the mean too.
    reduced = loss("sum" if scenario.reduction == "sum" else "mean")
    ours = analyse(scenario)
    close = {"rtol": 1e-5, "atol": 1e-6, "equal_nan": True}
    agrees = bool(
        np.isclose(float(reduced), ours.loss, **close)
        and np.allclose(each.numpy(), ours.per_sample, **close)
    )
    shown = each if scenario.reduction == "none" else reduced
    return TorchCheck(
        float(reduced),
        each.numpy(),
        agrees,
        printed_loss=repr(shown),
        printed_probabilities=repr(torch.softmax(x, dim=1)),
    )


@memoised(maxsize=1)
def _single_threaded_torch() -> None:
    # The check handles at most 64 × 32 numbers: torch's thread pool only adds wake-up latency
    # (measured 15-30 ms spikes on a busy 2-core server) and competes with other sessions.
    import torch

    torch.set_num_threads(1)
