"""Temperature: dividing the logits by T before softmax, and what it does to p, the loss, H(p).

    p_T = softmax(z / T)

T < 1 sharpens the distribution towards the argmax (T → 0: one-hot on the largest logit); T > 1
flattens it (T → ∞: uniform, 1/C each). The entropy H(p_T) rises with T towards log C; as T → 0
it falls to 0 when one logit is the largest, to log k when k logits tie for it. The loss
−Σ q log p_T falls or rises with T depending on whether the argmax is the target: sharpening a
right answer lowers its loss, sharpening a wrong one sends it towards infinity. The gradient with
respect to the raw logits z picks up a factor 1/T: ∂ℓ/∂z = (p_T − q) / T — which does not make
every step larger as T falls: for a sample whose target holds the unique largest logit, p_T − q
vanishes faster than 1/T grows, and the gradient goes to 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

import xentcore
from xentui.domain.limits import TEMPERATURE_RANGE
from xentui.kit.cache import memoised
from xentui.kit.format import fmt
from xentui.kit.plotly_spec import MARGIN, fast_figure, probability_pair_figure

__all__ = [
    "TEMPERATURES",
    "TemperatureView",
    "at_temperature",
    "probabilities_figure",
    "sweep_figure",
    "temperature_sweep",
]

# The choices of the page's control: the Playground's range, denser around T = 1.
TEMPERATURES = (0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0)
TEMPERATURE_TICKS = (0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20)
_SWEEP = np.geomspace(*TEMPERATURE_RANGE, 161)
_SWEEP.flags.writeable = False  # handed out with every sweep


@dataclass(frozen=True, eq=False)
class TemperatureView:
    """One sample seen at temperature T (all float64)."""

    temperature: float
    probabilities: np.ndarray  # softmax(z / T)
    loss: float  # −Σ q log p_T
    entropy: float  # H(p_T)
    gradient: np.ndarray  # ∂ℓ/∂z with respect to the raw logits: (p_T − q) / T


def at_temperature(logits: np.ndarray, target: np.ndarray, temperature: float) -> TemperatureView:
    """The sample's probabilities, loss, entropy and raw-logit gradient at temperature T."""
    z = np.asarray(logits, dtype=np.float64) / float(temperature)
    q = np.asarray(target, dtype=np.float64)
    p = xentcore.softmax(z)
    log_p = xentcore.log_softmax(z)
    with np.errstate(invalid="ignore"):
        loss = float(-np.where(q > 0, q * log_p, 0.0).sum())
    return TemperatureView(
        temperature=float(temperature),
        probabilities=p,
        loss=loss,
        entropy=float(xentcore.entropy(p)) + 0.0,  # + 0.0: no "−0.0000" for a one-hot p
        gradient=(p - q) / float(temperature),
    )


@memoised()
def temperature_sweep(logits: np.ndarray, target: np.ndarray) -> dict[str, np.ndarray]:
    """Loss and entropy over T from 0.05 to 20 (log-spaced), for the curve."""
    z = np.asarray(logits, dtype=np.float64)[None, :] / _SWEEP[:, None]
    q = np.asarray(target, dtype=np.float64)[None, :]
    log_p = xentcore.log_softmax(z, axis=1)
    loss = -np.where(q > 0, q * log_p, 0.0).sum(axis=1)
    entropy = xentcore.entropy(np.exp(log_p), axis=1) + 0.0
    for array in (loss, entropy):
        array.flags.writeable = False  # shared between reruns
    return {"temperature": _SWEEP, "loss": loss, "entropy": entropy}


@memoised()
def sweep_figure(
    sweep: dict[str, np.ndarray], view: TemperatureView, num_classes: int
) -> go.Figure:
    """Loss and entropy against T (log axis), log C as the ceiling of H, the chosen T marked."""
    t = sweep["temperature"].tolist()
    ceiling = float(np.log(num_classes))
    # Tall enough for log C and twice the chosen T's loss; the loss of a cold wrong answer runs
    # off the top (it grows like 1/T), which is the point, not something to squeeze in.
    shown_loss = view.loss if np.isfinite(view.loss) else 25.0
    top = max(ceiling * 1.6, min(2.0 * shown_loss, 25.0), 1.0)
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "loss −Σ q log p_T",
            "x": t,
            "y": [float(v) if np.isfinite(v) else None for v in sweep["loss"]],
            "line": {"color": "#de2d26", "width": 3},
            "hovertemplate": "T = %{x:.3g}<br>loss = %{y:.4f}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "entropy H(p_T)",
            "x": t,
            "y": sweep["entropy"].tolist(),
            "line": {"color": "#3182bd", "width": 3},
            "hovertemplate": "T = %{x:.3g}<br>H = %{y:.4f}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"log C = {fmt(ceiling)} (uniform)",
            "x": [t[0], t[-1]],
            "y": [ceiling, ceiling],
            "line": {"color": "#999", "dash": "dot"},
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": f"T = {view.temperature:g}",
            "x": [view.temperature, view.temperature],
            "y": [view.loss if np.isfinite(view.loss) else None, view.entropy],
            "marker": {"size": 12, "color": ["#de2d26", "#3182bd"], "line": {"width": 2}},
            "hovertemplate": "T = %{x:.3g}: %{y:.4f}<extra></extra>",
        },
    ]
    layout = {
        "xaxis": {
            "type": "log",
            "title": {"text": "temperature T (log scale)"},
            "tickvals": list(TEMPERATURE_TICKS),
            "ticktext": [f"{v:g}" for v in TEMPERATURE_TICKS],
            "range": [np.log10(TEMPERATURE_RANGE[0]) - 0.1, np.log10(TEMPERATURE_RANGE[1]) + 0.1],
        },
        "yaxis": {"range": [0, top], "title": {"text": "nats"}},
        "legend": {"orientation": "h", "y": -0.25},
        "height": 360,
        "margin": MARGIN,
    }
    return fast_figure({"data": traces, "layout": layout})


@memoised()
def probabilities_figure(
    class_names: list[str], at_one: TemperatureView, view: TemperatureView, target: np.ndarray
) -> go.Figure:
    """softmax(z) and softmax(z / T) side by side, the target marked."""
    return probability_pair_figure(
        class_names,
        ("T = 1: plain softmax", "T = 1", at_one.probabilities),
        (f"T = {view.temperature:g}", f"T = {view.temperature:g}", view.probabilities),
        target,
    )
