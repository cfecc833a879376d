"""Showing a bad input beside the control it came from: the one renderer of a `Problem`."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from xentui.kit.format import md_literal
from xentui.kit.problems import Problem

__all__ = ["LINK_ICON", "TYPED_ICON", "show_problems"]

# Material icons, drawn by Streamlit's own font: emoji need a font many machines lack.
TYPED_ICON = ":material/edit:"  # a problem with something typed or uploaded
LINK_ICON = ":material/link:"  # a problem with a value a link carried


def show_problems(problems: Iterable[Problem | str], where=None, icon: str = TYPED_ICON) -> None:
    """One error box per problem, in `where` (a container or column; default: here).

    The text is shown literally: a problem quotes what the user typed, which may hold Markdown.
    """
    target = where if where is not None else st
    for problem in problems:
        target.error(md_literal(str(problem)), icon=icon)
