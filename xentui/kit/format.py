"""Showing user text literally, and numbers the way the seed documents print them."""

from __future__ import annotations

import html
import math
import re

__all__ = ["fmt", "md_literal", "percent", "plotly_literal"]

# Every character that CommonMark, Streamlit's extensions (:colour[], $maths$) or HTML could read.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md_literal(text: str) -> str:
    """Escape `text` so that st.markdown shows it exactly as typed, never as Markdown or HTML.

    >>> md_literal("**cat** <b>")
    '\\\\*\\\\*cat\\\\*\\\\* \\\\<b\\\\>'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def plotly_literal(text: str) -> str:
    """Escape `text` for Plotly labels, which render a subset of HTML (<b>, <br>, <a>)."""
    return html.escape(text, quote=False)


def fmt(value: float, digits: int = 4) -> str:
    """4 decimals like the seeds (1.2753), switching to scientific for tiny or huge values.

    >>> fmt(1.27526), fmt(1.1920928955078125e-07), fmt(16.0), fmt(0.0)
    ('1.2753', '1.1921e-07', '16.0000', '0.0000')
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    magnitude = abs(value)
    if magnitude == 0 or 10 ** -(digits - 1) <= magnitude < 1e6:
        return f"{value:.{digits}f}"
    return f"{value:.{digits}e}"


def percent(share: float, digits: int = 2) -> str:
    """A share as the app writes every percentage: two decimals, so 1 of 3 reads 33.33%.

    >>> percent(0.5), percent(1 / 3), percent(1.0), percent(float("nan"))
    ('50.00%', '33.33%', '100.00%', 'NaN')
    """
    if math.isnan(share):
        return "NaN"
    return f"{share:.{digits}%}"
