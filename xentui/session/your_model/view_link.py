"""The "Your model" page's view in its link: the drilled-down selection and the file it is of.

The view lives in the URL: the tab, the bins and the number of worst samples are controls bound
to it (the page's PageState checks them); the selection and the file it was made on are written
here, with the file's short SHA-256 and name. Without ym_data the link is of the example. A link
whose file is not on screen waits for it, and says so.
"""

from __future__ import annotations

import streamlit as st

from xentui.kit.problems import Problem, quote
from xentui.session.page_state import PageState
from xentui.session.your_model.state import (
    DRILL_PAGE,
    EXAMPLE_IDENTITY,
    SELECTION,
    SHORT_HASH,
    identity,
)
from xentui.your_model.analysis import Analysis
from xentui.your_model.drill import parse_selection

__all__ = [
    "LINK_DATA",
    "LINK_NAME",
    "LINK_SELECTION",
    "pending_view",
    "read_view_link",
    "write_view_link",
]

LINK_SELECTION, LINK_DATA, LINK_NAME = "ym_sel", "ym_data", "ym_name"
_PENDING = "ym_pending"  # (data, name, selection) a link carried, waiting for its file
_HASH_CHARS = frozenset("0123456789abcdef")


def read_view_link(state: PageState) -> None:
    """On the page's first run: keep the link's selection and file until that file is on screen."""
    raw = [state.link_values(key) for key in (LINK_SELECTION, LINK_DATA, LINK_NAME)]
    if raw[0] or raw[1]:
        st.session_state[_PENDING] = tuple(values[-1] if values else None for values in raw)


def _data_problem(raw: str) -> Problem | None:
    if len(raw) == SHORT_HASH and set(raw) <= _HASH_CHARS:
        return None
    return Problem(
        LINK_DATA,
        None,
        LINK_DATA,
        found=f"“{quote(raw, 40)}”" if raw else "an empty value",
        expected=f"the first {SHORT_HASH} hexadecimal digits (0–9, a–f) of a file's SHA-256",
        label=f"The link’s {LINK_DATA}",
    )


def pending_view(analysis: Analysis, bins: int) -> tuple[list[Problem], str | None]:
    """Apply the link's selection if its file is the one on screen.

    Returns the problems of the link's values (to show beside the figures) and, while the link
    waits for another file, a sentence naming that file (name and short hash).
    """
    pending = st.session_state.get(_PENDING)
    if pending is None:
        return [], None
    selection, data, name = pending[0], pending[1], pending[2]
    problems: list[Problem] = []
    if data is not None and (problem := _data_problem(data)) is not None:
        problems.append(problem)
        selection = None  # a file the link cannot name: its selection is not applied to another
    elif (data or EXAMPLE_IDENTITY[0]) != identity()[0]:
        named = "the example" if data is None else f"“{quote(name or 'a file', 60)}”"
        short = "" if data is None else f" (SHA-256 {data}…)"
        return problems, (
            f"This link shows a view of {named}{short}, not of the data on screen: "
            f"{'open the example' if data is None else 'upload that file'} to see the "
            "selection it shares."
        )
    del st.session_state[_PENDING]
    if selection is not None:
        parsed = parse_selection(selection, analysis, bins, LINK_SELECTION)
        if isinstance(parsed, Problem):
            problems.append(parsed)
        else:
            st.session_state[SELECTION] = parsed.text
            st.session_state[DRILL_PAGE] = 1
    return problems, None


def write_view_link() -> None:
    """Put the selection and the file on screen in the URL (once no link waits for its file)."""
    if _PENDING in st.session_state:
        return
    data, name = identity()
    wanted = {
        LINK_SELECTION: st.session_state.get(SELECTION),
        LINK_DATA: None if data == EXAMPLE_IDENTITY[0] else data,
        LINK_NAME: None if data == EXAMPLE_IDENTITY[0] else name,
    }
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            if value is None:
                del st.query_params[key]
            else:
                st.query_params[key] = value
