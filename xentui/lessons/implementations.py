"""The walkthrough's loss four ways — loop, dot product, vectorised kernel, PyTorch — and code.

The three probability forms are xentcore's own functions and the code shown is their source (the
docstring left out), so what the page shows is what ran. PyTorch works from the logits, as it does
in training; its code is the script that reproduces the walk.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import xentcore
from xentui.domain.results import loss_arguments
from xentui.domain.scenario import Scenario
from xentui.domain.torch_code import torch_code
from xentui.kit.cache import memoised
from xentui.kit.format import fmt
from xentui.lessons.step_by_step import walkthrough

__all__ = [
    "ImplementationResult",
    "agree_to_printed_digit",
    "function_source",
    "implementation_results",
    "underflow_note",
]


@dataclass(frozen=True)
class ImplementationResult:
    title: str
    value: float | None  # None when it could not run (PyTorch missing)
    code: str
    note: str = ""


@memoised(maxsize=16)
def function_source(func: Callable) -> str:
    """The source of `func` without its docstring: the lines that compute."""
    source = textwrap.dedent(inspect.getsource(func))
    body = ast.parse(source).body[0].body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        lines = source.splitlines()
        del lines[first.lineno - 1 : first.end_lineno]
        source = "\n".join(lines)
    return source.rstrip() + "\n"


def _probability_code(*funcs: Callable) -> str:
    return "\n\n".join(function_source(f) for f in funcs)


def _torch_value(scenario: Scenario) -> tuple[float | None, str]:
    if not xentcore.torch_available():
        return None, "PyTorch is not installed here, so it sits this one out."
    args = loss_arguments(scenario)
    return float(xentcore.torch_cross_entropy(**args, reduction="mean")), ""


@memoised(maxsize=32)
def implementation_results(scenario: Scenario) -> tuple[ImplementationResult, ...]:
    """The walk's mean by each implementation (cached per scenario)."""
    walk = walkthrough(scenario)
    y, p = walk.targets.astype(walk.probabilities.dtype), walk.probabilities
    torch_value, torch_note = _torch_value(walk.scenario)
    return (
        ImplementationResult(
            "Loop over samples and classes",
            float(xentcore.categorical_cross_entropy_loop(y, p)),
            _probability_code(xentcore.categorical_cross_entropy_loop),
            "One Python step per term, exactly the walk above.",
        ),
        ImplementationResult(
            "Dot product: mean of diag(Y · (−log P)ᵀ)",
            float(xentcore.categorical_cross_entropy_diagonal(y, p)),
            _probability_code(xentcore.categorical_cross_entropy_diagonal, xentcore.loss_matrix),
            "Builds all N × N pairs to keep N of them.",
        ),
        ImplementationResult(
            "Vectorised kernel",
            float(xentcore.categorical_cross_entropy(y, p)),
            _probability_code(xentcore.categorical_cross_entropy),
            "−Σ y · log p per row in one array operation, then the mean.",
        ),
        ImplementationResult(
            "PyTorch F.cross_entropy",
            torch_value,
            torch_code(walk.scenario),
            torch_note or "From the logits, through log-softmax: no probability is ever clipped.",
        ),
    )


def agree_to_printed_digit(values: list[float | None]) -> bool:
    """True when every value that ran prints the same with 4 decimals (as the page prints them)."""
    printed = {fmt(v) for v in values if v is not None and np.isfinite(v)}
    finite = all(v is None or np.isfinite(v) for v in values)
    return finite and len(printed) == 1


def underflow_note(scenario: Scenario) -> str | None:
    """Why the probability forms part from PyTorch here, when a target's p underflowed to 0."""
    walk = walkthrough(scenario)
    lost = (walk.probabilities == 0) & (walk.targets != 0)
    if not lost.any():
        return None
    i, c = (int(v) for v in np.argwhere(lost)[0])
    eps = xentcore.DEFAULT_EPS
    return (
        f"In {walk.probabilities.dtype}, p of a target class rounds to exactly 0 "
        f"({walk.sample_labels[i]}, class {c + 1}; its log-softmax is "
        f"{fmt(float(walk.log_probabilities[i, c]))}). The three probability forms clip it to "
        f"{eps:g} and charge −log {eps:g} = {fmt(-np.log(eps))}; PyTorch reads log p from the "
        "logits and charges the true amount. The Numerical stability page shows this in detail."
    )
