"""Soft targets and label smoothing: cross-entropy as entropy plus KL, and where its minimum sits.

For a target distribution p and a prediction q over C classes (natural logarithm, nats):

    CE(p, q) = −Σ_c p_c log q_c = H(p) + KL(p ‖ q),   H(p) = −Σ_c p_c log p_c

H(p) depends on the target alone, so it is the floor no prediction can go below; KL is what the
model can still remove, and it is 0 only at q = p. A one-hot target has H = 0: then CE is all KL.

Label smoothing replaces a one-hot target y with q' = (1 − ε) y + ε / C. Its floor is H(q') > 0,
reached at p(target) = 1 − ε + ε / C — the minimum moves away from p = 1, and the logits that
reach it are finite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

import xentcore
from xentui.domain.limits import MAX_CLASSES, PROBABILITY_SUM_TOLERANCE
from xentui.domain.typed_numbers import parse_number_rows
from xentui.kit.cache import memoised
from xentui.kit.format import fmt, plotly_literal
from xentui.kit.plotly_spec import MARGIN, TARGET_OUTLINE_MARKER, fast_figure
from xentui.kit.problems import Problem

__all__ = [
    "MAX_PREDICTIONS",
    "PREDICTIONS_BOX",
    "TARGET_BOX",
    "Decomposition",
    "Distributions",
    "SmoothingMinimum",
    "class_names",
    "decompose",
    "decomposition_figure",
    "parse_distributions",
    "playground_texts",
    "probability_rows",
    "smoothed_target",
    "smoothing_curve",
    "smoothing_figure",
    "smoothing_minimum",
    "typed_decomposition",
]

MAX_PREDICTIONS = 6
# The two text boxes of the section, as their Problems name them.
TARGET_BOX, PREDICTIONS_BOX = "target p", "predictions q"


@dataclass(frozen=True)
class Distributions:
    """Rows of probabilities typed by the user, or the Problem with them."""

    rows: np.ndarray | None  # (R, C) float64
    problem: Problem | None = None


def probability_rows(
    text: object, box: str, max_rows: int, max_entries: int = MAX_CLASSES
) -> tuple[np.ndarray | None, Problem | None]:
    """Rows of at least 2 numbers in [0, 1] (they need not sum to 1), or (None, the Problem)."""
    parsed = parse_number_rows(
        text,
        what="probabilities",
        max_rows=max_rows,
        max_entries=max_entries,
        low=0.0,
        high=1.0,
        box=box,
    )
    if parsed.problem is not None:
        return None, parsed.problem
    if parsed.values.shape[1] < 2:
        found = "1 probability per row"
        return None, Problem(box, None, None, found, "at least 2, one per class")
    return parsed.values, None


def parse_distributions(text: object, box: str, max_rows: int) -> Distributions:
    """Rows of probabilities, each in [0, 1] and summing to 1 (± PROBABILITY_SUM_TOLERANCE).

    >>> parse_distributions("0.7, 0.2, 0.1", "predictions q", 6).rows.tolist()
    [[0.7, 0.2, 0.1]]
    >>> str(parse_distributions("0.7, 0.2", "predictions q", 6).problem)
    'Row 1: expected a row summing to 1 (within 0.001); got a row summing to 0.9.'
    """
    rows, problem = probability_rows(text, box, max_rows)
    if problem is not None:
        return Distributions(None, problem)
    for r, total in enumerate(rows.sum(axis=1), start=1):
        if abs(total - 1.0) > PROBABILITY_SUM_TOLERANCE:
            expected = f"a row summing to 1 (within {PROBABILITY_SUM_TOLERANCE:g})"
            problem = Problem(box, r, None, f"a row summing to {total:.6g}", expected, f"Row {r}")
            return Distributions(None, problem)
    return Distributions(rows)


def typed_decomposition(
    target_text: object, predictions_text: object
) -> tuple[Decomposition | None, tuple[Problem, ...]]:
    """Read the target and predictions boxes and decompose; or None with the Problems.

    >>> parts, _ = typed_decomposition("1, 0, 0", "0.7, 0.2, 0.1")
    >>> round(float(parts.cross_entropy[0]), 4)
    0.3567
    >>> str(typed_decomposition("1, 0", "0.7, 0.2, 0.1")[1][0])
    'Expected 3 classes, as many as the predictions; got 2 classes.'
    """
    target = parse_distributions(target_text, TARGET_BOX, MAX_PREDICTIONS)
    predictions = parse_distributions(predictions_text, PREDICTIONS_BOX, MAX_PREDICTIONS)
    problems = tuple(d.problem for d in (target, predictions) if d.problem is not None)
    if problems:
        return None, problems
    (pr, pc), (qr, qc) = target.rows.shape, predictions.rows.shape
    if pc != qc:
        expected = f"{qc} classes, as many as the predictions"
        return None, (Problem(TARGET_BOX, None, None, f"{pc} classes", expected),)
    if pr not in (1, qr):
        expected = f"1 row for all predictions, or {qr}, one per prediction"
        return None, (Problem(TARGET_BOX, None, None, f"{pr} rows", expected),)
    return decompose(target.rows, predictions.rows), ()


def class_names(classes: list[str], num_classes: int) -> list[str]:
    """The scenario's class names when the typed rows have as many classes, else "class k"."""
    return (
        list(classes) if len(classes) == num_classes else [f"class {c}" for c in range(num_classes)]
    )


def playground_texts(target_distribution: np.ndarray, probabilities: np.ndarray) -> tuple[str, str]:
    """The Playground's first samples as the boxes' text: targets (as smoothed), softmax rows."""
    rows = slice(0, MAX_PREDICTIONS)
    target = "; ".join(", ".join(f"{v:.6g}" for v in row) for row in target_distribution[rows])
    predictions = "; ".join(
        ", ".join(f"{v:.6f}" for v in row) for row in np.asarray(probabilities[rows], np.float64)
    )
    return target, predictions


@dataclass(frozen=True)
class Decomposition:
    """CE(p, q_r) = H(p_r) + KL(p_r ‖ q_r) for each prediction row r (all in nats)."""

    target: np.ndarray  # (R, C): p, one row per prediction (a shared row is repeated)
    predictions: np.ndarray  # (R, C): q
    entropy: np.ndarray  # (R,) H(p)
    kl: np.ndarray  # (R,) KL(p ‖ q); +inf where q = 0 < p
    cross_entropy: np.ndarray  # (R,) −Σ p log q, computed directly (not as the sum)


def decompose(target: np.ndarray, predictions: np.ndarray) -> Decomposition:
    """Split −Σ p log q into H(p) + KL(p ‖ q) for each row of `predictions`.

    `target` is one row shared by every prediction, or one row per prediction.
    """
    q = np.atleast_2d(np.asarray(predictions, dtype=np.float64))
    p = np.atleast_2d(np.asarray(target, dtype=np.float64))
    if p.shape[0] == 1:
        p = np.repeat(p, q.shape[0], axis=0)
    if p.shape != q.shape:
        raise ValueError(
            f"target must have one row, or one row per prediction, of {q.shape[1]} classes; "
            f"got shape {p.shape} for predictions of shape {q.shape}"
        )
    with np.errstate(divide="ignore"):
        # 0 · log q is 0 whatever q is (even 0): the class carries no target mass.
        ce = -np.where(p > 0, p * np.log(q), 0.0).sum(axis=1)
    return Decomposition(
        target=p,
        predictions=q,
        entropy=np.asarray(xentcore.entropy(p, axis=1), dtype=np.float64) + 0.0,  # no −0
        kl=np.asarray(xentcore.kl_divergence(p, q, axis=1), dtype=np.float64),
        cross_entropy=ce,
    )


def _bar_text(values: np.ndarray) -> list[str]:
    return [fmt(float(v)) for v in values]


@memoised()
def decomposition_figure(parts: Decomposition, class_names: list[str]) -> go.Figure:
    """Left: p and every q, class by class. Right: each CE as a stacked bar H(p) + KL(p ‖ q)."""
    names = [plotly_literal(name) for name in class_names]
    rows = [f"q{r + 1}" for r in range(parts.predictions.shape[0])]
    shared_target = bool(np.all(parts.target == parts.target[0]))
    traces: list[dict] = []
    targets = [parts.target[0]] if shared_target else list(parts.target)
    for r, p in enumerate(targets):
        traces.append(
            {
                "type": "bar",
                "name": "target p" if shared_target else f"target p{r + 1}",
                "x": names,
                "y": p.tolist(),
                "marker": TARGET_OUTLINE_MARKER,
                "hovertemplate": "%{x}: p = %{y:.4f}<extra></extra>",
                "legendgroup": "left",
            }
        )
    for r, q in enumerate(parts.predictions):
        traces.append(
            {
                "type": "bar",
                "name": f"prediction {rows[r]}",
                "x": names,
                "y": q.tolist(),
                "hovertemplate": f"%{{x}}: {rows[r]} = %{{y:.4f}}<extra></extra>",
                "legendgroup": "left",
            }
        )
    # One barmode serves both panels: "group" on the left; on the right H and KL share an
    # offsetgroup and KL starts where H ends (base), which stacks them.
    for label, values, base, colour in (
        ("H(p): the target's own entropy", parts.entropy, None, "#9e9e9e"),
        ("KL(p ‖ q): what the model can still remove", parts.kl, parts.entropy, "#e6550d"),
    ):
        trace = {
            "type": "bar",
            "name": label,
            "x": rows,
            "y": [float(v) if np.isfinite(v) else None for v in values],
            "text": ["∞" if not np.isfinite(v) else fmt(float(v)) for v in values],
            "textposition": "inside",
            "marker": {"color": colour},
            "offsetgroup": "h+kl",
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": "%{x}: %{text}<extra>" + label.split(":")[0] + "</extra>",
        }
        if base is not None:
            trace["base"] = base.tolist()
        traces.append(trace)
    traces.append(
        {
            "type": "scatter",
            "mode": "text",
            "name": "CE = H + KL",
            "x": rows,
            "y": [float(v) if np.isfinite(v) else 0.0 for v in parts.cross_entropy],
            "text": ["CE " + fmt(float(v)) for v in parts.cross_entropy],
            "textposition": "top center",
            "xaxis": "x2",
            "yaxis": "y2",
            "showlegend": False,
            "hoverinfo": "skip",
        }
    )
    finite_ce = parts.cross_entropy[np.isfinite(parts.cross_entropy)]
    top = float(finite_ce.max()) if finite_ce.size else 1.0
    layout = {
        "barmode": "group",
        "xaxis": {"domain": [0.0, 0.5], "anchor": "y", "title": {"text": "class"}},
        "yaxis": {"range": [0, 1.05], "title": {"text": "probability"}, "anchor": "x"},
        "xaxis2": {"domain": [0.62, 1.0], "anchor": "y2", "title": {"text": "prediction"}},
        "yaxis2": {
            "anchor": "x2",
            "range": [0, max(top * 1.25, 0.1)],
            "title": {"text": "nats"},
        },
        "legend": {"orientation": "h", "y": -0.25},
        "height": 400,
        "margin": MARGIN,
    }
    return fast_figure({"data": traces, "layout": layout})


# ------------------------------------------------------------------------------ smoothing


def smoothed_target(num_classes: int, target: int, eps: float) -> np.ndarray:
    """q' = (1 − ε) · one_hot(target) + ε / C, PyTorch's label smoothing of a class index.

    >>> smoothed_target(3, 0, 0.1).round(4).tolist()
    [0.9333, 0.0333, 0.0333]
    """
    q = np.full(num_classes, eps / num_classes)
    q[target] += 1.0 - eps
    return q


@dataclass(frozen=True)
class SmoothingMinimum:
    """Where the smoothed loss is smallest, for a prediction that spreads its rest evenly."""

    p_target: float  # 1 − ε + ε / C
    loss: float  # H(q'), the floor
    logit_gap: float  # z_target − z_other at the minimum: log(p* / (ε / C)); inf at ε = 0
    pytorch_loss: float  # F.cross_entropy(log q', t, label_smoothing=ε) by xentcore: = loss


def smoothing_minimum(num_classes: int, eps: float) -> SmoothingMinimum:
    """The minimum of the smoothed loss over predictions, checked against PyTorch's semantics."""
    q = smoothed_target(num_classes, 0, eps)
    floor = float(xentcore.entropy(q)) + 0.0  # −0.0 at ε = 0 would print as "-0.0000"
    with np.errstate(divide="ignore"):
        gap = float(np.log(q[0]) - np.log(q[1]))
        # Logits log q' reproduce q' exactly; label_smoothing then scores them against q' itself.
        logits = np.log(q)[None]
    finite_logits = np.where(np.isfinite(logits), logits, -1e4)
    pytorch = float(xentcore.cross_entropy(finite_logits, [0], label_smoothing=eps))
    return SmoothingMinimum(float(q[0]), floor, gap, pytorch)


def smoothing_curve(num_classes: int, eps: float, p: np.ndarray) -> np.ndarray:
    """The smoothed loss at p(target) = p, the other C − 1 classes sharing 1 − p evenly.

    loss(p) = −q'_t log p − (1 − q'_t) log((1 − p) / (C − 1))
    """
    q_t = 1.0 - eps + eps / num_classes
    rest = (1.0 - p) / (num_classes - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        other = np.where(q_t < 1.0, -(1.0 - q_t) * np.log(rest), 0.0)
        return -q_t * np.log(p) + other


_CURVE_P = np.concatenate([np.geomspace(1e-3, 0.5, 120), 1.0 - np.geomspace(0.5, 1e-5, 200)])


@memoised()
def smoothing_figure(
    class_names: list[str], target: int, eps: float, ceiling: float = 6.0
) -> go.Figure:
    """Left: the one-hot target and its smoothed version. Right: the loss against p(target)."""
    c = len(class_names)
    names = [plotly_literal(name) for name in class_names]
    one_hot = smoothed_target(c, target, 0.0)
    smooth = smoothed_target(c, target, eps)
    best = smoothing_minimum(c, eps)
    plain_curve = smoothing_curve(c, 0.0, _CURVE_P)
    smooth_curve = smoothing_curve(c, eps, _CURVE_P)

    def clipped(values: np.ndarray) -> list[float | None]:
        return [float(v) if np.isfinite(v) and v <= ceiling else None for v in values]

    traces = [
        {
            "type": "bar",
            "name": "one-hot target y",
            "x": names,
            "y": one_hot.tolist(),
            "marker": TARGET_OUTLINE_MARKER,
            "hovertemplate": "%{x}: y = %{y:.4f}<extra></extra>",
        },
        {
            "type": "bar",
            "name": f"smoothed q′ (ε = {eps:g})",
            "x": names,
            "y": smooth.tolist(),
            "marker": {"color": "#3182bd"},
            "text": [fmt(float(v)) for v in smooth],
            "textposition": "outside",
            "hovertemplate": "%{x}: q′ = %{y:.4f}<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "loss without smoothing: −log p",
            "x": _CURVE_P.tolist(),
            "y": clipped(plain_curve),
            "line": {"color": "#999", "dash": "dot"},
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": "p = %{x:.4f}<br>loss = %{y:.4f}<extra>ε = 0</extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"loss with ε = {eps:g}",
            "x": _CURVE_P.tolist(),
            "y": clipped(smooth_curve),
            "line": {"color": "#3182bd", "width": 3},
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": f"p = %{{x:.4f}}<br>loss = %{{y:.4f}}<extra>ε = {eps:g}</extra>",
        },
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": "minimum",
            "x": [best.p_target],
            "y": [best.loss],
            "text": [f"min {fmt(best.loss)} at p = {fmt(best.p_target)}"],
            "textposition": "top left",
            "marker": {"size": 12, "color": "#de2d26"},
            "xaxis": "x2",
            "yaxis": "y2",
            "hovertemplate": "minimum: p = %{x:.4f}, loss = %{y:.4f}<extra></extra>",
        },
    ]
    layout = {
        "barmode": "group",
        "xaxis": {"domain": [0.0, 0.38], "anchor": "y", "title": {"text": "class"}},
        "yaxis": {"range": [0, 1.15], "title": {"text": "target probability"}, "anchor": "x"},
        "xaxis2": {
            "domain": [0.5, 1.0],
            "anchor": "y2",
            "range": [0, 1.02],
            "title": {"text": "p(target), the rest shared evenly"},
        },
        "yaxis2": {"anchor": "x2", "range": [0, ceiling], "title": {"text": "loss (nats)"}},
        "legend": {"orientation": "h", "y": -0.25},
        "height": 400,
        "margin": MARGIN,
    }
    return fast_figure({"data": traces, "layout": layout})
