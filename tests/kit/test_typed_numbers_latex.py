"""Parsing typed numbers and writing numbers as LaTeX, for the Learn pages."""

from __future__ import annotations

import re

import numpy as np
import pytest

from xentui.kit.latex import tex_indicator, tex_matrix, tex_number, tex_signed, tex_vector
from xentui.kit.link_refusal import refusal, refused
from xentui.kit.typed_numbers import MAX_TEXT_CHARS, parse_number_rows


def _parse(text, **limits):
    options = {"what": "logits", "max_rows": 4, "max_entries": 4, **limits}
    return parse_number_rows(text, **options)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1, 2, 3", [[1, 2, 3]]),
        ("1 2 3", [[1, 2, 3]]),
        ("−1, 2e-3", [[-1, 0.002]]),
        ("0.25, 0.75; 0, 1", [[0.25, 0.75], [0, 1]]),
        ("1, 2\n3, 4\n", [[1, 2], [3, 4]]),
        (" 1, 2, ", [[1, 2]]),
    ],
)
def test_parses_rows_of_numbers(text, expected):
    parsed = _parse(text)
    assert parsed.problem is None
    np.testing.assert_array_equal(parsed.values, expected)


@pytest.mark.parametrize(
    ("text", "limits", "message"),
    [
        ("", {}, "^Empty — type logits separated by commas"),
        ("  ;  ", {}, "^Empty"),
        (None, {}, "^Empty"),
        ("1, abc", {}, "^Entry 2: “abc” is not a number$"),
        ("1, 2; 3, x", {}, "^Row 2, entry 2: “x” is not a number$"),
        ("1, nan", {}, "^Entry 2: nan is not a finite number$"),
        ("inf", {}, "^Entry 1: inf is not a finite number$"),
        ("1, 2, 3, 4, 5", {}, "^5 logits: at most 4 fit here"),
        ("1; 2; 3; 4; 5", {}, "^5 rows of logits: at most 4 fit here"),
        ("1, 2; 3", {}, "^Row 2 has 1 logits but row 1 has 2"),
        ("0.5, 1.5", {"low": 0.0, "high": 1.0}, r"^Entry 2: 1.5 lies outside \[0, 1\]"),
        ("-2", {"low": -1.0}, r"^Entry 1: -2 lies outside \[-1, ∞\]"),
        ("1" * (MAX_TEXT_CHARS + 1), {}, "characters"),
    ],
)
def test_problems_are_named(text, limits, message):
    parsed = _parse(text, **limits)
    assert parsed.values is None
    assert parsed.problem is not None
    assert re.search(message, parsed.problem), parsed.problem


def test_a_long_entry_is_shortened_in_the_message():
    parsed = _parse("x" * 100)
    assert "…" in parsed.problem and len(parsed.problem) < 60


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


@pytest.mark.parametrize(
    ("raw", "shown", "expected"),
    [
        (None, 1, False),
        ("4", 4, False),
        ("4.0", 4, False),
        ("0.7", 0.7000000000000001, False),
        ("99", 1, True),
        ("abc", 1, True),
        ("true", True, False),
        ("TRUE", True, False),
        ("maybe", False, True),
        ("1e-15", "1e-15", False),
        ("1e-07", "1e-7", True),  # not one of the options, so the widget showed its default
    ],
)
def test_refused(raw, shown, expected):
    assert refused(raw, shown) is expected


def test_refusal_message_names_key_value_range_and_what_is_shown():
    link = {"term": "x" * 50, "scale": "100"}
    message = refusal(link, "term", 1, "a whole number from 1 to 6")
    assert message.startswith("The link’s term=" + "x" * 20 + "…")
    assert message.endswith("(a whole number from 1 to 6): showing 1 instead.")
    assert refusal(link, "scale", 100, "anything") is None
    assert refusal(link, "absent", 3, "anything") is None
    assert "showing off" in refusal({"all": "maybe"}, "all", False, "true or false", "off")
