"""Numbers, vectors and matrices written as LaTeX, so the Learn pages show formulas with numbers.

Only numbers go into these strings, never user text: class names would need LaTeX escaping, so the
pages name classes in plain text beside the formula instead.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from xentui.kit.format import fmt

__all__ = ["tex_indicator", "tex_matrix", "tex_number", "tex_signed", "tex_vector"]


def tex_number(value: float, digits: int = 4) -> str:
    """`fmt`'s text as LaTeX: 1.1921e-07 → 1.1921 \\times 10^{-7}, inf → \\infty, NaN as text.

    >>> tex_number(-2.40760596), tex_number(1.1920929e-07), tex_number(float("inf"))
    ('-2.4076', '1.1921 \\\\times 10^{-7}', '\\\\infty')
    """
    text = fmt(float(value), digits)
    if text == "NaN":
        return r"\text{NaN}"
    if text in ("∞", "−∞"):
        return r"\infty" if text == "∞" else r"-\infty"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def tex_indicator(value: float) -> str:
    """A target weight: 1 and 0 as plain integers (one-hot), anything else with 4 decimals."""
    return str(int(value)) if float(value) in (0.0, 1.0) else tex_number(value)


def tex_signed(value: float, digits: int = 4) -> str:
    """A number ready to follow an operator: negatives in parentheses, (−2.4076)."""
    text = tex_number(value, digits)
    return f"({text})" if text.startswith("-") else text


def tex_vector(values: Iterable[float], digits: int = 4) -> str:
    """A row vector in brackets: [1.0000, 2.0000]."""
    return (
        r"\begin{bmatrix} " + " & ".join(tex_number(v, digits) for v in values) + r" \end{bmatrix}"
    )


def tex_matrix(rows: np.ndarray, digits: int = 4, *, indicators: bool = False) -> str:
    """A 2-D array as a bracketed LaTeX matrix (`indicators`: 0/1 entries as integers)."""
    cell = tex_indicator if indicators else (lambda v: tex_number(v, digits))
    body = r" \\ ".join(" & ".join(cell(v) for v in row) for row in np.asarray(rows))
    return r"\begin{bmatrix} " + body + r" \end{bmatrix}"
