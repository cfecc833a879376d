"""Tables of samples on the "Your model" page: their Playground links, column formats and pages.

Every list of samples (the worst, the drilled-down, the likely label errors, the flipped
predictions) opens each sample in the Playground through a link, formats its columns the same way,
and shows a long list a page of PAGE_SIZE rows at a time (`show_pager`).
"""

from __future__ import annotations

import streamlit as st

from xentui.domain.share_link import QUERY_KEY, encode
from xentui.your_model.drill import page_count, page_rows

__all__ = ["PAGE_PATH", "SAMPLE_COLUMNS", "playground_links", "sample_columns", "show_pager"]

PAGE_PATH = "your-model"  # the page's address, which a link to the Playground replaces

SAMPLE_COLUMNS = {
    "p(target)": st.column_config.NumberColumn(format="%.4g"),
    "p(prediction)": st.column_config.NumberColumn(format="%.4f"),
}


def playground_links(scenarios) -> list[str]:
    """Links that open each (scenario, note) of `scenarios` in the Playground (in a new tab)."""
    address = (st.context.url or "").split("?")[0]
    root = address[: -len(PAGE_PATH)] if address.endswith(PAGE_PATH) else "./"
    return [f"{root}?{QUERY_KEY}={encode(scenario)}" for scenario, _ in scenarios]


def sample_columns(unit: str) -> dict:
    """The column formats of a table of samples (samples_frame) with Playground links."""
    return {
        "Playground": st.column_config.LinkColumn(
            "Playground", display_text="open ↗", help="Opens the sample in a new tab."
        ),
        f"loss ({unit})": st.column_config.NumberColumn(format="%.4f"),
        **SAMPLE_COLUMNS,
    }


def show_pager(count: int, key: str) -> slice:
    """The rows of a list of `count` to show: with more than a page, a page control (`key`, kept
    in session state) and a caption naming the rows shown ("Rows 26–50 of 60.")."""
    pages = page_count(count)
    if st.session_state.get(key, 1) > pages:  # the list shrank under the page it was on
        st.session_state[key] = 1
    if pages == 1:
        return page_rows(1, count)
    shown = page_rows(int(st.number_input(f"Page (of {pages:,})", 1, pages, key=key)), count)
    st.caption(f"Rows {shown.start + 1:,}–{shown.stop:,} of {count:,}.")
    return shown
