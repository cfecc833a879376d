"""Binary cross-entropy for the Learn page: the seed's eleven predictions, eps, logits, pos_weight.

The seed scores two-class predictions [p₀, p₁] against a one-hot target with eps added inside the
log: −(y₀ · log(p₀ + eps) + y₁ · log(p₁ + eps)). A class whose target is 0 adds nothing (its
term is switched off, so 0 · log 0 counts as 0). PyTorch's binary_cross_entropy clamps each log at
−100 instead; binary_cross_entropy_with_logits never forms the probability at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import xentcore
from xentui.domain.typed_numbers import parse_number_rows
from xentui.kit.cache import memoised
from xentui.kit.format import fmt
from xentui.kit.latex import tex_indicator, tex_number
from xentui.kit.problems import Problem

__all__ = [
    "EPS_CHOICES",
    "SEED_EPS",
    "SEED_EXAMPLES",
    "WORKED_EXAMPLE_CLIP",
    "SeedExample",
    "WorkedExample",
    "eleven_point_figure",
    "eleven_point_frame",
    "eleven_predictions",
    "eps_frame",
    "logits_and_probabilities",
    "logits_vs_probabilities_figure",
    "pos_weight_frame",
    "seed_binary_loss",
    "seed_examples_frame",
    "seed_loss_latex",
    "typed_example",
    "worked_example",
]

SEED_EPS = 1e-15  # the seed's MachineLearningMastery example adds this inside the log
EPS_CHOICES = ("1e-15", "1e-12", "1e-7", "0")
# The seed's StackOverflow answer clips predictions to [1e-12, 1 − 1e-12] before the log.
WORKED_EXAMPLE_CLIP = 1e-12


@dataclass(frozen=True)
class SeedExample:
    """A worked example of the seed: its inputs as typed on the page, and the answer it prints."""

    name: str
    targets: str
    predictions: str
    answer: str  # as the seed prints it
    reading: str  # "binary" (every entry a yes/no) or "categorical" (every row a distribution)


SEED_EXAMPLES = (
    SeedExample(
        "Target [0, 1], prediction [0.01, 0.99]", "0, 1", "0.01, 0.99", "0.01005034", "binary"
    ),
    SeedExample(
        "Reference answer of the StackOverflow docstring",
        "0, 0, 0, 1; 0, 0, 0, 1",
        "0.25, 0.25, 0.25, 0.25; 0.01, 0.01, 0.01, 0.96",
        "0.71355817782",
        "categorical",
    ),
)
MAX_EXAMPLE_ROWS = MAX_EXAMPLE_ENTRIES = 16
# The inputs of the worked example's two text boxes, as their Problems name them.
EXAMPLE_TARGETS, EXAMPLE_PREDICTIONS = "targets", "predictions"
LOGIT_RANGE = (-60.0, 60.0)  # the curve's x range: past ±37 even float64 rounds σ(x) to 0 or 1


def eleven_predictions() -> np.ndarray:
    """The seed's predictions [0.0, 1.0], [0.1, 0.9], …, [1.0, 0.0] as an (11, 2) array."""
    p1 = np.round(np.linspace(1.0, 0.0, 11), 1)
    return np.column_stack([np.round(1.0 - p1, 1), p1])


def seed_binary_loss(target: tuple[float, float], prediction: np.ndarray, eps: float) -> float:
    """−Σ_k y_k · log(p_k + eps) over the two classes; a class with y_k = 0 adds nothing."""
    total = 0.0
    for y, p in zip(target, prediction, strict=True):
        if y != 0:
            inside = float(p) + eps
            total -= y * (math.log(inside) if inside > 0 else -math.inf)
    return total


@memoised(maxsize=32)  # the page shows it as is; callers must not modify it
def eleven_point_frame(target: tuple[float, float], eps: float) -> pd.DataFrame:
    """The eleven predictions with the loss of each against `target`."""
    preds = eleven_predictions()
    return pd.DataFrame(
        {
            "prediction [p₀, p₁]": [f"[{a:.1f}, {b:.1f}]" for a, b in preds],
            "p₁": preds[:, 1],
            "loss (nats)": [seed_binary_loss(target, row, eps) for row in preds],
        }
    )


def seed_loss_latex(target: tuple[float, float], prediction: np.ndarray, eps: float) -> str:
    """The seed's formula with the numbers of one prediction."""
    eps_tex = tex_number(eps, 0) if eps else "0"
    parts = [
        rf"{tex_indicator(y)} \cdot \log({p:.1f} + {eps_tex})"
        for y, p in zip(target, prediction, strict=True)
    ]
    value = seed_binary_loss(target, prediction, eps)
    return rf"-\left({' + '.join(parts)}\right) = {tex_number(value)}"


@memoised(maxsize=16)
def eleven_point_figure(target: tuple[float, float], eps: float, highlight: int) -> go.Figure:
    """Loss against p₁ of the eleven predictions, one highlighted; ∞ is marked, not drawn."""
    frame = eleven_point_frame(target, eps)
    finite = np.isfinite(frame["loss (nats)"].to_numpy())
    shown = frame[finite]
    line = go.Scatter(
        x=shown["p₁"],
        y=shown["loss (nats)"],
        mode="lines+markers",
        customdata=shown["prediction [p₀, p₁]"],
        hovertemplate="prediction %{customdata}<br>loss %{y:.4f}<extra></extra>",
        line={"color": "#1f77b4"},
        name="loss",
    )
    traces = [line]
    if finite[highlight]:
        traces.append(
            go.Scatter(
                x=[frame["p₁"][highlight]],
                y=[frame["loss (nats)"][highlight]],
                mode="markers",
                marker={"size": 16, "color": "#d62728"},
                hoverinfo="skip",
                name="chosen",
            )
        )
    fig = go.Figure(traces)
    for x in frame["p₁"][~finite]:
        fig.add_annotation(x=x, y=0, yref="paper", text="∞ (log 0)", showarrow=False, yshift=12)
    fig.update_layout(
        xaxis={"title": "p₁, the predicted probability of class 1", "range": [-0.03, 1.03]},
        yaxis={"title": "cross-entropy (nats)"},
        showlegend=False,
        height=340,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
    )
    return fig


@memoised(maxsize=32)  # the page shows it as is; callers must not modify it
def eps_frame(eps: float) -> pd.DataFrame:
    """The loss of a target-1 prediction at p = 1, 0.5 and 0 under each way of avoiding log 0.

    Cells are text (4 decimals, scientific below 1e-3) because the columns mix −1e-15 and 100.
    """
    rows = []
    for p in (1.0, 0.5, 0.0):
        with np.errstate(divide="ignore"):
            plain = -float(np.log(p))
        clipped = min(max(p, eps), 1 - eps)
        losses = {
            "−log p": plain,
            "−log(p + eps), the seed": -math.log(p + eps) if p + eps > 0 else math.inf,
            "−log clip(p, eps, 1 − eps)": -math.log(clipped) if clipped > 0 else math.inf,
            "PyTorch BCE: log ≥ −100": float(xentcore.binary_cross_entropy([p], [1.0])),
        }
        row = {"p of the true class": f"{p:g}"}
        row.update({name: fmt(value + 0.0) for name, value in losses.items()})  # + 0.0: no −0
        rows.append(row)
    return pd.DataFrame(rows)


def logits_and_probabilities(x: float, y: float, dtype: str) -> tuple[float, float, float]:
    """(σ(x), BCE from that probability, BCE from the logit) in `dtype`."""
    logit = np.asarray([x], dtype=dtype)
    target = np.asarray([y], dtype=dtype)
    prob = _sigmoid(logit)
    from_probability = float(xentcore.binary_cross_entropy(prob, target))
    from_logit = float(xentcore.binary_cross_entropy_with_logits(logit, target))
    return float(prob[0]), from_probability, from_logit


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) in x's dtype, as a network's last layer would hand it over (exp never overflows)."""
    with np.errstate(over="ignore"):
        return (1 / (1 + np.exp(-x))).astype(x.dtype)


@memoised(maxsize=16)
def logits_vs_probabilities_figure(y: float, dtype: str, mark: float) -> go.Figure:
    """BCE against the logit x: through σ(x) and PyTorch's clamp, and straight from the logit."""
    x = np.linspace(*LOGIT_RANGE, 241).astype(dtype)  # 0.5 apart: the kinks stay sharp
    target = np.full_like(x, y)
    through_probability = xentcore.binary_cross_entropy(_sigmoid(x), target, reduction="none")
    from_logit = xentcore.binary_cross_entropy_with_logits(x, target, reduction="none")
    fig = go.Figure(
        [
            go.Scatter(
                x=x,
                y=from_logit,
                name="with logits (stable)",
                line={"color": "#2ca02c", "width": 4},
            ),
            go.Scatter(
                x=x,
                y=through_probability,
                name=f"σ(x) in {dtype}, then BCE",
                line={"color": "#d62728", "dash": "dash"},
            ),
        ]
    )
    fig.add_vline(x=mark, line={"color": "#888", "dash": "dot"})
    fig.update_layout(
        xaxis={"title": "logit x"},
        yaxis={"title": f"loss for target y = {y:g} (nats)"},
        legend={"orientation": "h", "y": 1.12},
        height=340,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        hovermode="x unified",
    )
    return fig


@memoised(maxsize=32)  # the page shows it as is; callers must not modify it
def pos_weight_frame(x: float, pos_weight: float) -> pd.DataFrame:
    """BCE with logits of logit x for target 1 and target 0, with pos_weight 1 and `pos_weight`."""
    rows = []
    for y in (1.0, 0.0):
        plain = float(xentcore.binary_cross_entropy_with_logits([x], [y]))
        weighted = float(
            xentcore.binary_cross_entropy_with_logits([x], [y], pos_weight=[pos_weight])
        )
        rows.append(
            {
                "target y": int(y),
                "loss, pos_weight = 1": plain,
                f"loss, pos_weight = {pos_weight:g}": weighted,
                "ratio": weighted / plain if plain else float("nan"),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class WorkedExample:
    categorical: float  # −(1/R) Σ_rows Σ_k y log clip(p): each row one distribution
    binary: float  # mean over every entry of −[y log clip(p) + (1 − y) log(1 − clip(p))]
    categorical_latex: str
    binary_latex: str


def _minus_y_log_p(y: float, p: float) -> str:
    weight = "" if y == 1 else tex_indicator(y) + r" \cdot "
    return rf"-{weight}\log {tex_number(p)}"


def worked_example(targets: np.ndarray, predictions: np.ndarray) -> WorkedExample:
    """Both readings of the seed's StackOverflow example, with its clip to [1e-12, 1 − 1e-12]."""
    p = np.clip(predictions, WORKED_EXAMPLE_CLIP, 1 - WORKED_EXAMPLE_CLIP)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_row = -np.where(targets != 0, targets * np.log(p), 0.0).sum(axis=1)
        entries = -(targets * np.log(p) + (1 - targets) * np.log1p(-p))
    rows = [
        " ".join(_minus_y_log_p(y, q) for y, q in zip(t_row, p_row, strict=True) if y != 0) or "0"
        for t_row, p_row in zip(targets, predictions, strict=True)
    ]
    rows_tex = rows if len(rows) <= 4 else [*rows[:2], r"\cdots", rows[-1]]
    categorical = float(per_row.mean())
    entry_texts = [tex_number(v, 8) for v in entries.ravel()[:6]]
    if entries.size > 6:
        entry_texts.append(r"\cdots")
    binary = float(entries.mean())
    return WorkedExample(
        categorical=categorical,
        binary=binary,
        categorical_latex=(
            rf"\frac{{1}}{{{len(rows)}}}\Big[{' + '.join(f'({r})' for r in rows_tex)}\Big]"
            rf" = {tex_number(categorical, 11)}"
        ),
        binary_latex=(
            rf"\frac{{1}}{{{entries.size}}}\Big[{' + '.join(entry_texts)}\Big]"
            rf" = {tex_number(binary, 8)}"
        ),
    )


@dataclass(frozen=True)
class TypedExample:
    """The worked example of two text boxes, or None with the Problems (beside either box)."""

    result: WorkedExample | None
    problems: tuple[Problem, ...] = ()
    rows_sum_to_one: bool = True


def typed_example(targets_text: object, predictions_text: object) -> TypedExample:
    """Read the targets and predictions boxes (numbers in [0, 1], same shape) and score them.

    >>> round(typed_example("0, 1", "0.01, 0.99").result.binary, 8)
    0.01005034
    >>> str(typed_example("0, 1", "0.5, 0.5, 0").problems[0])
    'Expected 1 × 2 predictions, one per target entry; got 1 × 3.'
    """
    limits = {"max_rows": MAX_EXAMPLE_ROWS, "max_entries": MAX_EXAMPLE_ENTRIES, "low": 0, "high": 1}
    t = parse_number_rows(targets_text, what="targets", box=EXAMPLE_TARGETS, **limits)
    p = parse_number_rows(predictions_text, what="probabilities", box=EXAMPLE_PREDICTIONS, **limits)
    problems = tuple(x.problem for x in (t, p) if x.problem is not None)
    if problems:
        return TypedExample(None, problems)
    if t.values.shape != p.values.shape:
        (tr, tc), (pr, pc) = t.values.shape, p.values.shape
        found, expected = f"{pr} × {pc}", f"{tr} × {tc} predictions, one per target entry"
        return TypedExample(None, (Problem(EXAMPLE_PREDICTIONS, None, None, found, expected),))
    sums_ok = bool(np.allclose(p.values.sum(axis=1), 1.0))
    return TypedExample(worked_example(t.values, p.values), (), sums_ok)


def _rows(text: str) -> np.ndarray:
    return np.asarray(
        [[float(v) for v in row.split(",")] for row in text.split(";")], dtype=np.float64
    )


@memoised(maxsize=1)  # constant: the page shows it as is
def seed_examples_frame() -> pd.DataFrame:
    """The seed's two worked examples: the answer it prints beside the answer computed now."""
    rows = []
    for example in SEED_EXAMPLES:
        result = worked_example(_rows(example.targets), _rows(example.predictions))
        value = result.binary if example.reading == "binary" else result.categorical
        decimals = len(example.answer.split(".")[1])
        rows.append(
            {
                "example": example.name,
                "reading": example.reading,
                "the seed prints": example.answer,
                "computed now": f"{value:.{decimals}f}",
                "agree (np.isclose)": "✓" if np.isclose(value, float(example.answer)) else "✗",
            }
        )
    return pd.DataFrame(rows)
