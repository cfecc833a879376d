"""text: user text shown literally in Markdown and Plotly; numbers printed like the seeds."""

from __future__ import annotations

import math

import pytest
from app_helpers import unescape
from hypothesis import given, settings
from hypothesis import strategies as st

from xentui.kit.format import fmt, md_literal, plotly_literal

MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|<>~$:&"


def bare_specials(escaped: str) -> list[str]:
    """Special characters of `escaped` not protected by a backslash (an escape pair is skipped)."""
    bare, i = [], 0
    while i < len(escaped):
        if escaped[i] == "\\" and escaped[i + 1 : i + 2] in set(MARKDOWN_SPECIALS):
            i += 2
            continue
        if escaped[i] in MARKDOWN_SPECIALS:
            bare.append(escaped[i])
        i += 1
    return bare


@settings(database=None)
@given(st.text())
def test_md_literal_escapes_every_special_character_and_loses_nothing(text):
    escaped = md_literal(text)
    assert bare_specials(escaped) == []
    assert unescape(escaped) == text


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("**bold**", r"\*\*bold\*\*"),
        ("<script>alert(1)</script>", r"\<script\>alert\(1\)\</script\>"),
        ("[x](http://e.example)", r"\[x\]\(http\://e\.example\)"),
        (":red[x] $y$", r"\:red\[x\] \$y\$"),
        ("plain words", "plain words"),
    ],
)
def test_md_literal_examples(text, escaped):
    assert md_literal(text) == escaped


@pytest.mark.parametrize(
    ("text", "shown"),
    [("<b>x</b>", "&lt;b&gt;x&lt;/b&gt;"), ("a & b", "a &amp; b"), ('"q"', '"q"')],
)
def test_plotly_literal_escapes_html(text, shown):
    assert plotly_literal(text) == shown


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.27526, "1.2753"),
        (16.0, "16.0000"),
        (0.0, "0.0000"),
        (0.001, "0.0010"),
        (0.0037192, "0.0037"),
        (0.00099, "9.9000e-04"),
        (1.1920928955078125e-07, "1.1921e-07"),
        (999_999.0, "999999.0000"),
        (1e6, "1.0000e+06"),
        (-2.5, "-2.5000"),
        (-1e-5, "-1.0000e-05"),
        (math.nan, "NaN"),
        (math.inf, "∞"),
        (-math.inf, "−∞"),
    ],
)
def test_fmt_prints_like_the_seeds(value, text):
    assert fmt(value) == text


def test_fmt_takes_other_digit_counts():
    """The switch to scientific follows the digits: at least two significant digits show."""
    assert fmt(0.71355817782, 11) == "0.71355817782"
    assert (fmt(0.1, 2), fmt(0.01, 2)) == ("0.10", "1.00e-02")
