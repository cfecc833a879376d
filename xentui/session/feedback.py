"""Showing a bad input beside the control it came from: the one renderer of a `Problem`."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from xentui.kit.format import md_literal
from xentui.kit.problems import Problem

__all__ = ["LINK_ICON", "MOST_PROBLEMS", "TYPED_ICON", "show_problems"]

# Material icons, drawn by Streamlit's own font: emoji need a font many machines lack.
TYPED_ICON = ":material/edit:"  # a problem with something typed or uploaded
LINK_ICON = ":material/link:"  # a problem with a value a link carried
# The error boxes shown for one text box of many lines: the first few, then how many more.
MOST_PROBLEMS = 5


def show_problems(
    problems: Iterable[Problem | str], where=None, icon: str = TYPED_ICON, most: int | None = None
) -> None:
    """One error box per problem, in `where` (a container or column; default: here); with
    `most`, only the first `most` boxes and one saying how many more there are.

    The text is shown literally: a problem quotes what the user typed, which may hold Markdown.
    """
    target = where if where is not None else st
    problems = list(problems)
    shown = problems if most is None else problems[:most]
    for problem in shown:
        target.error(md_literal(str(problem)), icon=icon)
    if len(problems) > len(shown):
        more = len(problems) - len(shown)
        words = f"… and {more:,} more problem{'s' if more > 1 else ''} like these, not shown."
        target.error(md_literal(words), icon=icon)
