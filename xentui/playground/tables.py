"""The Playground's tables and the sentences beside them: probabilities with predictions, one
sample's breakdown, the matrix's summary, what the loss divides by, the batch's likelihood.

Every sentence names the quantity it shows — weighted or not, ignored samples in or out,
smoothed targets or not, reduced or not — and equals the table or figure it stands beside.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from xentui.domain.results import Results, TorchCheck
from xentui.domain.scenario import Scenario
from xentui.kit.format import fmt
from xentui.kit.units import loss_text, perplexity_text, uniform_loss

__all__ = [
    "breakdown_frame",
    "breakdown_line",
    "ignored_samples",
    "likelihood_lines",
    "matrix_note",
    "nan_note",
    "per_sample_line",
    "perplexity_metric",
    "probabilities_frame",
    "probability_column",
    "sample_names",
    "terms_note",
    "torch_line",
]

# The headers of the breakdown's columns; the weighted ones appear only with class weights.
TARGET_SHARE, WEIGHT = "target y", "weight w"
TERM, WEIGHTED_TERM = "−y · log p (nats)", "−w · y · log p (nats)"


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
    classes = np.asarray(scenario.classes, dtype=object)
    loss = results.per_sample.astype(np.float64)
    if any(scenario.ignored) and scenario.soft_targets is None:
        loss = [None if skip else value for skip, value in zip(scenario.ignored, loss, strict=True)]
    probabilities = results.probabilities.astype(np.float64)
    # One constructor call: inserting columns one by one copies the frame's blocks each time.
    return pd.DataFrame(
        {
            **{probability_column(c): probabilities[:, c] for c in range(scenario.num_classes)},
            "target": classes[results.dominant_targets],
            "prediction": classes[results.predictions],
            "right?": np.where(results.correct, "✓ right", "✗ wrong"),
            "loss": loss,
        },
        index=sample_names(scenario),
    )


def breakdown_frame(scenario: Scenario, results: Results, sample: int) -> pd.DataFrame:
    """Sample `sample`'s per-class terms: −y_c · log p_c, and −w_c · y_c · log p_c with weights.

    y is the target distribution the loss scores against: the one-hot target, smoothed to
    (1 − ε) · one-hot + ε / C with label smoothing ε, or the probability row. The last column
    sums to the sample's loss (before an ignore flag sets it to 0).
    """
    y = results.target_distribution[sample]
    log_p = results.log_probabilities[sample].astype(np.float64)
    frame = pd.DataFrame(
        {
            "class": list(scenario.classes),
            TARGET_SHARE: y,
            "p": results.probabilities[sample].astype(np.float64),
            "log p (nats)": log_p,
            TERM: -y * log_p,
        }
    )
    if scenario.weights is not None:
        frame.insert(2, WEIGHT, results.class_weights)
        frame[WEIGHTED_TERM] = -results.class_weights * y * log_p
    return frame


def _targets_word(scenario: Scenario) -> str:
    """What y is, when it is not simply the one-hot target."""
    if scenario.soft_targets is not None:
        smoothed = f", smoothed with ε = {scenario.label_smoothing:g}"
        return " (y: the probability targets" + (smoothed if scenario.label_smoothing else "") + ")"
    if scenario.label_smoothing:
        return f" (y: the target smoothed with ε = {scenario.label_smoothing:g})"
    return ""


def breakdown_line(scenario: Scenario, results: Results, sample: int) -> str:
    """The sentence under the breakdown: the sample's loss, equal to its table's last column."""
    name = sample_names(scenario)[sample]
    unweighted = loss_text(float(results.unweighted[sample]))
    targets = _targets_word(scenario)
    if results.ignored[sample]:
        return (
            f"{name.capitalize()} is ignored: its −Σ y · log p{targets} is **{unweighted}**, but "
            "reduction 'none' gives it 0 and the mean leaves it out."
        )
    loss = loss_text(float(results.per_sample[sample]))
    if scenario.weights is None:
        return f"Loss of {name}{targets}: −Σ y · log p = **{loss}**"
    return (
        f"Weighted loss of {name}{targets}: −Σ w · y · log p = **{loss}**; "
        f"unweighted, −Σ y · log p = {unweighted}."
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
    """What Y · (−log P)ᵀ shows, with its diagonal's sum and mean, as Markdown.

    The diagonal is each sample's −Σ y · log p: unweighted, and ignored samples included. When
    samples are ignored, the sum and mean of the kept ones follow.
    """
    diagonal = np.diagonal(results.matrix)
    n = scenario.num_samples
    kind = ["unweighted"] if scenario.weights is not None else []
    if scenario.label_smoothing:
        kind.append("against the smoothed targets")
    if results.ignored.any():
        kind.append("ignored samples included")
    text = (
        "Diagonal: each sample's −Σ y · log p in nats"
        + (f" ({', '.join(kind)})" if kind else "")
        + f" — sum **{fmt(float(diagonal.sum()))}**, mean over the {_samples(n)} "
        f"**{fmt(float(diagonal.mean()))}**."
    )
    if results.ignored.any():
        kept = diagonal[~results.ignored]
        if kept.size:
            text += (
                f" Over the {_samples(kept.size)} not ignored: sum **{fmt(float(kept.sum()))}**, "
                f"mean **{fmt(float(kept.mean()))}**."
            )
        else:
            text += " No sample is kept."
    text += (
        " Row i is sample i's target; column j scores it against sample j's prediction, so only "
        "the diagonal pairs a sample with its own prediction."
    )
    if scenario.weights is not None:
        text += " The loss above weighs each term by its class weight; this matrix does not."
    return text


def _samples(count: int) -> str:
    return f"{count} sample" + ("" if count == 1 else "s")


def terms_note(scenario: Scenario, results: Results) -> str:
    """What the terms of the reduction line are and what the mean divides by, as Markdown."""
    weighted = "weighted, −Σ w · y · log p" if scenario.weights is not None else "−Σ y · log p"
    text = f"In nats. Each term is one sample's loss as reduction 'none' returns it ({weighted})"
    if results.ignored.any():
        text += "; ignored samples are left out"
    if scenario.soft_targets is not None:
        text += ". With probability targets, the mean divides by N"
        if scenario.weights is not None:
            text += " whatever the weights: they multiply each class's term"
    elif scenario.weights is not None:
        text += (
            ". With class weights, the mean divides by Σ w[target] over the samples not ignored, "
            "not by N"
        )
    elif results.ignored.any():
        text += ". The mean divides by the number of samples not ignored, not by N"
    return text + "."


def nan_note(scenario: Scenario, results: Results) -> str | None:
    """Why the mean is NaN, when it is: every sample ignored leaves 0/0, as in PyTorch."""
    if not math.isnan(results.mean):
        return None
    return (
        "Every sample is ignored, so the mean divides 0 by 0: PyTorch returns nan for "
        f"reduction 'mean', {fmt(results.total)} for 'sum' and 0 for every sample with 'none'."
    )


def perplexity_metric(scenario: Scenario, results: Results, unit: str) -> tuple[str, str]:
    """The headline's perplexity: its value, and a help text with ln C, the loss of a uniform
    guess, as the reference."""
    c = scenario.num_classes
    uniform = (
        f"A uniform guess over {c} classes scores ln {c} = {_in_units(uniform_loss(c), unit)}."
    )
    if math.isnan(results.mean):
        return "NaN", f"No perplexity: the mean is NaN. {uniform}"
    words = perplexity_text(results.mean)
    value, _, meaning = words.partition(" (")
    return value, (
        f"Perplexity e^CE of the mean loss {_in_units(results.mean, unit)}: {meaning[:-1]} — "
        f"the effective number of classes. {uniform}"
    )


def _in_units(loss_nats: float, unit: str) -> str:
    """Nats, and the reader's unit beside them when it is another: "1.0986 nats = 1.5850 bits"."""
    nats = loss_text(loss_nats)
    return nats if unit == "nats" else f"{nats} = {loss_text(loss_nats, unit)}"


def likelihood_lines(scenario: Scenario, results: Results, unit: str) -> list[str]:
    """Mean CE as the negative log-likelihood of the batch, −(1/N) · log Π p_target, worked on
    the scenario's numbers (Markdown lines).

    log Π p is computed as Σ log p: the product itself underflows to 0 for a long or unsure
    batch. Ignored samples are left out of both, as the loss leaves them out.
    """
    formula = (
        "The probability the model gives the batch's targets is Π p_target, so the mean loss "
        "is −(1/N) · log Π p_target = −(1/N) · Σ log p_target: the negative log-likelihood."
    )
    if scenario.soft_targets is not None:
        return [
            formula,
            "With probability targets there is no single target class per sample: each sample's "
            "loss is −Σ y · log p, which this form does not cover.",
        ]
    kept = ~results.ignored
    rows = np.flatnonzero(kept)
    targets = np.asarray(scenario.targets)[rows]
    log_p = results.log_probabilities[rows, targets].astype(np.float64)
    n = int(kept.sum())
    if n == 0:
        return [
            formula,
            "No sample is kept: Π over nothing is 1, and −(1/0) · 0 is NaN, as the mean.",
        ]
    total = math.fsum(log_p)
    product = math.exp(total)
    shown = (
        f"{product:.4e}"
        if product > 0
        else "0 — it underflows: e to that power is below the smallest float64 (about 4.9e-324)"
    )
    nll = -total / n
    left_out = " not ignored" if results.ignored.any() else ""
    lines = [
        formula,
        f"Here, over the {_samples(n)}{left_out}: Σ log p_target = {fmt(total)} nats (a sum of "
        f"logs, which cannot underflow); Π p_target = {shown}; −(1/{n}) · ({fmt(total)}) = "
        f"**{_in_units(nll, unit)}**.",
    ]
    differences = []
    if scenario.weights is not None:
        differences.append("weighs each sample by its class weight")
    if scenario.label_smoothing:
        differences.append("scores smoothed targets")
    if differences:
        lines.append(f"The mean loss above differs: it {' and '.join(differences)}.")
    else:
        lines.append("That is the mean loss above.")
    return lines


def torch_line(scenario: Scenario, results: Results, check: TorchCheck) -> str:
    """What PyTorch returns for the scenario's reduction, beside what the page shows.

    For reduction "none" that is the vector of per-sample losses, compared with the loss column.
    """
    api = "`torch.nn.functional.cross_entropy`"
    if scenario.reduction == "none":
        vector = ", ".join(fmt(float(v)) for v in check.per_sample)
        zeros = " (0 for an ignored sample)" if results.ignored.any() else ""
        return f"{api} gives, with reduction 'none', the vector **[{vector}]** — " + (
            f"the same as the loss column{zeros}." if check.agrees else "**not** the loss column."
        )
    return f"{api} gives, with reduction '{scenario.reduction}', **{fmt(check.loss)}** — " + (
        "the same." if check.agrees else f"**not** the {fmt(results.loss)} shown above."
    )
