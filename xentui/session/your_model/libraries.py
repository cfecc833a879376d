"""The "Your model" page's Other libraries tab: the mean loss as PyTorch and scikit-learn see it."""

from __future__ import annotations

import streamlit as st

from xentui.kit.format import md_literal
from xentui.your_model.analysis import Analysis
from xentui.your_model.tables import libraries_frame

__all__ = ["show_libraries"]


def show_libraries(analysis: Analysis) -> None:
    """Each library's mean beside xent's, and why they differ."""
    st.dataframe(
        libraries_frame(analysis).drop(columns="why"),  # the reasons are long: said below
        hide_index=True,
        key="ym_libraries",
        column_config={
            "mean loss": st.column_config.NumberColumn(format="%.6f"),
            "− xent": st.column_config.NumberColumn(format="%.2e"),
        },
    )
    for result in analysis.libraries:
        st.markdown(f"**{result.library}** — {md_literal(result.why)}")
    st.caption(
        "These means are in nats, the natural log every library here computes in. "
        "PyTorch is run block by block (reduction='sum', divided by N) to keep its temporaries "
        "small. scikit-learn's figure follows log_loss's rule — clip P to [ε, 1 − ε], no "
        "renormalisation — applied to each sample's target probability, which is all it reads."
    )
