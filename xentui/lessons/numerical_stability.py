"""The numerical-stability lab: softmax overflowing, clipping policies, softmax before the loss.

The three softmax forms below compute in the dtype they are given — float16 stays float16 — so
that the page shows what each precision really does. (xentcore.softmax, by contrast, computes
float16 in float32: it is the stable reference, not an exhibit.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import xentcore
from xentui.kit.cache import memoised
from xentui.kit.format import fmt

__all__ = [
    "CLIP_POLICIES",
    "DTYPES",
    "P_CHOICES",
    "SCALES",
    "SKLEARN_FLOAT64",
    "SOFTMAX_FORMS",
    "ClipPolicy",
    "clipping_figure",
    "clipping_frame",
    "exp_limit",
    "log_softmax_lse",
    "max_shift_softmax",
    "mistake_bounds",
    "mistake_figure",
    "mistake_losses",
    "naive_softmax",
    "overflow_frame",
    "p_value",
]

DTYPES = ("float16", "float32", "float64")
SCALES = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000)
# p of the true class, from 0.1 down to 0: 1e-45 is below float32's smallest subnormal (≈1.4e-45
# rounds to it), 1e-300 close to float64's smallest normal.
P_CHOICES = (
    *(f"1e-{k}" for k in (1, 2, 4, 7, 10, 12, 15, 20, 30, 45, 100, 300)),
    "0",
)
_CURVE_POINTS = 400


def naive_softmax(z: np.ndarray) -> np.ndarray:
    """exp(z) / Σ exp(z), as written on the blackboard: exp overflows to inf, inf / inf is NaN."""
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum()


def max_shift_softmax(z: np.ndarray) -> np.ndarray:
    """exp(z − max z) / Σ exp(z − max z): every exponent is ≤ 0, so nothing overflows."""
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(z - z.max())
        return e / e.sum()


def log_softmax_lse(z: np.ndarray) -> np.ndarray:
    """log p = z − max z − log Σ exp(z − max z): the loss reads −log p without ever taking log 0."""
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        shifted = z - z.max()
        return shifted - np.log(np.exp(shifted).sum())


SOFTMAX_FORMS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "naive: exp, then divide": naive_softmax,
    "max-subtraction": max_shift_softmax,
    "log-sum-exp (log-softmax)": log_softmax_lse,
}


def exp_limit(dtype: str) -> float:
    """The largest z whose exp(z) is finite in `dtype`: log of the largest number."""
    return float(np.log(np.finfo(dtype).max.astype(np.float64)))


def _cell(value: float) -> str:
    """`fmt`, except that an exact 0 (an underflow) reads as 0, not 0.0000."""
    return "0" if value == 0 else fmt(value)


@memoised(maxsize=32)
def _overflow_rows(logits: tuple[float, ...], target: int) -> tuple[tuple, ...]:
    rows = []
    for dtype in DTYPES:
        with np.errstate(over="ignore"):
            z = np.asarray(logits, dtype=np.float64).astype(dtype)  # float16 may hold only inf
        with np.errstate(over="ignore", invalid="ignore"):
            sums = {naive_softmax: np.exp(z).sum(), "shifted": np.exp(z - z.max()).sum()}
        for form, func in SOFTMAX_FORMS.items():
            out = func(z)
            denominator = float(sums.get(func, sums["shifted"]))
            if func is log_softmax_lse:
                probs = np.exp(out.astype(np.float64)).astype(dtype)
                loss = -float(out[target])
            else:
                probs = out
                with np.errstate(divide="ignore", invalid="ignore"):
                    loss = -float(np.log(out[target]))
            rows.append((dtype, form, denominator, tuple(float(p) for p in probs), loss))
    return tuple(rows)


def overflow_frame(logits: tuple[float, ...], target: int, classes: list[str]) -> pd.DataFrame:
    """One row per (dtype, softmax form): its denominator, each p, −log p[target], finite or not.

    The naive form's denominator is Σ exp(z), the others' Σ exp(z − max z). For log-sum-exp,
    p = exp(log p) is shown and the loss is read from log p directly.
    """
    records = []
    for dtype, form, denominator, probs, loss in _overflow_rows(logits, target):
        record = {"dtype": dtype, "softmax form": form, "Σ exp": _cell(denominator)}
        record.update({name: _cell(p) for name, p in zip(classes, probs, strict=True)})
        record["loss −log p[target]"] = _cell(loss)
        record["finite?"] = "✓" if math.isfinite(loss) else "✗"
        records.append(record)
    return pd.DataFrame(records)


# ---------------------------------------------------------------------------- clipping policies


@dataclass(frozen=True)
class ClipPolicy:
    name: str
    rule: str
    loss: Callable[[float], float]  # the loss it reports for probability p of the true class


def _log_or_inf(x: float) -> float:
    return -math.log(x) if x > 0 else math.inf


def _dtype_clip_loss(dtype: str) -> Callable[[float], float]:
    """scikit-learn's log_loss: clip to [eps, 1 − eps] with eps of the input's own dtype."""
    eps = np.finfo(dtype).eps

    def loss(p: float) -> float:
        return float(-np.log(np.clip(np.asarray(p, dtype=dtype), eps, 1 - eps)))

    return loss


CLIP_POLICIES = (
    ClipPolicy("no clipping", "−log p", lambda p: _log_or_inf(p)),
    ClipPolicy(
        "walkthrough (seed)", "clamp p to [1e-20, 1 − 1e-20]", lambda p: _log_or_inf(max(p, 1e-20))
    ),
    ClipPolicy(
        "MachineLearningMastery (seed)",
        "add 1e-15: −log(p + 1e-15)",
        lambda p: -math.log(p + 1e-15),
    ),
    ClipPolicy(
        "StackOverflow answer (seed)",
        "clip p to [1e-12, 1 − 1e-12]",
        lambda p: -math.log(min(max(p, 1e-12), 1 - 1e-12)),
    ),
    ClipPolicy(
        "scikit-learn log_loss, float32",
        "float32 input: clip p to [ε, 1 − ε], ε = float32 eps = 1.1921e-07",
        _dtype_clip_loss("float32"),
    ),
    ClipPolicy(
        "PyTorch binary_cross_entropy",
        "log p clamped at −100",
        lambda p: float(xentcore.binary_cross_entropy(np.asarray([p]), np.asarray([1.0]))),
    ),
)


# scikit-learn's eps follows the input's dtype: the table's row is float32 input, this is float64
# input (Python lists, NumPy's default), eps 2.2204e-16.
SKLEARN_FLOAT64 = ClipPolicy(
    "scikit-learn log_loss, float64",
    "float64 input: clip p to [ε, 1 − ε], ε = float64 eps = 2.2204e-16",
    _dtype_clip_loss("float64"),
)


def p_value(choice: str) -> float:
    """'1e-7' → 1e-07, '0' → 0.0."""
    return float(choice)


@memoised(maxsize=32)  # the page shows it as is; callers must not modify it
def clipping_frame(p: float) -> pd.DataFrame:
    """Each policy's rule, the loss it reports at p, and its ceiling (the loss at p = 0)."""
    return pd.DataFrame(
        {
            "policy": [c.name for c in CLIP_POLICIES],
            "rule": [c.rule for c in CLIP_POLICIES],
            "loss at this p": [_cell(c.loss(p)) for c in CLIP_POLICIES],
            "ceiling (p = 0)": [_cell(c.loss(0.0)) for c in CLIP_POLICIES],
        }
    )


@memoised(maxsize=1)
def _clipping_curves() -> tuple[np.ndarray, tuple[list[float], ...]]:
    grid = np.geomspace(1e-50, 1.0, _CURVE_POINTS)
    return grid, tuple([c.loss(float(p)) for p in grid] for c in CLIP_POLICIES)


@memoised(maxsize=32)
def clipping_figure(mark: float) -> go.Figure:
    """Loss against p (log axis, 1e-50 … 1) for every policy, with a line at the chosen p."""
    grid, curves = _clipping_curves()
    fig = go.Figure(
        [
            go.Scatter(
                x=grid,
                y=losses,
                name=c.name,
                mode="lines",
                hovertemplate=f"{c.name}<br>p = %{{x:.1e}}<br>loss %{{y:.4f}}<extra></extra>",
            )
            for c, losses in zip(CLIP_POLICIES, curves, strict=True)
        ]
    )
    if mark > 0:
        fig.add_vline(x=mark, line={"color": "#888", "dash": "dot"})
    fig.update_layout(
        xaxis={"title": "p of the true class (log scale)", "type": "log", "exponentformat": "e"},
        yaxis={"title": "reported loss (nats)", "range": [0, 120]},
        legend={"orientation": "h", "y": -0.25},
        height=420,
        margin={"l": 10, "r": 10, "t": 20, "b": 10},
    )
    return fig


# ----------------------------------------------------------------------- softmax before the loss


def mistake_bounds(num_classes: int) -> tuple[float, float]:
    """(floor, ceiling) of cross_entropy(softmax(z), t): its inputs lie in [0, 1].

    At best the target's 'logit' is 1 and the others 0: −log(e / (e + C − 1)) = log(1 + (C−1)/e).
    At worst the target's is 0 and one other is 1: log(e + C − 1).
    """
    return math.log1p((num_classes - 1) / math.e), math.log(math.e + num_classes - 1)


def mistake_losses(logits: np.ndarray, target: int) -> tuple[float, float]:
    """(right, mistaken): cross_entropy(z, t) and cross_entropy(softmax(z), t), in float64."""
    z = np.asarray(logits, dtype=np.float64)[None, :]
    t = np.asarray([target])
    right = float(xentcore.cross_entropy(z, t))
    mistaken = float(xentcore.cross_entropy(xentcore.softmax(z), t))
    return right, mistaken


@memoised(maxsize=32)
def mistake_figure(logits: tuple[float, ...], target: int, mark: float) -> go.Figure:
    """Both losses as the logits are scaled from 0.01 to 10⁴, with the mistaken loss's bounds."""
    scales = np.geomspace(1e-2, 1e4, 121)
    z = np.outer(scales, np.asarray(logits, dtype=np.float64))
    t = np.full(len(scales), target)
    right = xentcore.cross_entropy(z, t, reduction="none")
    mistaken = xentcore.cross_entropy(xentcore.softmax(z), t, reduction="none")
    floor, ceiling = mistake_bounds(len(logits))
    fig = go.Figure(
        [
            go.Scatter(x=scales, y=right, name="cross_entropy(z)", line={"color": "#2ca02c"}),
            go.Scatter(
                x=scales,
                y=mistaken,
                name="cross_entropy(softmax(z))",
                line={"color": "#d62728", "dash": "dash"},
            ),
        ]
    )
    for level, label in ((floor, "floor"), (ceiling, "ceiling")):
        # a trace, not add_hline: hline annotations land at the wrong height on a log axis
        fig.add_trace(
            go.Scatter(
                x=scales[[0, -1]],
                y=[level, level],
                mode="lines",
                name=f"{label} of the mistake: {level:.4f}",
                line={"color": "#d62728", "width": 1, "dash": "dot"},
            )
        )
    fig.add_vline(x=mark, line={"color": "#888", "dash": "dot"})
    fig.update_layout(
        xaxis={"title": "scale s (logits × s, log axis)", "type": "log"},
        yaxis={"title": "loss (nats, log axis)", "type": "log"},
        legend={"orientation": "h", "y": 1.12},
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return fig
