"""The "Your model" page's Likely label errors tab: confident learning, run when asked, on the
analysis on screen, and the flagged samples with their evidence, a page at a time."""

from __future__ import annotations

import streamlit as st

from xentui.session.units import loss_unit
from xentui.session.your_model.samples import playground_links, sample_columns, show_pager
from xentui.your_model.analysis import Analysis
from xentui.your_model.label_errors import issues_frame, label_issues
from xentui.your_model.playground_link import sample_scenario

__all__ = ["ISSUES_PAGE", "find_label_issues", "label_issues_found", "show_label_errors"]

_ISSUES = "ym_label_issues"  # (the Analysis they are of, its LabelIssues)
ISSUES_PAGE = "ym_issues_page"  # the page of the flagged list


def find_label_issues(analysis: Analysis) -> None:
    """Run confident learning on `analysis` (a button's callback)."""
    st.session_state[_ISSUES] = (analysis, label_issues(analysis))
    st.session_state[ISSUES_PAGE] = 1  # a new list starts at its first page


def label_issues_found(analysis: Analysis):
    """The LabelIssues found for `analysis`, or None when not looked for on it."""
    kept = st.session_state.get(_ISSUES)
    return kept[1] if kept is not None and kept[0] is analysis else None


def show_label_errors(analysis: Analysis) -> None:
    """The samples confident learning flags, least likely label first, each openable."""
    found = label_issues_found(analysis)
    if found is None:
        st.caption(
            "Confident learning: each class gets a threshold, the mean probability of the class "
            "over the samples labelled with it; a sample is flagged when another class reaches "
            "its threshold with the highest probability (cleanlab's find_label_issues, "
            "filter_by='confident_learning'). Use out-of-sample scores: a model agrees with the "
            "labels it was trained on."
        )
        st.button(
            "Find likely label errors",
            key="ym_find_issues",
            on_click=find_label_issues,
            args=(analysis,),
            help="Reads the whole matrix once more (softmax of every row).",
        )
        return
    st.markdown(
        f"**{len(found):,} samples flagged** of {analysis.num_samples:,}, the least likely "
        "given label first (ranked by p(given))."
    )
    if not len(found):
        return
    shown = show_pager(len(found), ISSUES_PAGE)
    rows = found.indices[shown]
    scenarios = [sample_scenario(analysis, int(row)) for row in rows]
    unit = loss_unit()
    st.dataframe(
        issues_frame(analysis, found, shown, playground_links(scenarios), unit),
        hide_index=True,
        key="ym_issues",
        column_config={
            **sample_columns(unit),
            "p(given)": st.column_config.NumberColumn(format="%.4g"),
            "p(suggested)": st.column_config.NumberColumn(format="%.4f"),
        },
    )
