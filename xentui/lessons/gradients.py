"""What the gradient of cross-entropy pushes, and what one step along it does.

For one sample with logits z, p = softmax(z) and target distribution q (one-hot, smoothed or
soft), the loss ℓ = −Σ_c q_c log p_c has the gradient

    ∂ℓ/∂z_c = p_c − q_c

Every class the model over-predicts (p_c > q_c) has a positive gradient, so gradient descent
lowers its logit; the target class, under-predicted, gets a negative one and is raised. The
components sum to 0: a step moves probability between classes, never adds any.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import xentcore
from xentui.domain.results import loss_arguments
from xentui.domain.scenario import Scenario
from xentui.kit.cache import memoised
from xentui.kit.format import fmt, plotly_literal
from xentui.kit.plotly_spec import (
    MARGIN,
    TARGET_OUTLINE_MARKER,
    fast_figure,
    probability_pair_figure,
)
from xentui.lessons.logits_choice import LogitsChoice

__all__ = [
    "DOWN_COLOUR",
    "LEARNING_RATES",
    "UP_COLOUR",
    "GradientStep",
    "SampleGradient",
    "batch_gradient",
    "batch_gradient_frame",
    "chosen_gradient",
    "gradient_figure",
    "gradient_notes",
    "gradient_step",
    "sample_gradient",
    "step_figure",
]

LEARNING_RATES = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)


@dataclass(frozen=True, eq=False)
class SampleGradient:
    """One sample's logits, probabilities, target distribution, loss and ∂loss/∂logits."""

    logits: np.ndarray  # (C,) z, what enters softmax, in the scenario's precision
    target: np.ndarray  # (C,) q: the (smoothed) target distribution, float64
    probabilities: np.ndarray  # (C,) softmax(z)
    gradient: np.ndarray  # (C,) p − q, by xentcore's closed form
    autograd: np.ndarray  # (C,) the same by torch autograd
    loss: float

    @property
    def autograd_gap(self) -> float:
        """Largest difference between the closed form and autograd."""
        return float(np.max(np.abs(self.gradient.astype(np.float64) - self.autograd)))


def _target_argument(target: int | np.ndarray, num_classes: int, dtype: np.dtype) -> np.ndarray:
    if np.ndim(target) == 0:
        return np.asarray([int(target)], dtype=np.int64)
    return np.asarray(target, dtype=dtype).reshape(1, num_classes)


@memoised(maxsize=64)
def sample_gradient(
    logits: np.ndarray, target: int | np.ndarray, eps: float = 0.0, precision: str = "float32"
) -> SampleGradient:
    """The gradient of one sample's loss (a class index or a probability row as its target).

    Memoised on the numbers: a rerun of the page with the same sample does not call torch again.
    """
    z = np.asarray(logits).astype(precision)
    c = z.size
    t = _target_argument(target, c, z.dtype)
    args = {"input": z[None], "target": t, "label_smoothing": float(eps), "reduction": "sum"}
    # The distribution the loss scores against: one-hot (or the soft row), then smoothed.
    base = xentcore.one_hot(t, c)[0] if t.ndim == 1 else t[0]
    return SampleGradient(
        logits=z,
        target=(1.0 - eps) * base.astype(np.float64) + eps / c,
        probabilities=xentcore.softmax(z),
        gradient=xentcore.cross_entropy_grad(**args)[0],
        autograd=xentcore.torch_cross_entropy_grad(**args)[0].astype(np.float64),
        loss=float(xentcore.cross_entropy(**args)),
    )


def chosen_gradient(scenario: Scenario, choice: LogitsChoice) -> SampleGradient:
    """The gradient of the chosen row, as the Playground computes its loss.

    A sample of the scenario is divided by its temperature and scored against its own target (a
    probability row stays one); typed logits are scored against their class index. Both take the
    scenario's label smoothing and precision.
    """
    eps, precision = scenario.label_smoothing, scenario.precision
    if choice.row is None:
        return sample_gradient(choice.logits, choice.target, eps, precision)
    row = choice.row
    target = (
        np.asarray(scenario.soft_targets[row])
        if scenario.soft_targets is not None
        else int(scenario.targets[row])
    )
    return sample_gradient(loss_arguments(scenario)["input"][row], target, eps, precision)


def batch_gradient(scenario: Scenario) -> np.ndarray:
    """∂(mean loss)/∂logits for every sample of the scenario, (N, C), as the Playground reduces."""
    return xentcore.cross_entropy_grad(**loss_arguments(scenario), reduction="mean")


def gradient_notes(scenario: Scenario, choice: LogitsChoice) -> list[str]:
    """What of the Playground's options shapes (or is left out of) the chosen row's gradient."""
    of_scenario = choice.row is not None
    notes = []
    if of_scenario and scenario.temperature != 1.0:
        notes.append(f"z is the logits ÷ the Playground's temperature T = {scenario.temperature:g}")
    if scenario.label_smoothing:
        notes.append(
            f"the target is smoothed with the Playground's ε = {scenario.label_smoothing:g}"
        )
    if of_scenario and scenario.weights is not None:
        notes.append("class weights would multiply this gradient by w[target]; they are left out")
    if of_scenario and scenario.soft_targets is None and scenario.ignored[choice.row]:
        notes.append("this sample is ignored on the Playground, where its gradient is 0")
    return notes


@dataclass(frozen=True, eq=False)
class GradientStep:
    """z' = z − lr · ∂ℓ/∂z and what it does to p and to the loss."""

    learning_rate: float
    logits: np.ndarray
    probabilities: np.ndarray
    loss: float
    predicted_change: float  # −lr · ‖g‖², the first-order prediction of the change in loss


def gradient_step(sample: SampleGradient, learning_rate: float) -> GradientStep:
    """One step of plain gradient descent on the sample's logits."""
    g = sample.gradient.astype(np.float64)
    z = sample.logits.astype(np.float64) - learning_rate * g
    log_p = xentcore.log_softmax(z)
    return GradientStep(
        learning_rate=learning_rate,
        logits=z,
        probabilities=xentcore.softmax(z),
        loss=float(-(sample.target * log_p).sum()),
        predicted_change=float(-learning_rate * (g @ g)),
    )


# The direction a step moves a logit, in Okabe and Ito's colour-blind-safe vermillion and blue,
# both at least 3:1 against the light and the dark theme's background.
DOWN_COLOUR, UP_COLOUR = "#d55e00", "#0072b2"


def _direction(component: float) -> str:
    """▼ for a component that a descent step pushes down, ▲ for one it pushes up."""
    return "▼" if component > 0 else "▲" if component < 0 else ""


@memoised()
def gradient_figure(sample: SampleGradient, class_names: list[str]) -> go.Figure:
    """Per class: p and the target q side by side (left), and the gradient p − q (right)."""
    names = [plotly_literal(name) for name in class_names]
    grad = sample.gradient.astype(np.float64)
    traces = [
        {
            "type": "bar",
            "name": "p = softmax(z)",
            "x": names,
            "y": sample.probabilities.astype(np.float64).tolist(),
            "marker": {"color": "#3182bd"},
            "hovertemplate": "%{x}: p = %{y:.4f}<extra></extra>",
        },
        {
            "type": "bar",
            "name": "target q",
            "x": names,
            "y": sample.target.tolist(),
            "marker": TARGET_OUTLINE_MARKER,
            "hovertemplate": "%{x}: q = %{y:.4f}<extra></extra>",
        },
        {
            "type": "bar",
            "name": "∂ℓ/∂z = p − q",
            "x": names,
            "y": grad.tolist(),
            "text": [f"{_direction(v)} {fmt(float(v))}".lstrip() for v in grad],
            "textposition": "outside",
            # Descent moves against the gradient: a positive component pushes its logit down.
            # Colour is not the only cue (an arrow, and hatching on the bars pushed down).
            "marker": {
                "color": [DOWN_COLOUR if v > 0 else UP_COLOUR for v in grad],
                "pattern": {"shape": ["/" if v > 0 else "" for v in grad]},
            },
            "xaxis": "x2",
            "yaxis": "y2",
            "showlegend": False,
            "hovertemplate": "%{x}: ∂ℓ/∂z = %{y:.4f}<extra></extra>",
        },
    ]
    reach = max(1.0, float(np.abs(grad).max()) * 1.3)
    layout = {
        "barmode": "group",
        "xaxis": {"domain": [0.0, 0.46], "anchor": "y", "title": {"text": "class"}},
        "yaxis": {"range": [0, 1.05], "title": {"text": "probability"}, "anchor": "x"},
        "xaxis2": {"domain": [0.56, 1.0], "anchor": "y2", "title": {"text": "class"}},
        "yaxis2": {
            "anchor": "x2",
            "range": [-reach, reach],
            "zeroline": True,
            "title": {"text": "∂ℓ/∂z (▼ hatched: the logit goes down; ▲: up)"},
        },
        "legend": {"orientation": "h", "y": -0.2},
        "height": 380,
        "margin": MARGIN,
    }
    return fast_figure({"data": traces, "layout": layout})


@memoised()
def step_figure(sample: SampleGradient, step: GradientStep, class_names: list[str]) -> go.Figure:
    """The probabilities before and after one gradient step, class by class."""
    return probability_pair_figure(
        class_names,
        (f"before: loss {fmt(sample.loss)}", "before", sample.probabilities),
        (
            f"after one step (lr = {step.learning_rate:g}): loss {fmt(step.loss)}",
            "after",
            step.probabilities,
        ),
        sample.target,
    )


@memoised()
def batch_gradient_frame(
    probabilities: np.ndarray,
    targets: np.ndarray,
    gradient: np.ndarray,
    sample_names: list[str],
    class_names: list[str],
) -> pd.DataFrame:
    """Three rows per sample — p, the target q, the gradient of the batch's *mean* loss — and a
    column per class."""
    rows = []
    for i, name in enumerate(sample_names):
        for label, values in (("p", probabilities), ("target q", targets), ("∂ mean/∂z", gradient)):
            cells = np.asarray(values[i], dtype=np.float64)
            rows.append(
                {"sample": name, "row": label, **dict(zip(class_names, cells, strict=True))}
            )
    return pd.DataFrame(rows)
