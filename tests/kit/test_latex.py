"""Writing numbers as LaTeX, for the Learn pages."""

from __future__ import annotations

import numpy as np
import pytest

from xentui.kit.latex import tex_indicator, tex_matrix, tex_number, tex_signed, tex_vector


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.27526, "1.2753"),
        (-2.40760596, "-2.4076"),
        (1.1920929e-07, r"1.1921 \times 10^{-7}"),
        (float("inf"), r"\infty"),
        (float("-inf"), r"-\infty"),
        (float("nan"), r"\text{NaN}"),
    ],
)
def test_tex_number(value, text):
    assert tex_number(value) == text


def test_tex_helpers():
    assert tex_signed(-1.5) == "(-1.5000)" and tex_signed(1.5) == "1.5000"
    assert (
        tex_indicator(1.0) == "1" and tex_indicator(0.0) == "0" and tex_indicator(0.9) == "0.9000"
    )
    assert tex_vector([1, 2], 1) == r"\begin{bmatrix} 1.0 & 2.0 \end{bmatrix}"
    assert tex_matrix(np.eye(2), indicators=True) == r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}"
