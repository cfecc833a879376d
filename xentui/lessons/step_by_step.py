"""The walkthrough of categorical cross-entropy on a scenario: every term, each sample, the mean.

    CE = −(1/N) Σ_i Σ_c y_ic · log p_ic

y_ic is the indicator of the target class (1 for sample i's class, 0 elsewhere) — or, with label
smoothing or probability targets, the weight the target gives class c. The walkthrough follows the
seed's formula, so it leaves out what that formula has no place for (class weights, ignored
samples, other reductions); `simplifications` says, in words, what was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from xentui.domain.results import analyse
from xentui.domain.scenario import Scenario
from xentui.kit.cache import memoised
from xentui.kit.format import fmt
from xentui.kit.latex import tex_indicator, tex_matrix, tex_number, tex_signed

__all__ = [
    "Walkthrough",
    "dot_product_latex",
    "mean_latex",
    "sample_latex",
    "simplifications",
    "term_latex",
    "term_position",
    "terms_frame",
    "walkthrough",
]

# Beyond these a formula written out in full stops being readable; the tables hold everything.
MAX_TERMS_IN_A_LINE = 6
MAX_SAMPLES_IN_A_LINE = 8
MAX_MATRIX_SIDE = 8


@dataclass(frozen=True, eq=False)  # arrays inside: compare and hash by identity
class Walkthrough:
    """The numbers of the walk. Arrays are (N, C) over the samples the walk keeps."""

    scenario: Scenario  # what is walked through: kept samples, no weights, reduction "mean"
    sample_labels: tuple[str, ...]  # "sample 3" keeps the Playground's numbering
    target_labels: tuple[str, ...]  # the target class's name, or "probabilities"
    probabilities: np.ndarray  # softmax of the logits ÷ T, in the scenario's precision
    log_probabilities: np.ndarray  # log-softmax (never log of the softmax), same precision
    targets: np.ndarray  # y_ic, float64

    @property
    def num_samples(self) -> int:
        return self.targets.shape[0]

    @property
    def num_classes(self) -> int:
        return self.targets.shape[1]

    @property
    def num_terms(self) -> int:
        return self.targets.size

    @cached_property
    def terms(self) -> np.ndarray:
        """−y_ic · log p_ic in float64; a class with y = 0 adds exactly 0 (the indicator is off)."""
        log_p = self.log_probabilities.astype(np.float64)
        return np.where(self.targets != 0, -self.targets * log_p, 0.0)

    @cached_property
    def running_sums(self) -> np.ndarray:
        """The sum so far after each term, in the walk's order: sample by sample, class by class."""
        return np.cumsum(self.terms.ravel())

    @cached_property
    def per_sample(self) -> np.ndarray:
        return self.terms.sum(axis=1)

    @property
    def total(self) -> float:
        return float(self.per_sample.sum())

    @property
    def mean(self) -> float:
        return self.total / self.num_samples

    @cached_property
    def loss_matrix(self) -> np.ndarray:
        """Y · (−log P)ᵀ from the log-softmax: the diagonal holds each sample's loss."""
        return self.targets @ (-self.log_probabilities.astype(np.float64)).T


def _kept_samples(scenario: Scenario) -> list[int]:
    if scenario.soft_targets is not None:
        return list(range(scenario.num_samples))
    kept = [i for i, skip in enumerate(scenario.ignored) if not skip]
    return kept or list(range(scenario.num_samples))  # a link may ignore all; walk them all then


@memoised(maxsize=32)
def walkthrough(scenario: Scenario) -> Walkthrough:
    """The walk over `scenario` (cached: scenarios are immutable)."""
    kept = _kept_samples(scenario)
    soft = scenario.soft_targets
    walked = replace(
        scenario,
        logits=tuple(scenario.logits[i] for i in kept),
        targets=tuple(scenario.targets[i] for i in kept),
        ignored=(),
        soft_targets=None if soft is None else tuple(soft[i] for i in kept),
        weights=None,
        reduction="mean",
    )
    results = analyse(walked)  # the Playground's own numbers: softmax, log-softmax, smoothed y
    targets = (
        ("probabilities",) * len(kept)
        if soft is not None
        else tuple(scenario.classes[t] for t in walked.targets)
    )
    return Walkthrough(
        scenario=walked,
        sample_labels=tuple(f"sample {i + 1}" for i in kept),
        target_labels=targets,
        probabilities=results.probabilities,
        log_probabilities=results.log_probabilities,
        targets=results.target_distribution.astype(np.float64),
    )


def simplifications(scenario: Scenario) -> list[str]:
    """What the walk leaves out of, or changes in, the Playground's scenario — in words."""
    notes = []
    skipped = [i + 1 for i, skip in enumerate(scenario.ignored) if skip]
    if skipped and scenario.soft_targets is None:
        if len(skipped) == scenario.num_samples:
            notes.append("Every sample is marked “ignore”, so the walk goes through all of them.")
        else:
            listed = ", ".join(str(i) for i in skipped[:8]) + (", …" if len(skipped) > 8 else "")
            notes.append(
                f"Ignored samples ({listed}) are left out, as ignore_index does: N counts the "
                "samples that remain."
            )
    if scenario.weights is not None and scenario.soft_targets is None:
        notes.append(
            "Class weights are left out: the formula below has none. With them the Playground's "
            f"mean is {fmt(analyse(scenario).loss)}."
        )
    if scenario.reduction != "mean":
        notes.append(
            f"The walk ends with the mean; the Playground's reduction is “{scenario.reduction}”."
        )
    if scenario.temperature != 1.0:
        notes.append(
            f"The logits are divided by the temperature T = {scenario.temperature:g} first."
        )
    if scenario.label_smoothing and scenario.soft_targets is None:
        eps = scenario.label_smoothing
        notes.append(
            f"Label smoothing ε = {eps:g}: each one-hot row becomes (1 − ε)·y + ε/C, so y is "
            f"{1 - eps + eps / scenario.num_classes:.4g} on the target class and "
            f"{eps / scenario.num_classes:.4g} elsewhere — every class adds a term."
        )
    if scenario.soft_targets is not None:
        notes.append(
            "Probability targets: y_ic is the target's probability of class c, so every class "
            "with y > 0 adds a term."
        )
    return notes


def term_position(step: int, num_classes: int) -> tuple[int, int]:
    """The (sample, class) of the 1-based `step`, walking sample by sample, class by class.

    >>> term_position(1, 3), term_position(4, 3), term_position(6, 3)
    ((0, 0), (1, 0), (1, 2))
    """
    return divmod(step - 1, num_classes)


@memoised(maxsize=64)  # walks are cached, so a walk is its own key
def terms_frame(walk: Walkthrough, upto: int, class_names: tuple[str, ...]) -> pd.DataFrame:
    """A row per term up to the 1-based step `upto`: y, p, log p, −y · log p, the running sum."""
    upto = max(0, min(upto, walk.num_terms))
    samples, classes = np.divmod(np.arange(upto), walk.num_classes)
    return pd.DataFrame(
        {
            "term": np.arange(1, upto + 1),
            "sample": [walk.sample_labels[i] for i in samples],
            "class": [class_names[c] for c in classes],
            "y (indicator)": walk.targets[samples, classes],
            "p": walk.probabilities[samples, classes].astype(np.float64),
            "log p": walk.log_probabilities[samples, classes].astype(np.float64),
            "−y · log p": walk.terms[samples, classes],
            "running sum": walk.running_sums[:upto],
        }
    )


def term_latex(walk: Walkthrough, step: int) -> str:
    """Term `step` with its numbers: −y · log p = −1 · log 0.0900 = 2.4076, and the sum so far."""
    i, c = term_position(step, walk.num_classes)
    y, p = walk.targets[i, c], float(walk.probabilities[i, c])
    log_p = float(walk.log_probabilities[i, c])
    sub = (
        f"{i + 1}{c + 1}" if walk.num_samples < 10 and walk.num_classes < 10 else f"{i + 1},{c + 1}"
    )
    return (
        rf"-y_{{{sub}}} \log p_{{{sub}}} = -{tex_indicator(y)} \cdot \log {tex_number(p)}"
        rf" = -{tex_indicator(y)} \cdot {tex_signed(log_p)} = {tex_number(walk.terms[i, c])}"
        rf"\qquad \text{{running sum}} = {tex_number(walk.running_sums[step - 1])}"
    )


def _sample_terms(walk: Walkthrough, i: int, upto_class: int) -> list[str]:
    """The products y · log p of sample i up to class `upto_class` (exclusive), written short."""
    shown = range(upto_class)
    if walk.num_classes > MAX_TERMS_IN_A_LINE:  # keep the classes that count, and say so
        shown = [c for c in shown if walk.targets[i, c] != 0][:MAX_TERMS_IN_A_LINE]
    return [
        f"{tex_indicator(walk.targets[i, c])} \\cdot {tex_signed(walk.log_probabilities[i, c])}"
        for c in shown
    ]


def sample_latex(walk: Walkthrough, i: int, upto_class: int | None = None) -> str:
    """ℓ_i = −(y_i1 · log p_i1 + …) = its loss; part-way (`upto_class` terms) ends in ⋯."""
    complete = upto_class is None or upto_class >= walk.num_classes
    upto = walk.num_classes if complete else upto_class
    terms = _sample_terms(walk, i, upto)
    hidden = upto - len(terms)
    if hidden:
        terms.append(rf"\underbrace{{0 + \cdots + 0}}_{{\text{{{hidden} terms with }} y = 0}}")
    if not complete:
        terms.append(r"\cdots")
    value = walk.per_sample[i] if complete else walk.terms[i, :upto].sum()
    return rf"\ell_{{{i + 1}}} = -\left({' + '.join(terms)}\right) = {tex_number(value)}" + (
        "" if complete else r"\ \text{so far}"
    )


def mean_latex(walk: Walkthrough) -> str:
    """CE = (ℓ_1 + ℓ_2) / N = sum / N = mean, with the numbers."""
    values = [tex_number(v) for v in walk.per_sample]
    if len(values) > MAX_SAMPLES_IN_A_LINE:
        values = [*values[:3], r"\cdots", *values[-2:]]
    n = walk.num_samples
    return (
        rf"\text{{CE}} = \frac{{1}}{{{n}}}\left({' + '.join(values)}\right)"
        rf" = \frac{{{tex_number(walk.total)}}}{{{n}}} = {tex_number(walk.mean)}"
    )


def dot_product_latex(walk: Walkthrough) -> tuple[str, str] | None:
    """Y · (−log P)ᵀ = M with the numbers, then the mean of its diagonal; None when too large."""
    if max(walk.num_samples, walk.num_classes) > MAX_MATRIX_SIDE:
        return None
    neg_log_p = -walk.log_probabilities.astype(np.float64)
    diagonal = np.diagonal(walk.loss_matrix)
    product = (
        rf"Y \cdot (-\log P)^\top = {tex_matrix(walk.targets, indicators=True)} \cdot "
        rf"{tex_matrix(neg_log_p.T)} = {tex_matrix(walk.loss_matrix)}"
    )
    mean = (
        r"\frac{1}{N}\operatorname{sum}\operatorname{diag} = "
        rf"\frac{{{' + '.join(tex_number(v) for v in diagonal)}}}{{{walk.num_samples}}}"
        rf" = \frac{{{tex_number(float(diagonal.sum()))}}}{{{walk.num_samples}}}"
        rf" = {tex_number(float(diagonal.mean()))}"
    )
    return product, mean
