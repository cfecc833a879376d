"""Drilling down on the "Your model" page: a click on a chart selects, the samples behind it list.

The selection is kept in session state as its text (SELECTION, xentui/your_model/drill.py's
form), which the view's link carries; it is read back through `parse_selection` on every run, so
a selection the data or the bins no longer have lists nothing.
"""

from __future__ import annotations

import streamlit as st

import xentcore
from xentui.kit.format import md_literal
from xentui.session.units import loss_unit
from xentui.session.your_model.samples import playground_links, sample_columns, show_pager
from xentui.session.your_model.state import DRILL_PAGE, SELECTION
from xentui.session.your_model.view_link import LINK_SELECTION
from xentui.your_model.analysis import Analysis
from xentui.your_model.drill import Selection, parse_selection, selected_rows, selection_from_points
from xentui.your_model.playground_link import sample_scenario
from xentui.your_model.tables import samples_frame

__all__ = ["clear_selection", "current_selection", "select_from_chart", "show_drill"]


def select_from_chart(chart_key: str, chart: str) -> None:
    """A click on the chart `chart_key` (the drill-down kind `chart`): select what it reports.

    A click on nothing the page drills into, or a cleared selection, deselects a selection
    that came from this chart and leaves one from another chart alone.
    """
    event = st.session_state.get(chart_key) or {}
    points = (event.get("selection") or {}).get("points") or []
    text = selection_from_points(chart, list(points))
    current = st.session_state.get(SELECTION) or ""
    if text is not None:
        st.session_state[SELECTION] = text
    elif current.startswith(chart + ":"):
        st.session_state[SELECTION] = None
    st.session_state[DRILL_PAGE] = 1


def clear_selection() -> None:
    st.session_state[SELECTION] = None


def current_selection(analysis: Analysis, bins: int) -> Selection | None:
    """The drilled-down selection, if it still names something on this data and these bins."""
    text = st.session_state.get(SELECTION)
    parsed = None if text is None else parse_selection(text, analysis, bins, LINK_SELECTION)
    if not isinstance(parsed, Selection):
        st.session_state[SELECTION] = None  # the bins changed under it: nothing to list
        return None
    return parsed


def show_drill(
    analysis: Analysis, bins: int, selection: Selection | None, kinds: tuple[str, ...]
) -> None:
    """The samples behind the clicked bar, bin or cell, highest loss first, a page at a time."""
    if selection is None or selection.kind not in kinds:
        st.caption("Click a bar (or a cell) to list the samples behind it.")
        return
    rows = selected_rows(selection, analysis, bins)
    unit = loss_unit()
    head, clear = st.columns([4, 1], vertical_alignment="bottom")
    head.markdown(
        f"**{len(rows):,} {'sample' if len(rows) == 1 else 'samples'} with "
        f"{md_literal(selection.describe(analysis, bins, unit))}**, "
        "highest loss first"
    )
    clear.button("Clear the selection", key=f"ym_clear_{selection.kind}", on_click=clear_selection)
    if not len(rows):
        st.caption("No sample falls there.")
        return
    shown = rows[show_pager(len(rows), DRILL_PAGE)]
    logits = analysis.logits_of(shown)
    scenarios = [
        sample_scenario(analysis, int(row), row_logits)
        for row, row_logits in zip(shown, logits, strict=True)
    ]
    st.dataframe(
        samples_frame(
            analysis, shown, xentcore.softmax(logits, axis=1), playground_links(scenarios), unit
        ),
        hide_index=True,
        key="ym_drilled",
        column_config=sample_columns(unit),
    )
